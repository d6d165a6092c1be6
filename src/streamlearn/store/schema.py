"""The store's tables (SQLAlchemy Core) and their versioned migrations."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 4

metadata = MetaData()

schema_version = Table(
    "streamlearn_schema", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Float, nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("started_at", Float, nullable=False),
    Column("config", Text, nullable=False),          # the job, as JSON
    Column("status", String(20), nullable=False),    # running | finished | stopped
)

predictions = Table(
    "predictions", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("prediction", Text),                      # JSON: a label or a number
    Column("score", Float),                          # P(positive class) for binary models
    Column("event_time", Float),
    Column("created_at", Float, nullable=False),
)

labels = Table(
    "labels", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("label", Text),                           # JSON
    Column("arrived_at", Float, nullable=False),
)

metric_history = Table(
    "metric_history", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("events", Integer, primary_key=True),     # labelled events scored so far
    Column("name", String(100), primary_key=True),
    Column("value", Float),
)

dead_letters = Table(
    "dead_letters", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("source", String(100), primary_key=True),
    Column("event_index", Integer, primary_key=True),  # the event's number in its source
    Column("payload", Text),
    Column("reason", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("events", Integer, nullable=False),
    Column("state", LargeBinary, nullable=False),    # streamlearn.core.serialize format
)

model_versions = Table(
    "model_versions", metadata,
    Column("name", String(200), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("metadata", Text, nullable=False),        # JSON: parameters, metrics, events seen
    Column("artifact", LargeBinary, nullable=False),  # streamlearn.core.serialize format
)

pending_spill = Table(
    "pending_spill", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("chunk", Integer, primary_key=True),
    Column("state", LargeBinary, nullable=False),    # streamlearn.core.serialize format
)

drift_events = Table(
    "drift_events", metadata,
    Column("run_id", String(200), primary_key=True),
    Column("label", Integer, primary_key=True),       # the label at which it was detected
    Column("detected_at", Float, nullable=False),
    Column("detector", String(100), nullable=False),
    Column("direction", String(10), nullable=False),  # worse | better
    Column("action", String(20), nullable=False),
)

worker_status = Table(
    "worker_status", metadata,
    Column("job", String(200), primary_key=True),
    Column("worker", Integer, primary_key=True),
    Column("partitions", Text),                       # JSON: the partitions it reads
    Column("events_in", Integer, nullable=False),
    Column("predicted", Integer, nullable=False),
    Column("learnt", Integer, nullable=False),
    Column("events_per_second", Float),
    Column("lag_seconds", Float),                     # now - the latest event time
    Column("consumer_lag", Integer),                  # entries not yet read, if known
    Column("syncs", Integer, nullable=False),         # parameter-averaging rounds
    Column("metrics", Text),                          # JSON: {name: value}
    Column("updated_at", Float, nullable=False),
)

# Migration k brings a store from version k - 1 to k (and never changes once released).
MIGRATIONS = {
    1: lambda connection: metadata.create_all(connection, tables=[
        runs, predictions, labels, metric_history, dead_letters, checkpoints, model_versions]),
    2: lambda connection: pending_spill.create(connection, checkfirst=True),
    3: lambda connection: drift_events.create(connection, checkfirst=True),
    4: lambda connection: worker_status.create(connection, checkfirst=True),
}
