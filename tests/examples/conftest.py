"""The flagship applications end to end: the real ``streamlearn serve`` command (its own
process, the learner in a process of its own, as users run it) and Debian's Chromium.

``serve(job_file, token=...)`` starts the server on a free loopback port and yields its url;
the server is stopped with Ctrl-C (SIGINT), as a user stops it, and must exit cleanly.
``screenshot(page, app)`` saves the page under the test's tmp dir and, with
``STREAMLEARN_UPDATE_SCREENSHOTS=1``, as ``examples/<app>/dashboard.png`` (how the pictures
in the examples' READMEs were taken).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from streamlearn.testing import unavailable
from tests.examples.apps import EXAMPLES, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
START_SECONDS = 90.0


@contextmanager
def serving(job_file: Path, token: str | None = None, cwd: Path | None = None,
            extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """``streamlearn serve job_file`` on a free port until the block ends; yields the url."""
    port = free_port()
    command = [sys.executable, "-m", "streamlearn", "serve", str(job_file),
               "--port", str(port), *extra_args]
    env = dict(os.environ)
    env.pop("STREAMLEARN_TOKEN", None)
    if token:
        env["STREAMLEARN_TOKEN"] = token
    log = (cwd or job_file.parent) / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=cwd or job_file.parent, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlearn serve exited ({process.returncode}):\n"
                                   + log.read_text()[-4000:])
            try:
                if httpx.get(f"{url}/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlearn serve did not become ready:\n"
                                   + log.read_text()[-4000:])
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise RuntimeError("streamlearn serve did not stop on Ctrl-C") from None
    if process.returncode != 0:
        raise RuntimeError(f"streamlearn serve exited with {process.returncode} on Ctrl-C:\n"
                           + log.read_text()[-4000:])


@pytest.fixture
def serve():
    """``serve(job_file, token=None, cwd=None)``: a context manager yielding the url."""
    return serving


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screenshot(tmp_path: Path):
    """``screenshot(page, app)``: the page as a PNG (path returned)."""
    def take(page, app: str) -> Path:
        shot = tmp_path / f"{app}-dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("STREAMLEARN_UPDATE_SCREENSHOTS") == "1":
            (EXAMPLES / app / "dashboard.png").write_bytes(shot.read_bytes())
        return shot
    return take
