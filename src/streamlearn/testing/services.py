"""Finding the real servers a test talks to (Redis, NATS, MQTT, PostgreSQL, Kafka).

A test asks for a service by name; it gets the URL from an environment variable, or the
default local address, when something answers there. Otherwise the test is skipped with the
reason, and when ``STREAMLEARN_REQUIRE_SERVICES=1`` (as in CI) it fails instead, so a missing
server can never pass for green.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

REQUIRE_ENV = "STREAMLEARN_REQUIRE_SERVICES"

DEFAULTS = {
    "redis": ("STREAMLEARN_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "nats": ("STREAMLEARN_NATS_URL", "nats://127.0.0.1:4222"),
    "mqtt": ("STREAMLEARN_MQTT_URL", "mqtt://127.0.0.1:1883"),
    "postgres": ("STREAMLEARN_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
}


def tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def unavailable(reason: str) -> None:
    """Skip the calling test, or fail it when services are required."""
    import pytest

    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 makes this a failure, not a skip)")
    pytest.skip(reason)


def service_url(name: str) -> str:
    """The URL of a running ``name`` service, or skip/fail the test saying why."""
    env_var, default = DEFAULTS[name]
    url = os.environ.get(env_var, default)
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port
    if port is None or not tcp_reachable(host, port):
        unavailable(f"no {name} server answers at {host}:{port} (set {env_var})")
    return url
