"""Scaling curve of the Ray executor on this machine: 1 and 2 workers over a partitioned log.

A keyed job (per-card windowed aggregates, then ``StandardScaler | LogisticRegression``)
over 4 Redis stream partitions written with ``produce_redis``, every event carrying its
label; predictions and checkpoints to a SQLite store. Measured: events per second from the
moment the workers start reading to the moment the last one has checkpointed its end, for
the local runner in one process (all 4 partitions) and for Ray with 1 and 2 workers, best of
``REPEATS``. Ray runs in this process (``ray.init(num_cpus=2)``), with token authentication.
Run: ``.venv/bin/python benchmarks/scaling.py``; writes ``benchmarks/results/scaling.md``.
"""

from __future__ import annotations

import datetime
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
REDIS_URL = os.environ.get("STREAMLEARN_REDIS_URL", "redis://127.0.0.1:6379/15")
EVENTS = 200_000
PARTITIONS = 4
REPEATS = 2
SCHEMA = {"id": "tx", "time": "ts", "key": "card", "target": "y",
          "numeric": ["amount", "x0", "x1"]}
PIPELINE = [{"WindowedAggregates": {"on": "amount", "how": ["count", "sum"],
                                    "windows": ["1h"]}}, "StandardScaler",
            "LogisticRegression"]


def events(count: int) -> list[dict]:
    rng = np.random.default_rng(0)
    x = rng.random((count, 2))
    card = rng.integers(10_000, size=count)
    amount = rng.gamma(2.0, 20.0, size=count).round(2)
    return [{"tx": f"t{i}", "ts": 1.7e9 + i, "card": f"c{card[i]}", "amount": float(amount[i]),
             "x0": float(x[i, 0]), "x1": float(x[i, 1]), "y": int(x[i, 0] + x[i, 1] > 1)}
            for i in range(count)]


def job(name: str, stream: str, store: str, workers: int, executor: str) -> dict:
    return {"name": name, "schema": SCHEMA, "pipeline": PIPELINE, "store": store,
            "source": {"type": "redis", "url": REDIS_URL, "stream": stream,
                       "partitions": PARTITIONS, "group": name, "stop_when_empty": True},
            "batch": {"max_events": 2000, "max_delay_ms": 20},
            "checkpoint": {"every_events": 50_000, "every_seconds": 10.0},
            "executor": {"type": executor, "workers": workers, "cpus_per_worker": 1,
                         "averaging": {"every_events": 20_000, "every_seconds": 5.0}}}


def run_local(config: dict) -> float:
    from streamlearn.runtime import Job
    from streamlearn.runtime.config import JobConfig
    from streamlearn.runtime.ray_partitions import list_partitions, make_worker_source

    cfg = JobConfig.model_validate(config)
    built = Job(cfg)
    source = make_worker_source(cfg.source, built._schema(), list_partitions(cfg.source), 0)
    runner = built.build(source=source)
    started = time.perf_counter()
    runner.run()
    runner.close()
    assert runner.counters.events_in == EVENTS
    return EVENTS / (time.perf_counter() - started)


def run_ray(config: dict) -> float:
    from streamlearn.runtime.config import JobConfig
    from streamlearn.runtime.ray_executor import RayExecutor

    executor = RayExecutor(JobConfig.model_validate(config))
    executor.start(resume=False)
    executor.launch()
    summary = executor.collect()
    assert summary.counters["events_in"] == EVENTS, summary.counters
    return EVENTS / summary.seconds


def main() -> None:
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    import ray
    import redis

    from streamlearn.runtime.partitioning import partition_stream, produce_redis

    stream = f"scaling-{uuid.uuid4().hex[:8]}"
    produce_redis(REDIS_URL, stream, events(EVENTS), "card", PARTITIONS)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR",
             log_to_driver=False)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for label, workers, executor in (("local runner, 1 process", 1, "local"),
                                             ("ray, 1 worker", 1, "ray"),
                                             ("ray, 2 workers", 2, "ray")):
                rates = []
                for repeat in range(REPEATS):
                    name = f"scaling-{executor}-{workers}-{repeat}"
                    config = job(name, stream, f"sqlite:///{folder}/{name}.db", workers,
                                 executor)
                    rates.append(run_local(config) if executor == "local"
                                 else run_ray(config))
                rows.append((label, workers, max(rates)))
                print(f"{label}: {max(rates):,.0f} events/s", file=sys.stderr)
    finally:
        ray.shutdown()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(*[partition_stream(stream, p) for p in range(PARTITIONS)])
        client.close()
    base = rows[1][2]
    lines = [
        "# Scaling: the Ray executor on this machine", "",
        f"{datetime.date.today()}, `.venv/bin/python benchmarks/scaling.py`, "
        f"{os.cpu_count()} cores. {EVENTS:,} labelled card events over {PARTITIONS} Redis "
        "stream partitions; WindowedAggregates | StandardScaler | LogisticRegression; "
        f"batches of 2,000; SQLite store; best of {REPEATS}.", "",
        "| executor | workers | events/s | against 1 Ray worker |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {workers} | {rate:,.0f} | {rate / base:.2f}x |"
              for label, workers, rate in rows]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scaling.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
