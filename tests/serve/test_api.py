"""The HTTP API against a real server: the values a client sees, the errors it gets."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from streamlearn import metrics
from streamlearn.cli import app
from streamlearn.evaluate import prequential
from streamlearn.registry import parse_pipeline

WRITES = [("POST", "/v1/predict", {"events": [{"x0": 1.0, "x1": 2.0}]}),
          ("POST", "/v1/learn", {"events": [{"x0": 1.0, "x1": 2.0, "y": 1}]}),
          ("POST", "/v1/feedback", {"feedback": [{"id": "e1", "label": 1}]}),
          ("POST", "/v1/models/demo/versions", {"note": "n"}),
          ("POST", "/v1/models/demo/rollback", {"version": 1})]
READS = ["/v1/models", "/v1/models/demo/versions", "/v1/metrics", "/metrics", "/healthz",
         "/readyz", "/openapi.json"]


def labelled_events(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] - 0.5 * X[:, 1] > 0).astype(int)
    return [{"id": f"e{seed}-{i}", "x0": float(a), "x1": float(b), "y": int(label)}
            for i, ((a, b), label) in enumerate(zip(X, y))]


@pytest.fixture
def http(live_server):
    url, token = live_server
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=10) as client:
        yield client


def test_predict_then_feedback_is_scored_and_counted(http):
    answer = http.post("/v1/predict", json={"events": [
        {"id": "a", "x0": 1.0, "x1": 2.0}, {"id": "b", "x0": -1.0, "x1": 0.5},
        {"id": "c", "x0": 0.0, "x1": -3.0}]})
    assert answer.status_code == 200
    predictions = answer.json()["predictions"]
    assert [p["id"] for p in predictions] == ["a", "b", "c"]
    # the model has learnt nothing yet: every class is equally likely, the first one wins
    assert [p["proba"] for p in predictions] == [{"False": 0.5, "True": 0.5}] * 3
    assert [p["prediction"] for p in predictions] == [False] * 3

    answer = http.post("/v1/feedback", json={"feedback": [
        {"id": "a", "label": True}, {"id": "b", "label": False}, {"id": "c", "label": False},
        {"id": "never-predicted", "label": True}]})
    assert answer.json() == {"matched": 3, "unmatched": 1, "rejected": []}

    status = http.get("/v1/metrics").json()
    counters = status["counters"]
    assert (counters["events_in"], counters["predicted"], counters["labels_in"],
            counters["learnt"], counters["unmatched_labels"]) == (3, 3, 4, 3, 1)
    assert status["metrics"]["Accuracy"] == pytest.approx(2 / 3)
    assert status["rolling"]["Rolling Accuracy(1000)"] == pytest.approx(2 / 3)
    assert status["pending"] == 0


def test_learning_500_labelled_events_matches_prequential_evaluation(http):
    events = labelled_events(500)
    answer = http.post("/v1/learn", json={"events": events})
    assert answer.json() == {"learnt": 500, "rejected": []}

    X = np.array([[e["x0"], e["x1"]] for e in events])
    y = np.array([e["y"] for e in events])
    expected = prequential((X, y), parse_pipeline(["StandardScaler", "LogisticRegression"]),
                           [metrics.Accuracy(), metrics.ROCAUC()], batch_size=500)
    status = http.get("/v1/metrics").json()
    assert status["counters"]["events_in"] == 500
    assert status["counters"]["learnt"] == 500
    assert status["metrics"]["Accuracy"] == pytest.approx(expected.metrics["Accuracy"])
    assert status["metrics"]["ROCAUC"] == pytest.approx(expected.metrics["ROCAUC"])
    assert status["metrics"]["Accuracy"] > 0.9       # a separable stream is learnt
    assert status["history"]["events"][:3] == [50, 100, 150]   # history_every: 50


def test_bad_events_are_rejected_with_reasons_and_good_ones_predicted(http):
    answer = http.post("/v1/predict", json={"events": [
        {"id": "good-1", "x0": 1.0, "x1": 2.0}, {"id": "bad-1", "x0": "zz", "x1": 1.0},
        {"id": "bad-2", "x0": 1.0}, {"id": "good-2", "x0": 0.0, "x1": 0.0}]})
    assert answer.status_code == 200
    body = answer.json()
    assert [p["id"] for p in body["predictions"]] == ["good-1", "good-2"]
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert "'x0'" in body["rejected"][0]["reason"] and "'zz'" in body["rejected"][0]["reason"]
    assert "'x1' is missing" in body["rejected"][1]["reason"]

    answer = http.post("/v1/learn", json={"events": [
        {"x0": 1.0, "x1": 2.0, "y": 1}, {"x0": None, "x1": 2.0, "y": 0}]})
    assert answer.json()["learnt"] == 1
    assert [r["index"] for r in answer.json()["rejected"]] == [1]

    answer = http.post("/v1/feedback", json={"feedback": [{"id": "good-1"}]})
    assert answer.json()["matched"] == 0
    assert "'label'" in answer.json()["rejected"][0]["reason"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "t0ken"}])
def test_writes_need_the_token_and_reads_do_not(live_server, headers):
    url, _ = live_server
    with httpx.Client(base_url=url, headers=headers) as client:
        for method, path, body in WRITES:
            answer = client.request(method, path, json=body)
            assert answer.status_code == 401, path
            assert "Authorization: Bearer" in answer.json()["detail"]
            assert answer.headers["www-authenticate"] == "Bearer"
        for path in READS:
            assert client.get(path).status_code == 200, path
        assert client.get("/v1/metrics").json()["counters"]["events_in"] == 0


def test_rollback_serves_the_saved_model_again(http):
    probes = {"events": [{"x0": 0.3, "x1": -0.2}, {"x0": -1.5, "x1": 0.7}]}

    def probabilities():
        return [p["proba"] for p in http.post("/v1/predict", json=probes).json()["predictions"]]

    http.post("/v1/learn", json={"events": labelled_events(300, seed=1)})
    saved = http.post("/v1/models/demo/versions", json={"note": "after 300"})
    assert saved.json() == {"version": 1}
    at_save = probabilities()

    http.post("/v1/learn", json={"events": labelled_events(300, seed=2)})
    assert probabilities() != at_save

    versions = http.get("/v1/models/demo/versions").json()
    assert versions["live_version"] == 1
    assert [v["version"] for v in versions["versions"]] == [1]
    metadata = versions["versions"][0]["metadata"]
    assert metadata["note"] == "after 300" and metadata["events_seen"] == 300
    assert metadata["schema"]["target"] == "y"
    assert http.get("/v1/models/demo/versions/1").json() == versions["versions"][0]

    assert http.post("/v1/models/demo/rollback", json={"version": 1}).json() == {
        "live_version": 1}
    assert probabilities() == at_save
    assert http.post("/v1/predict", json=probes).json()["predictions"][0]["model_version"] == 1


def test_missing_models_and_versions_are_404_naming_the_field(http):
    answer = http.get("/v1/models/other/versions")
    assert answer.status_code == 404 and answer.json()["detail"].startswith("name:")
    answer = http.get("/v1/models/demo/versions/7")
    assert answer.status_code == 404 and answer.json()["detail"].startswith("version:")
    answer = http.post("/v1/models/demo/rollback", json={"version": 7})
    assert answer.status_code == 404 and "no version 7" in answer.json()["detail"]
    answer = http.post("/v1/predict", json={"events": []})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "events"]


def test_prometheus_text_parses_and_holds_the_counters(http):
    http.post("/v1/learn", json={"events": labelled_events(100)})
    text = http.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    events = families["streamlearn_events_in"]
    assert events.type == "counter"
    assert [(s.labels, s.value) for s in events.samples] == [({"model": "demo"}, 100.0)]
    assert families["streamlearn_learnt"].samples[0].value == 100.0
    accuracy = http.get("/v1/metrics").json()["metrics"]["Accuracy"]
    assert families["streamlearn_metric_accuracy"].samples[0].value == pytest.approx(accuracy)


def test_openapi_lists_every_endpoint(http):
    paths = http.get("/openapi.json").json()["paths"]
    listed = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert {(m, p) for m, p, _ in WRITES} - {("POST", "/v1/models/demo/versions"),
                                             ("POST", "/v1/models/demo/rollback")} <= listed
    assert {("GET", "/v1/models"), ("GET", "/v1/models/{name}/versions"),
            ("POST", "/v1/models/{name}/versions"), ("GET", "/v1/models/{name}/versions/{version}"),
            ("POST", "/v1/models/{name}/rollback"), ("GET", "/v1/metrics"), ("GET", "/metrics"),
            ("GET", "/healthz"), ("GET", "/readyz")} <= listed


def test_a_body_over_8_mb_is_refused_with_413(http):
    body = b'{"events": [' + b" " * (9 * 1024 * 1024) + b"]}"
    answer = http.post("/v1/predict", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert "body" in answer.json()["detail"]


def test_serve_refuses_a_public_address_without_a_token(job_file):
    result = CliRunner().invoke(app, ["serve", str(job_file), "--host", "0.0.0.0"],
                                env={"STREAMLEARN_TOKEN": None, "COLUMNS": "200"})
    assert result.exit_code == 2
    assert "refusing to bind 0.0.0.0 without a token" in result.output


def test_a_chunked_body_of_unknown_size_is_refused_with_411(http):
    def chunks():
        yield b'{"events": [{"x0": 1, "x1": 2}]}'

    answer = http.post("/v1/predict", content=chunks(),
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 411
    assert "Content-Length" in answer.json()["detail"]
