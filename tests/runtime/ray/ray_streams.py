"""What the Ray tests share: a keyed card stream, its single-process keyed state, and a
job configuration run by the Ray executor."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.batch import Batch
from streamlearn.core.schema import Schema
from streamlearn.registry import parse_pipeline
from streamlearn.runtime.partitioning import partition_of

SCHEMA = {"id": "tx", "time": "ts", "key": "card", "target": "y",
          "numeric": ["amount", "x0", "x1"]}
# A 7-day window holds the whole stream (about 33 hours): a worker reading several partitions
# interleaves them, and WindowedAggregates takes an event older than the latest time it has
# learnt (from another partition) to happen at that latest time; over a window that holds
# everything, per-key count and sum do not depend on that order (docs/scaling.md).
KEYED_PIPELINE = [{"WindowedAggregates": {"on": "amount", "how": ["count", "sum"],
                                          "windows": ["7d"]}},
                  "StandardScaler", "LogisticRegression"]
START = 1_700_000_000.0


def card_events(count: int, cards: int = 200, seed: int = 0) -> list[dict[str, Any]]:
    """Card transactions in time order, 10 s apart, labelled by a linear concept."""
    rng = np.random.default_rng(seed)
    x = rng.random((count, 2))
    card = rng.integers(cards, size=count)
    amount = rng.gamma(2.0, 20.0, size=count).round(2)
    return [{"tx": f"t{i}", "ts": START + 10.0 * i, "card": f"c{card[i]}",
             "amount": float(amount[i]), "x0": float(x[i, 0]), "x1": float(x[i, 1]),
             "y": int(x[i, 0] + x[i, 1] > 1.0)} for i in range(count)]


def single_process_pipeline(events: list[dict[str, Any]], spec: Any) -> Any:
    """The pipeline after learning every event in order in one process (prequentially)."""
    model = parse_pipeline(spec)
    decoded = decode_payloads(events, Schema(**SCHEMA), ids=[e["tx"] for e in events])
    model.process_many(decoded.batch, decoded.batch, np.ones(len(events), dtype=bool))
    return model


def windowed_state(pipeline: Any, cards: list[str], at: float) -> np.ndarray:
    """count and sum of amount in each card's window at time ``at`` (keyed step 0)."""
    query = Batch(X=np.zeros((len(cards), 1)), columns=("amount",),
                  keys=np.array(cards, dtype=object), times=np.full(len(cards), at))
    return pipeline[0].transform_many(query).X[:, 1:]


def cards_of_worker(cards: list[str], partitions: int, owned: list[str]) -> list[str]:
    return [c for c in cards if str(partition_of(c, partitions)) in owned]


def ray_job(name: str, source: dict[str, Any], store: str, address: str,
            workers: int = 2, pipeline: Any = None, **overrides: Any) -> dict[str, Any]:
    return {"name": name, "source": source, "schema": SCHEMA,
            "pipeline": KEYED_PIPELINE if pipeline is None else pipeline,
            "batch": {"max_events": 250, "max_delay_ms": 20},
            "checkpoint": {"every_events": 1000, "every_seconds": 1.0}, "store": store,
            "executor": {"type": "ray", "address": address, "workers": workers,
                         "max_restarts": 2, "cpus_per_worker": 1,
                         "averaging": {"every_events": 2000, "every_seconds": 2.0}},
            **overrides}


def kill_when_busy(ray: Any, executor: Any, worker: int, events: int,
                   timeout_s: float = 60.0) -> dict[str, Any]:
    """Kill a worker (Ray restarts it) once it has read ``events`` events and written a
    checkpoint (so the restart has something to restore); its status then."""
    deadline = time.monotonic() + timeout_s
    actor = executor.actors[worker]
    while time.monotonic() < deadline:
        status = ray.get(actor.status.remote())
        counters = status["counters"]
        if counters["events_in"] >= events and counters["checkpoints"] >= 1:
            ray.kill(actor, no_restart=False)
            return status
        time.sleep(0.01)
    raise AssertionError(f"worker {worker} did not reach {events} events in {timeout_s} s")


def pipeline_of(result: dict[str, Any]) -> Any:
    """A worker's final pipeline, from what its run returned."""
    model = parse_pipeline(result["spec"])
    model.restore(result["snapshot"])
    return model
