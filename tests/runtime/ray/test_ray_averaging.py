"""Parameter averaging: 2 workers over 2 file shards of a drifting stream learn a linear
model as good as one process learning the whole stream."""

from __future__ import annotations

import numpy as np
import orjson
from ray_streams import ray_job

from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.schema import Schema
from streamlearn.registry import parse_pipeline
from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.partitioning import partition_of
from streamlearn.runtime.ray_executor import RayExecutor
from streamlearn.store import Store

FEATURES = [f"x{j}" for j in range(5)]
SCHEMA = {"id": "tx", "key": "user", "target": "y", "numeric": FEATURES}
PIPELINE = ["StandardScaler", "LogisticRegression"]
EVENTS = 20_000


def drifting_events(count: int, seed: int, after_drift: bool = False) -> list[dict]:
    """A hyperplane concept that turns abruptly halfway, with 5% label noise."""
    rng = np.random.default_rng(seed)
    before, after = np.array([1.0, 1.0, -1.0, 0.5, 0.0]), np.array([-1.0, 0.5, 1.0, 0.0, 1.0])
    x = rng.normal(size=(count, len(FEATURES)))
    drifted = np.ones(count, bool) if after_drift else np.arange(count) >= count // 2
    y = np.where(drifted, x @ after > 0, x @ before > 0) ^ (rng.random(count) < 0.05)
    return [{"tx": f"e{i}", "user": f"u{rng.integers(500)}", **dict(zip(FEATURES, x[i].tolist())),
             "y": int(y[i])} for i in range(count)]


def _batch(events):
    return decode_payloads(events, Schema(**SCHEMA), ids=[e["tx"] for e in events]).batch


def test_averaged_model_is_within_a_point_of_the_single_process_one(ray_cluster, tmp_path):
    events = drifting_events(EVENTS, seed=3)
    for shard in range(2):   # a shard per key partition, each in stream order
        lines = [orjson.dumps(e) for e in events if partition_of(e["user"], 2) == shard]
        (tmp_path / f"events-{shard}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    # replayed at 4,000 events/s per shard, as a live stream arrives: workers keep pace
    job = ray_job("averaging", {"type": "jsonl", "path": str(tmp_path / "events-*.jsonl"),
                                "rate": 4000},
                  store_url, ray_cluster, pipeline=PIPELINE, schema=SCHEMA)
    job["executor"]["averaging"] = {"every_events": 1000, "every_seconds": 1.0}
    # worker 0 publishes the merged model while running (the run takes 1-3 s here)
    job["executor"].update(publish_every_seconds=0.4, status_every_seconds=0.3)
    executor = RayExecutor(JobConfig.model_validate(job))
    summary = executor.run(resume=False)
    assert summary.counters["learnt"] == EVENTS
    assert all(r["syncs"] >= 5 for r in executor.results)

    # one process, the whole stream in order: prequential accuracy and final model
    alone = parse_pipeline(PIPELINE)
    batch = _batch(events)
    answers = alone.process_many(batch, batch, np.ones(EVENTS, dtype=bool))
    single_accuracy = np.mean(alone.labels_from_proba(answers) == batch.y)
    # the workers' prequential accuracy, from the predictions they stored
    store = Store(store_url)
    predicted = {row["event_id"]: row["prediction"] for row in store.predictions("averaging")}
    # each worker's last status row: what serving's /v1/metrics and dashboard show
    workers = store.worker_statuses("averaging")
    assert [w["worker"] for w in workers] == [0, 1]
    assert sum(w["events_in"] for w in workers) == sum(w["learnt"] for w in workers) == EVENTS
    assert all(w["events_per_second"] > 0 and w["syncs"] >= 5 for w in workers)
    # versions published while running, each with the events seen so far, then the final
    # merged one
    versions = store.model_versions("averaging")
    store.close()
    running, final = versions[:-1], versions[-1]
    assert [v["version"] for v in running] == executor.results[0]["published"]
    assert len(running) >= 2 and final["metadata"]["note"] == "merged from 2 ray workers"
    seen = [v["metadata"]["events_seen"] for v in running]
    assert seen == sorted(seen) and 0 < seen[0] < seen[-1] <= EVENTS
    assert all("published while running" in v["metadata"]["note"] for v in running)
    labels = {e["tx"]: e["y"] for e in events}
    distributed_accuracy = np.mean([int(predicted[i]) == y for i, y in labels.items()])
    # each worker takes half the SGD steps, so it adapts to the drift more slowly: the
    # prequential accuracy trails by ~2.5 points (0.895 against 0.920 when simulated in
    # lockstep in one process)
    assert single_accuracy - 0.035 < distributed_accuracy < single_accuracy

    # the merged (published) model against the single-process one on the new concept
    _, merged = executor.merged_model(executor.results)
    holdout = _batch(drifting_events(5000, seed=4, after_drift=True))
    merged_accuracy = np.mean(merged.predict_many(holdout) == holdout.y)
    single_holdout = np.mean(alone.predict_many(holdout) == holdout.y)
    assert abs(merged_accuracy - single_holdout) < 0.01
    assert merged_accuracy > 0.85
