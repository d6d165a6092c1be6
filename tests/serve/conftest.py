"""A real server: the app in uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

TOKEN = "t0ken"


def job_yaml(tmp_path: Path, name: str = "demo") -> str:
    return yaml.safe_dump({
        "name": name,
        "source": {"type": "http", "port": 0},
        "schema": {"id": "id", "target": "y", "numeric": ["x0", "x1"]},
        "pipeline": ["StandardScaler", "LogisticRegression"],
        "metrics": ["Accuracy", "ROCAUC"],
        "history_every": 50,
        "store": f"sqlite:///{tmp_path / 'store.db'}",
    })


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(service) -> Iterator[str]:
    """The url of ``service``'s app served by uvicorn until the block ends."""
    import uvicorn

    from streamlearn.serve import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the test server did not answer on {url}")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def serve_service():
    """``serving(service)``: a context manager serving one more service, yielding its url."""
    return serving


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """The store the ``live_server`` writes."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    """The ``live_server``'s job as a YAML file."""
    path = tmp_path / "job.yaml"
    path.write_text(job_yaml(tmp_path))
    return path


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(url, token) of a server over a fresh job (store in ``tmp_path``), its learner in a
    process of its own as ``streamlearn serve`` runs it."""
    from streamlearn.serve import ModelService

    service = ModelService.from_yaml(job_yaml(tmp_path), token=TOKEN, learner="process")
    with serving(service) as url:
        yield url, TOKEN
