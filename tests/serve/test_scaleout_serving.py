"""Serving a scaled-out job: the workers' status rows in /v1/metrics, and a server that
follows the registry as the cluster publishes new versions."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest

from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.schema import Schema
from streamlearn.registry import parse_pipeline
from streamlearn.serve import ModelService
from streamlearn.serve.artifacts import pack
from streamlearn.store import Store

pytest.importorskip("fastapi", reason="serving needs the 'serve' extra")
SCHEMA = {"id": "id", "target": "y", "numeric": ["x0", "x1"]}
PIPELINE = ["StandardScaler", "LogisticRegression"]


def job_yaml(tmp_path) -> str:
    return f"""
name: demo
source: {{type: http, port: 0}}
schema: {{id: id, target: y, numeric: [x0, x1]}}
pipeline: [StandardScaler, LogisticRegression]
store: sqlite:///{tmp_path / "store.db"}
"""


def wait_for(read, condition, timeout_s: float = 10.0):
    """``read()`` once ``condition`` holds of it (polled; fails after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if condition(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout_s} s")
        time.sleep(0.05)


def test_workers_written_to_the_store_appear_in_v1_metrics(tmp_path, serve_service):
    service = ModelService.from_yaml(job_yaml(tmp_path), stream=False)
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with serve_service(service) as url, httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/v1/metrics").json()["workers"] == []   # a single process
        for worker, events in ((1, 900), (0, 1200)):
            store.write_worker_status("demo", {
                "worker": worker, "partitions": [str(worker), str(worker + 2)],
                "counters": {"events_in": events, "predicted": events, "learnt": events - 10},
                "events_per_second": 400.0 * (worker + 1), "lag_seconds": 1.5,
                "consumer_lag": 30 * worker, "syncs": 4, "metrics": {"Accuracy": 0.9}})
        store.write_worker_status("another-job", {"worker": 0, "counters": {}})
        workers = wait_for(lambda: http.get("/v1/metrics").json()["workers"],
                           lambda rows: len(rows) == 2)
    store.close()
    assert [(w["worker"], w["events_in"], w["learnt"], w["events_per_second"],
             w["consumer_lag"], w["partitions"]) for w in workers] == [
        (0, 1200, 1190, 400.0, 0, ["0", "2"]), (1, 900, 890, 800.0, 30, ["1", "3"])]
    assert all(w["lag_seconds"] == 1.5 and w["syncs"] == 4 for w in workers)


def trained(flip: bool) -> tuple[object, object]:
    """A logistic model of x0 > x1, or of its opposite."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 2))
    y = (x[:, 0] > x[:, 1]) ^ flip
    events = [{"id": str(i), "x0": a, "x1": b, "y": int(t)}
              for i, ((a, b), t) in enumerate(zip(x.tolist(), y))]
    batch = decode_payloads(events, Schema(**SCHEMA), ids=[e["id"] for e in events]).batch
    model = parse_pipeline(PIPELINE)
    model.learn_many(batch, batch.y)
    return model, batch


def publish(store: Store, model) -> int:
    metadata = {"schema": SCHEMA, "metric_names": ["Accuracy"], "note": "from the cluster"}
    return store.save_model_version("cluster", metadata, pack(PIPELINE, model))


def test_a_server_following_the_registry_serves_each_newer_version(tmp_path, serve_service):
    store_url = f"sqlite:///{tmp_path / 'registry.db'}"
    store = Store(store_url)
    first, _ = trained(flip=False)
    second, _ = trained(flip=True)
    assert publish(store, first) == 1
    service = ModelService.from_registry("cluster", store_url, follow_seconds=0.2)
    event = {"id": "q", "x0": 2.0, "x1": -2.0}
    with serve_service(service) as url, httpx.Client(base_url=url, timeout=10) as http:
        def predicted():
            return http.post("/v1/predict", json={"events": [event]}).json()["predictions"][0]

        answer = predicted()
        assert (answer["model_version"], answer["prediction"]) == (1, 1)
        assert publish(store, second) == 2          # the cluster publishes a newer model
        wait_for(lambda: http.get("/v1/models").json()["models"][0]["live_version"],
                 lambda live: live == 2)
        answer = predicted()
        assert (answer["model_version"], answer["prediction"]) == (2, 0)
        # a rollback by hand holds until a newer version appears
        assert http.post("/v1/models/cluster/rollback", json={"version": 1}).json() == {
            "live_version": 1}
        time.sleep(0.5)
        assert predicted()["model_version"] == 1
        assert publish(store, second) == 3
        assert wait_for(predicted, lambda a: a["model_version"] == 3)["prediction"] == 0
    store.close()
