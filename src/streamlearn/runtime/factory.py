"""Sources and sinks from the job file's ``{type: ..., ...}`` mappings.

Every key besides ``type`` is passed to the connector's constructor, so the job file uses
the same names as the Python API; the job's schema is handed to sources that decode events.
"""

from __future__ import annotations

import importlib
from typing import Any

from streamlearn.connectors.base import Sink, Source
from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Schema

SOURCES = {
    "csv": "streamlearn.connectors.files:CSVSource",
    "jsonl": "streamlearn.connectors.jsonl:JSONLinesSource",
    "parquet": "streamlearn.connectors.parquet:ParquetSource",
    "redis": "streamlearn.connectors.redis_streams:RedisStreamSource",
    "kafka": "streamlearn.connectors.kafka:KafkaSource",
    "mqtt": "streamlearn.connectors.mqtt:MQTTSource",
    "nats": "streamlearn.connectors.nats:NATSSource",
    "http": "streamlearn.connectors.http_ingest:HTTPIngestSource",
    "sql": "streamlearn.connectors.sql:SQLSource",
}

SINKS = {
    "jsonl": "streamlearn.connectors.jsonl:JSONLinesSink",
    "redis": "streamlearn.connectors.redis_streams:RedisStreamSink",
    "kafka": "streamlearn.connectors.kafka:KafkaSink",
    "mqtt": "streamlearn.connectors.mqtt:MQTTSink",
    "nats": "streamlearn.connectors.nats:NATSSink",
    "sql": "streamlearn.connectors.sql:SQLSink",
}


def _class(kinds: dict[str, str], kind: str, role: str) -> type:
    if kind not in kinds:
        raise ParameterError(f"unknown {role} type {kind!r}; known: {', '.join(sorted(kinds))}")
    module, name = kinds[kind].split(":")
    return getattr(importlib.import_module(module), name)


def make_source(config: dict[str, Any], schema: Schema) -> Source:
    options = {k: v for k, v in config.items() if k != "type"}
    cls = _class(SOURCES, config["type"], "source")
    try:
        if config["type"] == "csv":  # CSV reads the schema's roles as column names
            return cls(options.pop("path"), target=schema.target, id=schema.id,
                       time=schema.time, numeric=schema.numeric,
                       categorical=schema.categorical, optional=schema.optional, **options)
        return cls(schema=schema, **options)
    except TypeError as exc:
        raise ParameterError(f"bad options for a {config['type']} source: {exc}") from None


def make_sink(config: dict[str, Any], source_config: dict[str, Any]) -> Sink:
    options = {k: v for k, v in config.items() if k != "type"}
    # a sink of the same kind as the source talks to the same server unless told otherwise
    if config["type"] == source_config.get("type"):
        for shared in ("url", "bootstrap"):
            if shared in source_config:
                options.setdefault(shared, source_config[shared])
    cls = _class(SINKS, config["type"], "sink")
    try:
        return cls(**options)
    except TypeError as exc:
        raise ParameterError(f"bad options for a {config['type']} sink: {exc}") from None
