"""The medical app end to end: the real ``streamlearn serve`` on shortened versions of its two
jobs (same pipelines), driven over HTTP; its dashboard in Chromium; ``demo.py``.

Stated figures (README "Tested figures"): diagnosis (400 records streamed, 169 predicted over
HTTP then labelled by feedback): whole-stream ROC AUC >= 0.97, recall >= 0.95 at the
recall-first threshold (target 0.98), ECE <= 0.10; early warning (40 patients, 4 days): all
episodes seen, >= 85% detected at P >= 0.6 with a median latency under 2 hours from onset,
<= 0.15 false alerts per patient-day, ROC AUC >= 0.85.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import orjson
import pytest
import yaml

from streamlearn.datasets import VitalSigns
from streamlearn.metrics import AlertLatency
from tests.examples.apps import example_module, free_port

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "medical"
_produce = example_module("medical", "produce")
diagnosis_rows, write_diagnosis = _produce.diagnosis_rows, _produce.write_diagnosis

STREAMED = 400
ALERT_THRESHOLD = 0.6




def _short_job(name: str, tmp_path: Path, source: dict, **changes) -> Path:
    config = yaml.safe_load((APP / name).read_text())
    config["source"] = source
    config["store"] = f"sqlite:///{tmp_path / 'store.db'}"
    config.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return path


def _wait_consumed(http: httpx.Client, events: int, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = http.get("/v1/metrics").json()
        if status.get("counters", {}).get("events_in", 0) >= events:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"the stream was not consumed: {status.get('counters')}")
        time.sleep(0.2)


def _vitals(tmp_path: Path) -> tuple[Path, object]:
    data = VitalSigns(n_patients=40, days=4, seed=11).generate()
    path = tmp_path / "vitals.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in data.to_records()))
    return path, data


def test_diagnosis_is_accurate_calibrated_recall_first_and_explained(tmp_path, serve):
    _, rows = diagnosis_rows(seed=42)
    csv_path = write_diagnosis(tmp_path, seed=42, limit=STREAMED)
    job = _short_job("diagnosis.yaml", tmp_path, {"type": "csv", "path": str(csv_path)})
    later = rows[STREAMED:]
    with serve(job, cwd=tmp_path) as url, httpx.Client(base_url=url, timeout=30,
                                                        trust_env=False) as http:
        _wait_consumed(http, STREAMED)
        unlabelled = [{k: v for k, v in row.items() if k != "malignant"} for row in later]
        answer = http.post("/v1/predict", json={"events": unlabelled})
        assert answer.status_code == 200 and len(answer.json()["predictions"]) == len(later)
        feedback = [{"id": row["id"], "label": row["malignant"]} for row in later]
        assert http.post("/v1/feedback", json={"feedback": feedback}).json()["matched"] == len(
            later)
        why = http.post("/v1/explain", json={"events": unlabelled[:20]}).json()["explanations"]
        status = http.get("/v1/metrics").json()
    metrics = status["metrics"]
    assert status["counters"]["events_in"] == len(rows)
    assert metrics["ROCAUC"] >= 0.97
    assert metrics["RecallFirstRecall(0.98)"] >= 0.95
    assert metrics["RecallFirstPrecision(0.98)"] >= 0.6
    assert metrics["ECE"] <= 0.10 and metrics["BrierScore"] <= 0.06
    for explanation in why:
        total = sum(c["contribution"] for c in explanation["contributions"])
        assert math.isclose(total + explanation["intercept"], explanation["score"],
                            abs_tol=1e-9)
        assert len(explanation["contributions"]) == 30
    # the most malignant-looking of those cases is driven by the size and shape features
    top = max(why, key=lambda e: e["proba"])
    assert top["proba"] > 0.9
    assert top["contributions"][0]["feature"].startswith(("worst_", "mean_", "radius",
                                                          "area", "perimeter"))


def test_early_warning_detects_deterioration_early_and_its_dashboard_draws(
        tmp_path, serve, browser, screenshot):
    """One server for both (each start costs seconds): the e2e figures, then the browser."""
    from playwright.sync_api import expect

    path, data = _vitals(tmp_path)
    predictions = tmp_path / "predictions.jsonl"
    job = _short_job("job.yaml", tmp_path, {"type": "jsonl", "path": str(path)},
                     sink={"type": "jsonl", "path": str(predictions)})
    reading = {"id": "probe", "patient": "p0003", "time": float(data.time[-1]),
               "heart_rate": 125.0, "systolic_bp": 88.0, "diastolic_bp": 55.0, "spo2": 91.0,
               "temperature": 38.9, "respiration": 28.0}
    with serve(job, cwd=tmp_path) as url, httpx.Client(base_url=url, timeout=30,
                                                        trust_env=False) as http:
        status = _wait_consumed(http, len(data))
        why = http.post("/v1/explain", json={"events": [reading]}).json()["explanations"][0]
        predicted = http.post("/v1/predict", json={"events": [reading]}).json()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=15_000)
        expect(page.locator("#metrics-chart .scatterlayer .trace path.js-line").first
               ).to_be_visible(timeout=20_000)
        # every reading of the stream, plus the one predicted over HTTP
        expect(page.locator("#c-events-in")).to_have_text(f"{len(data) + 1:,}",
                                                          timeout=10_000)
        screenshot(page, "medical")
    assert errors == []
    assert status["metrics"]["ROCAUC"] >= 0.85
    assert why["proba"] == pytest.approx(predicted["predictions"][0]["proba"]["1"], abs=1e-9)
    contributions = {c["feature"]: c["contribution"] for c in why["contributions"]}
    assert "heart_rate_mean_1h" in contributions and len(contributions) == 18
    # the stream's own predictions, joined to the episodes' known onsets
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = predictions.read_bytes().splitlines() if predictions.exists() else []
        if len(lines) >= len(data):
            break
        time.sleep(0.2)
    score = {}
    for line in lines:
        record = orjson.loads(line)
        score[record["id"]] = record["score"]
    ids = [f"r{i}" for i in range(len(data))]
    scores = np.array([score[i] for i in ids])
    alerts = AlertLatency().update_many(data.patient, data.time, scores >= ALERT_THRESHOLD,
                                        data.onset)
    assert alerts.episodes == len(data.episodes)
    assert alerts.detection_rate >= 0.85
    assert alerts.median_latency_hours < 2.0
    assert alerts.false_alerts_per_patient_day <= 0.15


def test_demo_serves_and_stops_by_itself(tmp_path):
    port = free_port()
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(APP / "demo.py"), "--seconds", "5",
                             "--port", str(port)], cwd=ROOT, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"http://127.0.0.1:{port}/docs" in result.stdout
    assert "/v1/explain" in result.stdout
    assert result.stdout.strip().endswith("goodbye.")
    assert time.monotonic() - started < 170
