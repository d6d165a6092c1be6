"""``streamlearn serve`` as a child process: started in a session of its own, waited for until
it answers ``/readyz``, stopped with one SIGINT (what Ctrl-C sends), as the applications'
demos and their end-to-end tests run it.

The session of its own matters: a Ctrl-C in a terminal reaches every process of the
foreground group, and a server that gets a second SIGINT from its parent quits without
shutting down cleanly. Here the parent alone gets the Ctrl-C and passes on exactly one.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

STOP_SECONDS = 60.0


class ServerProcess:
    """One ``streamlearn serve job_file`` on ``host:port``; a context manager that stops it."""

    def __init__(self, job_file: str | Path, port: int, host: str = "127.0.0.1",
                 cwd: str | Path | None = None, token: str | None = None,
                 extra_args: Sequence[str] = (), output: IO[Any] | None = None):
        self.command = [sys.executable, "-m", "streamlearn", "serve", str(job_file),
                        "--host", host, "--port", str(port), *extra_args]
        self.url = f"http://{host}:{port}"
        self.cwd = cwd
        self.env = dict(os.environ)
        self.env.pop("STREAMLEARN_TOKEN", None)
        if token:
            self.env["STREAMLEARN_TOKEN"] = token
        self.output = output
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env,
                                        stdout=self.output, stderr=subprocess.STDOUT
                                        if self.output is not None else None,
                                        start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 90.0) -> bool:
        """Whether the server answered ``/readyz`` within ``timeout`` seconds (False at once
        when it exits)."""
        import httpx

        deadline = time.monotonic() + timeout
        while self.running and time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1,
                             trust_env=False).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        return False

    def stop(self, timeout: float = STOP_SECONDS) -> int:
        """One SIGINT, then its exit status (killed, and the error raised, past ``timeout``)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise RuntimeError(f"the server did not stop within {timeout:g} s of "
                                   "Ctrl-C; it was killed") from None
        code = self.process.returncode
        return 0 if code == -signal.SIGINT else code

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def serve_until_stopped(job_file: str | Path, port: int, name: str,
                        on_ready: Callable[[str], None], seconds: float | None = None,
                        cwd: str | Path | None = None) -> int:
    """Serve ``job_file`` until Ctrl-C (or ``seconds`` after it is ready, or the server
    exits); ``on_ready(url)`` says where to look. Returns the exit status for ``sys.exit``."""
    server = ServerProcess(job_file, port, cwd=cwd).start()
    try:
        if not server.wait_ready():
            print("the server did not become ready; its output above says why",
                  file=sys.stderr)
            return server.stop() or 1
        on_ready(server.url)
        deadline = None if seconds is None else time.monotonic() + seconds
        while server.running and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        code = server.stop()
    print(f"{name} stopped; goodbye.")
    return code


def demo_arguments(description: str, default_events: int, events: str) -> argparse.Namespace:
    """The options every application's demo takes: ``--port``, ``--events`` (``events``
    says what they are), ``--seconds`` and ``--resume``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--events", type=int, default=default_events,
                        help=f"{events} to generate when the data is missing "
                             f"(default {default_events:,})")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop by itself this many seconds after the server is ready")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint instead of starting over")
    return parser.parse_args()
