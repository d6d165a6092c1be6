"""A keyed job over a 4-partition Kafka topic (Tansu) on 2 Ray workers, one killed."""

from __future__ import annotations

import numpy as np
import pytest
from ray_streams import (
    KEYED_PIPELINE,
    card_events,
    cards_of_worker,
    kill_when_busy,
    pipeline_of,
    ray_job,
    single_process_pipeline,
    windowed_state,
)

from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.partitioning import partition_of, produce_kafka
from streamlearn.runtime.ray_executor import RayExecutor
from streamlearn.store import Store
from streamlearn.testing.kafka import TansuBroker, TansuUnavailable
from streamlearn.testing.services import unavailable

pytest.importorskip("confluent_kafka", reason="the 'kafka' extra is not installed")
EVENTS = 8_000
PARTITIONS = 4


@pytest.fixture
def bootstrap():
    broker = TansuBroker()
    try:
        address = broker.start()
    except TansuUnavailable as exc:
        unavailable(str(exc))
    yield address
    broker.stop()


def test_a_killed_worker_resumes_from_its_committed_offsets(ray_cluster, bootstrap, tmp_path):
    import ray

    events = card_events(EVENTS, seed=2)
    counts = produce_kafka(bootstrap, "cards", events, "card", PARTITIONS)
    expected = np.bincount([partition_of(e["card"], PARTITIONS) for e in events])
    assert [counts[p] for p in range(PARTITIONS)] == expected.tolist()
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    source = {"type": "kafka", "bootstrap": bootstrap, "topic": "cards", "group": "jobs",
              "stop_when_empty": True, "idle_timeout_ms": 2000}
    executor = RayExecutor(JobConfig.model_validate(
        ray_job("kafka-kill", source, store_url, ray_cluster)))
    executor.start(resume=False)
    executor.launch()
    before_kill = kill_when_busy(ray, executor, 1, events=1000)
    summary = executor.collect()

    assert before_kill["counters"]["events_in"] < EVENTS / 2
    results = {r["worker"]: r for r in executor.results}
    assert results[1]["restored"] and not results[0]["restored"]
    assert results[0]["partitions"] == ["0", "2"] and results[1]["partitions"] == ["1", "3"]
    assert summary.counters["events_in"] == EVENTS and summary.counters["learnt"] == EVENTS

    store = Store(store_url)
    assert store.prediction_ids("kafka-kill") == {e["tx"] for e in events}
    assert [v["version"] for v in store.model_versions("kafka-kill")] == [1]
    store.close()
    alone = single_process_pipeline(events, KEYED_PIPELINE)
    cards = sorted({e["card"] for e in events})
    for result in results.values():
        mine = cards_of_worker(cards, PARTITIONS, result["partitions"])
        distributed = windowed_state(pipeline_of(result), mine, events[-1]["ts"])
        single = windowed_state(alone, mine, events[-1]["ts"])
        np.testing.assert_array_equal(distributed[:, 0], single[:, 0])
        np.testing.assert_allclose(distributed[:, 1], single[:, 1], rtol=1e-12)
