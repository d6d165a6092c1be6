"""`Store`: runs, predictions, labels, metric history, dead letters, checkpoints and model
versions, in SQLite (the embedded default, in WAL mode) or PostgreSQL, via SQLAlchemy Core.

Writes are idempotent: every row has a deterministic key and is upserted, so a job that
replays events after a crash rewrites the same rows instead of adding new ones.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.engine import Connection, Engine

from streamlearn.store import schema as tables

DEFAULT_URL = "sqlite:///streamlearn-data/streamlearn.db"

_SQLITE_JSON_UPSERT = """
INSERT INTO predictions (run_id, event_id, prediction, score, event_time, created_at)
SELECT ?1, value ->> '$[0]', value -> '$[1]', value ->> '$[2]', value ->> '$[3]', ?2
FROM json_each(?3) WHERE true
ON CONFLICT (run_id, event_id) DO UPDATE SET prediction = excluded.prediction,
    score = excluded.score, event_time = excluded.event_time, created_at = excluded.created_at
"""


class Store:
    """The run's database.

    >>> store = Store("sqlite://")          # in memory
    >>> store.start_run("demo", {"pipeline": ["StandardScaler"]})
    >>> store.write_predictions("demo", [{"id": "e1", "prediction": True, "score": 0.9}])
    >>> store.write_predictions("demo", [{"id": "e1", "prediction": False, "score": 0.2}])
    >>> store.prediction_count("demo"), store.predictions("demo")[0]["prediction"]
    (1, False)
    """

    def __init__(self, url: str = DEFAULT_URL):
        self.url = url
        self.engine = _engine(url)
        self.migrate()

    # ------------------------------------------------------------------ schema
    def migrate(self) -> int:
        """Apply the migrations this database lacks; returns its schema version."""
        with self.engine.begin() as connection:
            tables.schema_version.create(connection, checkfirst=True)
            current = connection.execute(select(func.max(tables.schema_version.c.version))
                                         ).scalar() or 0
            for version in range(current + 1, tables.SCHEMA_VERSION + 1):
                tables.MIGRATIONS[version](connection)
                connection.execute(insert(tables.schema_version).values(
                    version=version, applied_at=time.time()))
        return tables.SCHEMA_VERSION

    # ------------------------------------------------------------------ writes
    def start_run(self, run_id: str, config: dict[str, Any]) -> None:
        self._upsert(tables.runs, [{"run_id": run_id, "started_at": time.time(),
                                    "config": orjson.dumps(config).decode(),
                                    "status": "running"}], ["run_id"])

    def set_status(self, run_id: str, status: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(tables.runs.update().where(tables.runs.c.run_id == run_id)
                               .values(status=status))

    def write_predictions(self, run_id: str, records: Sequence[dict[str, Any]]) -> None:
        """Upsert prediction records (``id``, ``prediction``, optional ``score``, ``time``)."""
        self.write_prediction_columns(
            run_id, [r["id"] for r in records], [r.get("prediction") for r in records],
            [r.get("score") for r in records], [r.get("time") for r in records])

    def write_prediction_columns(self, run_id: str, ids: Sequence[Any],
                                 predictions: Sequence[Any], scores: Sequence[Any] | None = None,
                                 times: Sequence[Any] | None = None) -> None:
        """Upsert predictions given as columns (the runner's fast path)."""
        n = len(ids)
        if not n:
            return
        ids = [str(i) for i in ids]
        predictions = predictions.tolist() if isinstance(predictions, np.ndarray) else predictions
        scores = [None] * n if scores is None else scores
        times = [None] * n if times is None else times
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 38):
                # one statement per batch: SQLite reads the rows out of one JSON document,
                # in C and without holding Python's GIL, so learning goes on meanwhile
                payload = orjson.dumps(list(zip(ids, predictions, scores, times)),
                                       option=orjson.OPT_SERIALIZE_NUMPY)
                connection.exec_driver_sql(_SQLITE_JSON_UPSERT, (run_id, time.time(), payload))
            else:
                rows = list(zip(repeat(run_id, n), ids, _json_texts(predictions), scores, times,
                                repeat(time.time(), n)))
                connection.exec_driver_sql(self._prediction_upsert_sql(connection), rows)

    def _prediction_upsert_sql(self, connection: Connection) -> str:
        mark = "%s" if connection.dialect.paramstyle in ("format", "pyformat") else "?"
        return ("INSERT INTO predictions (run_id, event_id, prediction, score, event_time, "
                f"created_at) VALUES ({', '.join([mark] * 6)}) "
                "ON CONFLICT (run_id, event_id) DO UPDATE SET "
                "prediction = excluded.prediction, score = excluded.score, "
                "event_time = excluded.event_time, created_at = excluded.created_at")

    def write_labels(self, run_id: str, pairs: Iterable[tuple[Any, Any]]) -> None:
        now = time.time()
        rows = [{"run_id": run_id, "event_id": str(event_id),
                 "label": orjson.dumps(label).decode(), "arrived_at": now}
                for event_id, label in pairs]
        self._upsert(tables.labels, rows, ["run_id", "event_id"])

    def write_metric_history(self, run_id: str, rows: Iterable[tuple[int, str, float]]) -> None:
        self._upsert(tables.metric_history,
                     [{"run_id": run_id, "events": events, "name": name, "value": value}
                      for events, name, value in rows], ["run_id", "events", "name"])

    def write_dead_letters(self, run_id: str, source: str, dead_letters: Iterable[Any]) -> None:
        now = time.time()
        rows = [{"run_id": run_id, "source": source, "event_index": int(d.index),
                 "payload": _as_text(d.payload), "reason": d.reason, "created_at": now}
                for d in dead_letters]
        self._upsert(tables.dead_letters, rows, ["run_id", "source", "event_index"])

    def write_drift_events(self, run_id: str, events: Iterable[dict[str, Any]]) -> None:
        self._upsert(tables.drift_events,
                     [{"run_id": run_id, "label": e["label"], "detected_at": e["time"],
                       "detector": e["detector"], "direction": e["direction"],
                       "action": e["action"]} for e in events],
                     ["run_id", "label"])

    def drift_events(self, run_id: str) -> list[dict[str, Any]]:
        """The drift events of a run, in the order they were detected."""
        table = tables.drift_events
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).where(table.c.run_id == run_id)
                                      .order_by(table.c.label)).mappings().all()
        return [{"label": r["label"], "time": r["detected_at"], "detector": r["detector"],
                 "direction": r["direction"], "action": r["action"]} for r in rows]

    def save_checkpoint(self, run_id: str, events: int, state: bytes) -> None:
        self._upsert(tables.checkpoints, [{"run_id": run_id, "created_at": time.time(),
                                           "events": events, "state": state}], ["run_id"])

    def delete_checkpoint(self, run_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(tables.checkpoints.delete().where(
                tables.checkpoints.c.run_id == run_id))

    # ------------------------------------------------------------------ model registry
    def save_model_version(self, name: str, metadata: dict[str, Any], artifact: bytes) -> int:
        """Store a new version of model ``name``; returns its number (1, 2, ...)."""
        table = tables.model_versions
        with self.engine.begin() as connection:
            latest = connection.execute(select(func.max(table.c.version)).where(
                table.c.name == name)).scalar() or 0
            connection.execute(insert(table).values(
                name=name, version=latest + 1, created_at=time.time(),
                metadata=orjson.dumps(metadata, option=orjson.OPT_SERIALIZE_NUMPY).decode(),
                artifact=artifact))
        return latest + 1

    def model_versions(self, name: str) -> list[dict[str, Any]]:
        table = tables.model_versions
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.version, table.c.created_at, table.c.metadata)
                .where(table.c.name == name).order_by(table.c.version)).mappings().all()
        return [{"version": r["version"], "created_at": r["created_at"],
                 "metadata": orjson.loads(r["metadata"])} for r in rows]

    def model_names(self) -> list[str]:
        table = tables.model_versions
        with self.engine.connect() as connection:
            return list(connection.execute(select(table.c.name).distinct()
                                           .order_by(table.c.name)).scalars())

    def load_model_version(self, name: str, version: int | None = None
                           ) -> tuple[int, dict[str, Any], bytes]:
        """(version, metadata, artifact) of a version, the latest when ``version`` is None."""
        table = tables.model_versions
        query = select(table).where(table.c.name == name)
        query = (query.where(table.c.version == version) if version is not None
                 else query.order_by(table.c.version.desc()).limit(1))
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            raise LookupError(f"model {name!r} has no version {version}" if version is not None
                              else f"no model named {name!r} in the registry")
        return row["version"], orjson.loads(row["metadata"]), row["artifact"]

    def latest_version(self, name: str) -> int | None:
        """The number of the latest version of model ``name`` (None when it has none)."""
        table = tables.model_versions
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(table.c.version)).where(
                table.c.name == name)).scalar()

    # ------------------------------------------------------------------ scale-out workers
    def write_worker_status(self, job: str, status: dict[str, Any]) -> None:
        """Upsert one worker's status by (job, worker): ``worker``, ``counters`` (events_in,
        predicted, learnt), ``events_per_second``, ``lag_seconds``, and optionally
        ``partitions``, ``consumer_lag``, ``syncs``, ``metrics``."""
        counters = status.get("counters", {})
        self._upsert(tables.worker_status, [{
            "job": job, "worker": int(status["worker"]),
            "partitions": orjson.dumps(status.get("partitions")).decode(),
            "events_in": int(counters.get("events_in", 0)),
            "predicted": int(counters.get("predicted", 0)),
            "learnt": int(counters.get("learnt", 0)),
            "events_per_second": status.get("events_per_second"),
            "lag_seconds": status.get("lag_seconds"),
            "consumer_lag": status.get("consumer_lag"),
            "syncs": int(status.get("syncs", 0)),
            "metrics": orjson.dumps(status.get("metrics") or {},
                                    option=orjson.OPT_SERIALIZE_NUMPY).decode(),
            "updated_at": time.time()}], ["job", "worker"])

    def worker_statuses(self, job: str) -> list[dict[str, Any]]:
        """The latest status of each worker of ``job``, by worker number."""
        table = tables.worker_status
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).where(table.c.job == job)
                                      .order_by(table.c.worker)).mappings().all()
        return [{**row, "partitions": orjson.loads(row["partitions"] or "null"),
                 "metrics": orjson.loads(row["metrics"] or "{}")} for row in rows]

    def delete_worker_statuses(self, job: str) -> None:
        """Forget the workers of ``job`` (a new run: its worker count may differ)."""
        with self.engine.begin() as connection:
            connection.execute(tables.worker_status.delete().where(
                tables.worker_status.c.job == job))

    def spill(self, run_id: str) -> SpillTable:
        """Where a run's waiting predictions go when they outgrow memory."""
        return SpillTable(self, run_id)

    # ------------------------------------------------------------------ reads
    def load_checkpoint(self, run_id: str) -> bytes | None:
        with self.engine.connect() as connection:
            return connection.execute(select(tables.checkpoints.c.state).where(
                tables.checkpoints.c.run_id == run_id)).scalar()

    def prediction_count(self, run_id: str) -> int:
        return self._count(tables.predictions, run_id)

    def dead_letter_count(self, run_id: str) -> int:
        return self._count(tables.dead_letters, run_id)

    def predictions(self, run_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        query = (select(tables.predictions).where(tables.predictions.c.run_id == run_id)
                 .order_by(tables.predictions.c.created_at).limit(limit))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [{**row, "prediction": orjson.loads(row["prediction"])} for row in rows]

    def prediction_ids(self, run_id: str) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.execute(select(tables.predictions.c.event_id).where(
                tables.predictions.c.run_id == run_id)).scalars())

    def dead_letter_rows(self, run_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(
                select(tables.dead_letters).where(tables.dead_letters.c.run_id == run_id)
                .order_by(tables.dead_letters.c.event_index)).mappings()]

    def metric_history(self, run_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(
                select(tables.metric_history).where(tables.metric_history.c.run_id == run_id)
                .order_by(tables.metric_history.c.events)).mappings()]

    def run_status(self, run_id: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(select(tables.runs.c.status).where(
                tables.runs.c.run_id == run_id)).scalar()

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ helpers
    def _count(self, table: Any, run_id: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table).where(
                table.c.run_id == run_id)).scalar() or 0

    def _upsert(self, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        if not rows:
            return
        with self.engine.begin() as connection:
            upsert(connection, table, rows, keys)


class SpillTable:
    """The ``pending_spill`` rows of one run (see ``runtime.pending``)."""

    def __init__(self, store: Store, run_id: str):
        self.store = store
        self.run_id = run_id

    def save(self, chunk: int, blob: bytes) -> None:
        self.store._upsert(tables.pending_spill,
                           [{"run_id": self.run_id, "chunk": chunk, "state": blob}],
                           ["run_id", "chunk"])

    def load(self, chunk: int) -> bytes:
        table = tables.pending_spill
        with self.store.engine.connect() as connection:
            blob = connection.execute(select(table.c.state).where(
                (table.c.run_id == self.run_id) & (table.c.chunk == chunk))).scalar()
        if blob is None:
            raise LookupError(f"spilled chunk {chunk} of run {self.run_id!r} is not in the store")
        return blob

    def delete(self, chunks: list[int]) -> None:
        table = tables.pending_spill
        with self.store.engine.begin() as connection:
            connection.execute(table.delete().where(
                (table.c.run_id == self.run_id) & table.c.chunk.in_(chunks)))


def upsert(connection: Connection, table: Any, rows: list[dict[str, Any]],
           keys: list[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, in SQLite's and PostgreSQL's dialects."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(table)
    others = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=others), rows)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
    return engine


def _json_texts(values: Sequence[Any]) -> list[str]:
    dumps = orjson.dumps
    return [dumps(v).decode() for v in values]


def _as_text(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    try:
        return orjson.dumps(payload).decode()
    except TypeError:
        return repr(payload)
