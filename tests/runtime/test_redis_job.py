"""A job over Redis Streams: events in, predictions out, labels arriving later by id."""

import uuid

import numpy as np
import pytest

from streamlearn.connectors.redis_streams import produce
from streamlearn.datasets import SEA
from streamlearn.runtime import Job
from streamlearn.store import Store
from streamlearn.testing import service_url


@pytest.fixture
def redis_streams():
    redis = pytest.importorskip("redis")
    url = service_url("redis")
    names = {k: f"test-{k}-{uuid.uuid4().hex}" for k in ("tx", "labels", "predictions")}
    yield url, names
    client = redis.Redis.from_url(url)
    client.delete(*names.values())
    client.close()


def _events(n):
    data = SEA(seed=9).take(n)
    events = []
    for i, (x, y) in enumerate(data):
        event = {"tx_id": f"t{i}", "ts": 1_700_000_000 + i, **x}
        if i % 2 == 0:          # half the events carry their label, half get it later
            event["is_fraud"] = y
        events.append(event)
    return events, data.y


def test_predictions_flow_out_and_late_labels_are_joined_across_a_restart(
        tmp_path, redis_streams):
    url, names = redis_streams
    events, truth = _events(4000)
    produce(url, names["tx"], events)
    job_yaml = f"""
name: redis-job
source: {{type: redis, url: "{url}", stream: {names['tx']}, group: g1,
          stop_when_empty: true}}
labels: {{type: redis, url: "{url}", stream: {names['labels']}, group: g1,
          stop_when_empty: true}}
schema: {{id: tx_id, time: ts, target: is_fraud, numeric: [x0, x1, x2]}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
batch: {{max_events: 500, max_delay_ms: 10}}
sink: {{type: redis, stream: {names['predictions']}}}
store: sqlite:///{tmp_path}/store.db
"""
    first = Job.from_yaml(job_yaml).run()
    assert first.finished
    assert first.counters["predicted"] == 4000 and first.counters["learnt"] == 2000
    assert first.pending == 2000                    # unlabelled events wait for labels

    late = [{"id": f"t{i}", "label": bool(truth[i])} for i in range(1, 4000, 2)]
    late.append({"id": "never-seen", "label": True})
    produce(url, names["labels"], late)
    second = Job.from_yaml(job_yaml).run()          # resumes: pending restored from the store
    assert second.resumed
    assert second.counters["learnt"] == 4000
    assert second.counters["unmatched_labels"] == 1
    assert second.pending == 0
    assert second.counters["predicted"] == 4000      # nothing was predicted twice

    import redis

    client = redis.Redis.from_url(url)
    assert client.xlen(names["predictions"]) == 4000
    assert client.xpending(names["tx"], "g1")["pending"] == 0   # all acknowledged
    client.close()
    store = Store(f"sqlite:///{tmp_path}/store.db")
    assert store.prediction_count("redis-job") == 4000
    history = store.metric_history("redis-job")
    assert history and history[-1]["events"] == 4000
    accuracy = [row["value"] for row in history if row["name"] == "Accuracy"][-1]
    assert accuracy == pytest.approx(second.metrics["Accuracy"])
    assert 0.7 < accuracy < 0.95
    store.close()
    assert np.isclose(second.metrics["Accuracy"], accuracy)


def test_status_reports_counters_lag_and_metrics(tmp_path):
    from streamlearn.connectors import ArraySource
    from streamlearn.evaluate.scoring import Scorer
    from streamlearn.metrics import Accuracy
    from streamlearn.registry import parse_pipeline
    from streamlearn.runtime import Runner

    data = SEA(seed=1).take(3000)
    runner = Runner("status", parse_pipeline("StandardScaler | LogisticRegression"),
                    Scorer([Accuracy()], 500, 500), ArraySource(data.X, data.y),
                    Store(f"sqlite:///{tmp_path}/s.db"), max_events=1000)
    runner.run()
    status = runner.status()
    runner.store.close()
    assert status["counters"]["events_in"] == 3000 and status["counters"]["learnt"] == 3000
    assert status["pending"] == 0 and status["lag_seconds"] is None   # no event times
    assert status["metrics"]["Accuracy"] == runner.scorer.values()["Accuracy"]
    assert "Rolling Accuracy(500)" in status["rolling"]
    assert status["events_per_second"] > 0
