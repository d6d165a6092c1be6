"""A two-node Ray cluster on this machine, started once for these tests.

The head and a second node joined to it with ``ray start --address``, both with token
authentication (``RAY_AUTH_MODE=token`` and a shared ``RAY_AUTH_TOKEN``, as Ray >= 2.52
requires of every node and driver). Each ``ray start --block`` runs in its own session:
ending it (SIGTERM, by its process id) ends the processes it started; any left over in that
session are ended by their process ids.

Ray reads its authentication settings when it is imported: the tests import it only after
this fixture has set them (``import ray`` inside the test functions).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from streamlearn.testing.kafka import free_port
from streamlearn.testing.services import tcp_reachable, unavailable

if importlib.util.find_spec("ray") is None:
    pytest.skip("the 'ray' extra is not installed", allow_module_level=True)
RAY_CLI = str(Path(sys.executable).with_name("ray"))
STARTUP_TIMEOUT_S = 60


def _start(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen([RAY_CLI, "start", "--block", "--disable-usage-stats",
                                 "--node-ip-address=127.0.0.1", *arguments],
                                env=env, stdout=handle, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _session_members(session_id: int) -> list[int]:
    """Process ids still in the session a ``ray start`` opened (never other processes)."""
    listing = subprocess.run(["ps", "-e", "-o", "pid=,sid="], capture_output=True, text=True)
    members = []
    for line in listing.stdout.splitlines():
        pid, sid = (int(v) for v in line.split())
        if sid == session_id and pid != os.getpid():
            members.append(pid)
    return members


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in _session_members(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def ray_cluster():
    """The address of a running two-node cluster; this process is connected to it."""
    if not os.access(RAY_CLI, os.X_OK):
        unavailable(f"no ray command next to {sys.executable}")
    token = secrets.token_hex(32)
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token}
    env = {**os.environ, **auth}
    previous = {name: os.environ.get(name) for name in auth}
    logs = Path(tempfile.mkdtemp(prefix="streamlearn-ray-"))
    port = free_port()
    address = f"127.0.0.1:{port}"
    processes = [_start(["--head", f"--port={port}", "--num-cpus=2",
                         "--include-dashboard=false", f"--temp-dir={logs / 'ray'}"],
                        env, logs / "head.log")]
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not tcp_reachable("127.0.0.1", port, timeout=0.2):
            if processes[0].poll() is not None or time.monotonic() > deadline:
                unavailable(f"the Ray head did not start: {(logs / 'head.log').read_text()}")
            time.sleep(0.2)
        processes.append(_start([f"--address={address}", "--num-cpus=2"], env,
                                logs / "node.log"))
        os.environ.update(auth)
        import ray

        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
        while len([node for node in ray.nodes() if node["Alive"]]) < 2:
            if processes[1].poll() is not None or time.monotonic() > deadline:
                unavailable(f"the second Ray node did not join: "
                            f"{(logs / 'node.log').read_text()}")
            time.sleep(0.2)
        yield address
    finally:
        if "ray" in sys.modules and sys.modules["ray"].is_initialized():
            sys.modules["ray"].shutdown()
        for process in reversed(processes):
            _stop(process)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
