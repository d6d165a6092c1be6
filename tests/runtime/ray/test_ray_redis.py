"""A keyed job over 4 Redis stream partitions on 2 Ray workers, one killed mid-stream."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from ray_streams import (
    KEYED_PIPELINE,
    SCHEMA,
    card_events,
    cards_of_worker,
    kill_when_busy,
    pipeline_of,
    ray_job,
    single_process_pipeline,
    windowed_state,
)

from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.schema import Schema
from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.partitioning import partition_stream, produce_redis
from streamlearn.runtime.ray_executor import RayExecutor
from streamlearn.serve.artifacts import unpack
from streamlearn.store import Store
from streamlearn.testing.services import service_url

redis = pytest.importorskip("redis", reason="the 'redis' extra is not installed")
EVENTS = 12_000
PARTITIONS = 4


@pytest.fixture
def partitioned_stream():
    url = service_url("redis")
    stream = f"ray-test-{uuid.uuid4().hex[:8]}"
    yield url, stream
    client = redis.Redis.from_url(url)
    client.delete(*[partition_stream(stream, p) for p in range(PARTITIONS)])
    client.close()


def test_a_killed_worker_restores_and_loses_nothing(ray_cluster, partitioned_stream, tmp_path):
    import ray

    url, stream = partitioned_stream
    events = card_events(EVENTS)
    written = produce_redis(url, stream, events, "card", PARTITIONS)
    # the producer put every card on the partition partition_of names
    assert sum(len(ids) for ids in written.values()) == EVENTS
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    source = {"type": "redis", "url": url, "stream": stream, "partitions": PARTITIONS,
              "group": "jobs", "stop_when_empty": True}
    executor = RayExecutor(JobConfig.model_validate(
        ray_job("redis-kill", source, store_url, ray_cluster)))
    executor.start(resume=False)
    executor.launch()
    before_kill = kill_when_busy(ray, executor, 0, events=1500)
    summary = executor.collect()

    assert before_kill["counters"]["events_in"] < EVENTS / 2   # killed mid-stream
    results = {r["worker"]: r for r in executor.results}
    assert results[0]["restored"] and not results[1]["restored"]
    assert results[0]["partitions"] == ["0", "2"] and results[1]["partitions"] == ["1", "3"]
    # every event read once into the state (counters are part of each checkpoint)
    assert summary.counters["events_in"] == EVENTS and summary.counters["learnt"] == EVENTS
    assert summary.finished and summary.counters["dead_lettered"] == 0

    store = Store(store_url)
    assert store.prediction_ids("redis-kill") == {e["tx"] for e in events}
    # the keyed state of each worker equals the single-process state of its cards
    alone = single_process_pipeline(events, KEYED_PIPELINE)
    cards = sorted({e["card"] for e in events})
    end = events[-1]["ts"]
    for result in results.values():
        mine = cards_of_worker(cards, PARTITIONS, result["partitions"])
        worker_model = pipeline_of(result)
        assert len(mine) > 50
        distributed, single = (windowed_state(worker_model, mine, end),
                               windowed_state(alone, mine, end))
        np.testing.assert_array_equal(distributed[:, 0], single[:, 0])     # counts
        np.testing.assert_allclose(distributed[:, 1], single[:, 1], rtol=1e-12)  # sums
    # one registry version, from the merged model
    versions = store.model_versions("redis-kill")
    assert [v["version"] for v in versions] == [1]
    _, metadata, artifact = store.load_model_version("redis-kill")
    assert metadata["events_seen"] == EVENTS
    _, published = unpack(artifact)
    fresh = card_events(2000, seed=1)
    batch = decode_payloads(fresh, Schema(**SCHEMA), ids=[e["tx"] for e in fresh]).batch
    assert np.mean(published.predict_many(batch) == batch.y) > 0.9
    store.close()

