"""The live dashboard, in a real browser (Debian's Chromium) against a real uvicorn server."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the dashboard needs the 'serve' extra")
pytest.importorskip("uvicorn", reason="the dashboard needs the 'serve' extra")
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")

import uvicorn  # noqa: E402

from streamlearn.serve import ModelService, create_app  # noqa: E402
from streamlearn.serve import dashboard as dashboard_module  # noqa: E402
from streamlearn.testing import unavailable  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
TOKEN = "t0ken"
NAME = "fraud-live"


def job_yaml(tmp_path: Path) -> str:
    return f"""
name: {NAME}
source: {{type: http, port: 0}}
schema: {{id: id, target: y, numeric: [amount, age]}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy, ROCAUC]
history_every: 50
store: sqlite:///{tmp_path / "store.db"}
"""


def labelled_events(n: int, start: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    amount, age = rng.normal(size=n), rng.normal(size=n)
    label = (amount + 0.5 * age + 0.3 * rng.normal(size=n) > 0).astype(int)
    return [{"id": f"e{start + i}", "amount": float(amount[i]), "age": float(age[i]),
             "y": int(label[i])} for i in range(n)]


class ServerThread:
    """uvicorn on a free loopback port, in a thread; the app's lifespan runs the service."""

    def __init__(self, app):
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                ws="none", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        if self.thread.is_alive():
            raise RuntimeError("uvicorn did not stop")


@pytest.fixture
def server(tmp_path):
    service = ModelService.from_yaml(job_yaml(tmp_path), token=TOKEN)
    with ServerThread(create_app(service)) as url:
        yield url
    # the app's lifespan closed the service with the server
    assert not service.ready


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server, trust_env=False, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.fixture
def browser():
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def metric_points(page) -> int:
    """How many points the first rolling-metric trace has."""
    return page.evaluate("""() => {
        const chart = document.getElementById('metrics-chart');
        const trace = (chart.data || []).find(t => t.name.startsWith('Rolling'));
        return trace ? trace.x.length : -1;
    }""")


def test_the_dashboard_follows_the_stream_and_manages_versions(server, api, browser, tmp_path):
    assert api.post("/v1/learn", json={"events": labelled_events(100, 0, 1)}).json()[
        "learnt"] == 100
    plotly = api.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and "max-age=31536000" in plotly.headers["cache-control"]

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expect = sync_api.expect

    page.goto(server + "/")
    assert NAME in page.title()
    expect(page.locator("h1")).to_contain_text(NAME)
    # both charts drawn, the metrics one with lines through the 2 points recorded so far
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=10_000)
    expect(page.locator("#metrics-chart .scatterlayer .trace path.js-line").first).to_be_visible()
    page.wait_for_function("() => document.getElementById('metrics-chart').data")
    assert metric_points(page) == 2
    traces = page.evaluate("() => document.getElementById('metrics-chart').data"
                           ".map(t => [t.name, t.line.dash])")
    assert sorted(traces) == [["Accuracy", "dash"], ["ROCAUC", "dash"],
                              ["Rolling Accuracy(1000)", "solid"],
                              ["Rolling ROCAUC(1000)", "solid"]]
    expect(page.locator("#c-events-in")).to_have_text("100")
    expect(page.locator("#drift-events")).to_have_text("none yet")
    assert errors == []

    # the page follows the stream on its own: 300 more labels make 6 more history points
    assert api.post("/v1/learn", json={"events": labelled_events(300, 100, 2)}).json()[
        "learnt"] == 300
    page.wait_for_function("() => document.getElementById('metrics-chart').data"
                           ".find(t => t.name.startsWith('Rolling')).x.length === 8",
                           timeout=6_000)
    expect(page.locator("#c-learnt")).to_have_text("400")
    assert page.evaluate("() => document.getElementById('throughput-chart').data[0].x.length") > 0

    # writes from the page: without the token they fail visibly, with it they work
    page.click("#save-version")
    expect(page.locator("#status.error")).to_contain_text("401")
    page.fill("#token", TOKEN)
    page.fill("#note", "first")
    page.click("#save-version")
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    api.post("/v1/learn", json={"events": labelled_events(100, 400, 3)})
    page.click("#save-version")
    rows = page.locator("#versions tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#versions tr.live")).to_have_attribute("data-version", "2")
    expect(page.locator('#versions tr[data-version="1"]')).to_contain_text("first")
    expect(page.locator('#versions tr[data-version="2"]')).to_contain_text("500")

    page.locator('#versions tr[data-version="1"] button.rollback').click()
    expect(page.locator("#versions tr.live")).to_have_attribute("data-version", "1")
    expect(page.locator("#live-version")).to_have_text("1")
    assert api.get(f"/v1/models/{NAME}/versions").json()["live_version"] == 1

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    # the only error was the refused write, shown on the page as well
    assert [e for e in errors if "401" not in e] == [], errors
    page.close()


def test_without_plotly_the_page_says_how_to_get_the_charts(tmp_path, monkeypatch):
    monkeypatch.setattr(dashboard_module, "plotly_js", lambda: None)
    service = ModelService.from_yaml(job_yaml(tmp_path), token=TOKEN, stream=False)
    with ServerThread(create_app(service)) as url, httpx.Client(base_url=url,
                                                                 trust_env=False) as client:
        page = client.get("/")
        script = client.get("/static/plotly.min.js")
        own = client.get("/static/dashboard.js")
        missing = client.get("/static/secrets.txt")
    assert page.status_code == 200 and "pip install &#x27;streamlearn[serve]&#x27;" in page.text
    assert "plotly.min.js" not in page.text
    assert script.status_code == 404 and "streamlearn[serve]" in script.json()["detail"]
    assert own.status_code == 200 and own.headers["content-type"].startswith("text/javascript")
    assert missing.status_code == 404


def test_the_workers_table_shows_a_scaled_out_jobs_workers(server, browser, tmp_path):
    from streamlearn.store import Store

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    expect = sync_api.expect
    page.goto(server + "/")
    expect(page.locator("#c-events-in")).to_have_text("0")
    expect(page.locator("#workers-panel")).to_be_hidden()   # a single process: no table
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    for worker in (0, 1):
        store.write_worker_status(NAME, {
            "worker": worker, "partitions": [str(worker), str(worker + 2)],
            "counters": {"events_in": 12_000 + worker, "predicted": 11_000, "learnt": 10_000},
            "events_per_second": 2_500.4 + worker, "lag_seconds": 3.25, "consumer_lag": 40,
            "syncs": 6})
    store.close()
    expect(page.locator("#workers-panel")).to_be_visible(timeout=6_000)
    rows = page.locator("#workers tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td")).to_have_text(
        ["1", "1, 3", "2,501", "3.3 s", "40", "12,001", "11,000", "10,000", "6",
         re.compile(r"\d+\.\d s ago")])
    page.close()
