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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from streamlearn.serve.launch import ServerProcess
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
    """``streamlearn serve job_file`` on a free port until the block ends; yields the url.
    The server must start, and must exit cleanly (status 0) on Ctrl-C."""
    workdir = cwd or job_file.parent
    log = workdir / "serve.log"
    with open(log, "wb") as output:
        server = ServerProcess(job_file, free_port(), cwd=workdir, token=token,
                               extra_args=extra_args, output=output).start()
    try:
        if not server.wait_ready(START_SECONDS):
            raise RuntimeError("streamlearn serve did not become ready:\n"
                               + log.read_text()[-4000:])
        yield server.url
    finally:
        code = server.stop()
    if code != 0:
        raise RuntimeError(f"streamlearn serve exited with {code} on Ctrl-C:\n"
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
