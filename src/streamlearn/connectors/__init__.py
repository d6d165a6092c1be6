"""Sources and sinks of events (see :mod:`streamlearn.connectors.base` for the protocol).

Connectors that need an optional package load on first use, so ``import streamlearn`` never
requires a broker client; a missing client fails with the extra to install.
"""

from __future__ import annotations

import importlib
from typing import Any

from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.files import CSVSource
from streamlearn.connectors.memory import ArraySource, FrameSource, IterableSource, as_source

_LAZY = {
    "RedisStreamSource": "redis_streams", "RedisStreamSink": "redis_streams",
    "KafkaSource": "kafka", "KafkaSink": "kafka",
    "JSONLinesSource": "jsonl", "JSONLinesSink": "jsonl",
    "ParquetSource": "parquet", "ParquetSink": "parquet",
    "SQLSource": "sql", "SQLSink": "sql",
    "HTTPIngestSource": "http_ingest",
    "MQTTSource": "mqtt", "MQTTSink": "mqtt",
    "NATSSource": "nats", "NATSSink": "nats",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"streamlearn.connectors.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'streamlearn.connectors' has no attribute {name!r}")


__all__ = ["ArraySource", "CSVSource", "FrameSource", "IterableSource", "Sink", "Source",
           "as_source", *_LAZY]
