"""The scale-out workers' status table: one row per (job, worker), upserted."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from streamlearn.store import Store
from streamlearn.testing import service_url


@pytest.fixture(params=["sqlite", "postgres"])
def store_and_job(request, tmp_path):
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path}/s.db")
        yield store, "job"
    else:
        store = Store(service_url("postgres"))
        job = f"test-{uuid.uuid4().hex}"
        yield store, job
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM worker_status WHERE job = :j"), {"j": job})
    store.close()


def status(worker: int, events: int, **extra):
    return {"worker": worker, "partitions": [str(worker), str(worker + 2)],
            "counters": {"events_in": events, "predicted": events - 1, "learnt": events - 2},
            "events_per_second": 1000.0 + worker, "lag_seconds": 0.5, **extra}


def test_each_worker_has_one_row_holding_its_latest_status(store_and_job):
    store, job = store_and_job
    store.write_worker_status(job, status(1, 500, consumer_lag=7, syncs=3,
                                          metrics={"Accuracy": 0.9}))
    store.write_worker_status(job, status(0, 100))
    store.write_worker_status(job, status(0, 250, consumer_lag=0, syncs=2))   # upserted
    store.write_worker_status(f"{job}-other", status(0, 1))
    rows = store.worker_statuses(job)
    assert [(r["worker"], r["events_in"], r["predicted"], r["learnt"]) for r in rows] == [
        (0, 250, 249, 248), (1, 500, 499, 498)]
    first, second = rows
    assert first["partitions"] == ["0", "2"] and first["consumer_lag"] == 0
    assert first["syncs"] == 2 and first["metrics"] == {}
    assert second["events_per_second"] == 1001.0 and second["lag_seconds"] == 0.5
    assert second["consumer_lag"] == 7 and second["metrics"] == {"Accuracy": 0.9}
    assert second["updated_at"] >= first["updated_at"] - 60
    store.delete_worker_statuses(job)
    assert store.worker_statuses(job) == []
    assert [r["events_in"] for r in store.worker_statuses(f"{job}-other")] == [1]
    store.delete_worker_statuses(f"{job}-other")
