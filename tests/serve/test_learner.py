"""The learner owns the model; the server answers from the copies it publishes."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest
import yaml

from streamlearn.core.errors import StreamlearnError
from streamlearn.datasets import RotatingHyperplane
from streamlearn.registry import parse_pipeline
from streamlearn.serve import ModelService

TOKEN = "t0ken"   # the live_server's
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def job_yaml(tmp_path) -> str:
    return yaml.safe_dump({
        "name": "demo", "source": {"type": "http", "port": 0},
        "schema": {"id": "id", "target": "y", "numeric": ["x0", "x1"]},
        "pipeline": ["StandardScaler", "LogisticRegression"], "metrics": ["Accuracy"],
        "store": f"sqlite:///{tmp_path / 'store.db'}"})


def _separable(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [{"x0": float(a), "x1": float(b), "y": int(a - 0.5 * b > 0)} for a, b in X]


def test_a_prediction_after_learn_returns_uses_what_was_learnt(live_server):
    url, _ = live_server
    event = {"x0": 2.0, "x1": -1.0}
    before = httpx.post(f"{url}/v1/predict", json={"events": [event]}, headers=AUTH).json()
    assert before["predictions"][0]["proba"] == {"False": 0.5, "True": 0.5}  # knows nothing
    assert httpx.post(f"{url}/v1/learn", json={"events": _separable(300)},
                      headers=AUTH).json()["learnt"] == 300
    # no waiting: the reply to /v1/learn comes after the learnt copy is published
    after = httpx.post(f"{url}/v1/predict", json={"events": [event]}, headers=AUTH).json()
    local = parse_pipeline(["StandardScaler", "LogisticRegression"])
    for labelled in _separable(300):
        local.learn_one({"x0": labelled["x0"], "x1": labelled["x1"]}, labelled["y"])
    expected = local.predict_proba_one(event)
    assert after["predictions"][0]["prediction"] == 1
    assert after["predictions"][0]["proba"]["1"] == pytest.approx(expected[1], abs=1e-12)


def test_feedback_right_after_prediction_finds_it(live_server):
    """Predictions reach the learner in batches; feedback waits for those before it."""
    url, _ = live_server
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as http:
        ids = []
        for k in range(30):
            answer = http.post("/v1/predict", json={"events": [{"x0": k / 10, "x1": 0.0}]})
            ids.append(answer.json()["predictions"][0]["id"])
        matched = http.post("/v1/feedback", json={"feedback": [
            {"id": event_id, "label": 1} for event_id in ids]}).json()
    assert matched == {"matched": 30, "unmatched": 0, "rejected": []}


def test_the_stream_learns_in_the_learner_process_while_the_api_answers(tmp_path,
                                                                        serve_service):
    data = tmp_path / "stream.csv"
    RotatingHyperplane(seed=3).take(20_000).to_csv(data)
    job = yaml.safe_dump({
        "name": "streamed", "source": {"type": "csv", "path": str(data)},
        "schema": {"target": "y", "numeric": [f"x{j}" for j in range(10)]},
        "pipeline": ["StandardScaler", "LogisticRegression"], "metrics": ["Accuracy"],
        "store": f"sqlite:///{tmp_path / 'store.db'}"})
    service = ModelService.from_yaml(job, token=TOKEN, learner="process")
    with serve_service(service) as url:
        deadline = time.monotonic() + 60
        while (status := httpx.get(f"{url}/v1/metrics").json())["stream"]["state"] != "ended":
            assert time.monotonic() < deadline, status["stream"]
            time.sleep(0.05)
        assert status["counters"]["learnt"] == 20_000
        assert status["metrics"]["Accuracy"] > 0.85
        first_start = status["counters"]["started_at"]
        answer = httpx.post(f"{url}/v1/predict", headers=AUTH,
                            json={"events": [{f"x{j}": 0.5 for j in range(10)}]}).json()
        assert sorted(answer["predictions"][0]["proba"]) == ["0", "1"]
    # closing checkpointed: a new server goes on from there and reads nothing again
    again = ModelService.from_yaml(job, token=TOKEN, learner="process")
    with serve_service(again) as url:
        deadline = time.monotonic() + 60
        while (status := httpx.get(f"{url}/v1/metrics").json())["stream"]["state"] != "ended":
            assert time.monotonic() < deadline, status["stream"]
            time.sleep(0.05)
    # the counters come from the checkpoint (a fresh run would have its own start time and
    # would read the 20,000 events again)
    assert status["counters"]["started_at"] == first_start
    assert status["counters"]["learnt"] == 20_000


def test_a_job_that_cannot_be_built_says_why(tmp_path):
    job = yaml.safe_load(job_yaml(tmp_path))
    job["source"] = {"type": "csv", "path": str(tmp_path / "missing.csv")}
    with pytest.raises(StreamlearnError, match=r"the learner did not start: .*missing\.csv"):
        ModelService.from_yaml(yaml.safe_dump(job), learner="process")


def test_a_failing_stream_is_reported_and_the_api_goes_on(tmp_path, serve_service):
    data = tmp_path / "stream.csv"
    data.write_text("x0,x1,y\n1.0,2.0,1\n")
    job = yaml.safe_load(job_yaml(tmp_path))
    job["source"] = {"type": "csv", "path": str(data)}
    service = ModelService.from_yaml(yaml.safe_dump(job), token=TOKEN)
    data.unlink()   # gone before the stream opens it
    with serve_service(service) as url:
        deadline = time.monotonic() + 30
        while (status := httpx.get(f"{url}/v1/metrics").json())["stream"]["state"] != "failed":
            assert time.monotonic() < deadline, status["stream"]
            time.sleep(0.05)
        assert "stream.csv" in status["stream"]["error"]
        answer = httpx.post(f"{url}/v1/learn", headers=AUTH, json={"events": _separable(10)})
        assert answer.json()["learnt"] == 10


def test_the_learner_kind_is_checked(tmp_path):
    with pytest.raises(ValueError, match="'thread' or 'process'"):
        ModelService.from_yaml(job_yaml(tmp_path), learner="fork")


def test_a_clusterer_learns_every_event_and_its_cluster_sizes_are_served(tmp_path,
                                                                         serve_service):
    job = yaml.safe_dump({
        "name": "segments", "source": {"type": "http", "port": 0},
        "schema": {"numeric": ["x0", "x1"]},
        "pipeline": [{"StreamingKMeans": {"n_clusters": 3, "seed": 1}}],
        "store": f"sqlite:///{tmp_path / 'store.db'}"})
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]])
    points = centres[np.arange(1500) % 3] + 0.2 * rng.normal(size=(1500, 2))
    events = [{"x0": float(a), "x1": float(b)} for a, b in points]
    service = ModelService.from_yaml(job, token=TOKEN)
    with serve_service(service) as url, httpx.Client(base_url=url, headers=AUTH) as http:
        # no labels: an unsupervised model learns every event, nothing waits for feedback
        assert http.post("/v1/learn", json={"events": events}).json()["learnt"] == 1500
        answer = http.post("/v1/predict", json={"events": events[:3]}).json()
        clusters = [p["prediction"] for p in answer["predictions"]]
        assert len(set(clusters)) == 3 and answer["predictions"][0]["proba"] is None
        status = http.get("/v1/metrics").json()
    assert status["pending"] == 0
    assert sorted(status["cluster_sizes"]) == [500, 500, 500]
    assert status["cluster_history"][-1]["sizes"] == status["cluster_sizes"]
