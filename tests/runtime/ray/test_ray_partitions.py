"""Partition planning and the merged source, without a cluster."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Schema
from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.partitioning import partition_of
from streamlearn.runtime.ray_executor import RayExecutor
from streamlearn.runtime.ray_partitions import (
    assigned,
    list_partitions,
    make_worker_source,
    worker_sources,
)


def test_keys_spread_evenly_and_stably_over_partitions():
    counts = [0] * 4
    for key in range(10_000):
        counts[partition_of(f"card-{key}", 4)] += 1
    assert all(2_300 < c < 2_700 for c in counts)
    assert partition_of("card-7", 4) == partition_of("card-7", 4)
    with pytest.raises(ParameterError, match="'partitions' parameter of partition_of must be"):
        partition_of("card-7", 0)


def test_file_shards_are_dealt_round_robin_and_read_as_one_source(tmp_path):
    for shard in range(3):
        rows = [{"id": f"{shard}-{i}", "x": float(i), "y": i % 2} for i in range(5)]
        (tmp_path / f"s{shard}.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n"
                                                            for r in rows))
    source = {"type": "jsonl", "path": str(tmp_path / "s*.jsonl")}
    shards = list_partitions(source)
    assert [p.rsplit("/", 1)[1] for p in assigned(shards, 0, 2)] == ["s0.jsonl", "s2.jsonl"]
    merged = make_worker_source(source, Schema(id="id", target="y"),
                                assigned(shards, 0, 2), 0)
    first = merged.read(4)
    position = merged.position()
    rest = []
    while (decoded := merged.read(4)) is not None:
        rest += decoded.batch.ids.tolist()
    assert sorted(first.batch.ids.tolist() + rest) == sorted(
        f"{s}-{i}" for s in (0, 2) for i in range(5))
    merged.seek(position)          # back to the checkpoint: the same events again
    again = []
    while (decoded := merged.read(4)) is not None:
        again += decoded.batch.ids.tolist()
    merged.close()
    # the same events, each shard in its own order (shards interleave by micro-batch)
    for shard in ("0-", "2-"):
        assert [i for i in again if i.startswith(shard)] == [
            i for i in rest if i.startswith(shard)]
    assert len(again) == len(rest) == 6


def test_bad_executor_settings_say_what_to_fix():
    base = {"name": "j", "source": {"type": "redis", "url": "redis://x", "stream": "s",
                                    "partitions": 0}, "pipeline": ["LogisticRegression"]}
    with pytest.raises(ValidationError, match="workers"):
        JobConfig.model_validate({**base, "executor": {"type": "ray", "workers": 0}})
    with pytest.raises(ParameterError, match="'partitions' of a redis source must be an int"):
        list_partitions(base["source"])
    with pytest.raises(ParameterError, match="does not join late labels"):
        RayExecutor(JobConfig.model_validate({**base, "labels": {"type": "redis", "url": "u",
                                                                 "stream": "l"}}))


def test_workers_of_a_shared_redis_stream_claim_a_dead_consumers_entries():
    shared = {"type": "redis", "url": "redis://x", "stream": "s", "consumer": "job"}
    configs = worker_sources(shared, None, 1)
    assert configs == {"shared": {**shared, "consumer": "job-w1", "claim_idle_ms": 30_000}}
    assert worker_sources({**shared, "claim_idle_ms": 90_000}, None, 0)["shared"][
        "claim_idle_ms"] == 90_000
    # a live worker's entries wait a checkpoint interval for their acknowledgement
    job = {"name": "j", "source": {**shared, "claim_idle_ms": 5_000},
           "pipeline": ["LogisticRegression"], "checkpoint": {"every_seconds": 10}}
    with pytest.raises(ParameterError, match="'claim_idle_ms' of a shared redis stream must "
                                             "exceed the checkpoint interval"):
        RayExecutor(JobConfig.model_validate(job))
