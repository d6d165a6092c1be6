"""Keyed partitioning: which partition of a log an entity key lives on, and producers that
write each event to the partition of its key.

Keyed state (per-card windowed aggregates, per-user models) is exact on a cluster because
every key lives on exactly one partition, and every partition is read by exactly one worker:
that worker sees all the events of its keys, in log order, as a single process would.
The hash is BLAKE2b (RFC 7693) of the key's text, so it is the same in every process, on
every machine and across Python versions (Python's own ``hash()`` of a str is salted per
process and would scatter a key over partitions).

>>> partition_of("card-42", 4), partition_of(42, 4), partition_of("42", 4)
(0, 2, 2)
>>> partition_stream("transactions", 3)
'transactions:3'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from streamlearn.core.errors import ParameterError, require


def _check_partitions(owner: str, partitions: Any) -> int:
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ParameterError(f"The 'partitions' parameter of {owner} must be an int >= 1. "
                             f"Got {partitions!r} instead.")
    return partitions


def partition_of(key: Any, partitions: int) -> int:
    """The partition (``0 .. partitions - 1``) of an entity key: a stable hash of its text
    (``42`` and ``"42"`` share a partition, as they share a key in a JSON event)."""
    _check_partitions("partition_of", partitions)
    digest = hashlib.blake2b(str(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions


def partition_stream(stream: str, partition: int) -> str:
    """The Redis stream that holds one partition of a partitioned stream."""
    return f"{stream}:{partition}"


def _key_of(event: Mapping[str, Any], key_field: str, index: int) -> Any:
    if key_field not in event or event[key_field] is None:
        raise ParameterError(f"event {index} has no key field {key_field!r}; every event of a "
                             "partitioned stream needs its key, so that its state has one home")
    return event[key_field]


def produce_redis(url: str, stream: str, events: Iterable[Mapping[str, Any]], key_field: str,
                  partitions: int, *, field: str = "data") -> dict[int, list[str]]:
    """Append each event to ``<stream>:<partition_of(event[key_field])>`` and return the
    entry ids written to each partition (pipelined, in event order within a partition)."""
    from streamlearn.connectors.redis_streams import produce

    _check_partitions("produce_redis", partitions)
    by_partition: dict[int, list[Mapping[str, Any]]] = {p: [] for p in range(partitions)}
    for index, event in enumerate(events):
        by_partition[partition_of(_key_of(event, key_field, index), partitions)].append(event)
    return {p: produce(url, partition_stream(stream, p), chunk, field=field)
            for p, chunk in by_partition.items() if chunk}


def produce_kafka(bootstrap: str, topic: str, events: Iterable[Mapping[str, Any]],
                  key_field: str, partitions: int,
                  config: Mapping[str, Any] | None = None) -> dict[int, int]:
    """Send each event to partition ``partition_of(event[key_field])`` of ``topic`` (created
    with ``partitions`` partitions when missing), keyed by its key; wait for delivery and
    return how many went to each partition."""
    import orjson

    from streamlearn.connectors.kafka import create_topic, topic_partitions

    _check_partitions("produce_kafka", partitions)
    kafka = require("confluent_kafka", "kafka")
    create_topic(bootstrap, topic, partitions, config)
    producer = kafka.Producer({**dict(config or {}), "bootstrap.servers": bootstrap})
    available = topic_partitions(producer, topic, bootstrap)
    if len(available) != partitions:
        raise ParameterError(f"topic {topic!r} has {len(available)} partitions, not "
                             f"{partitions}; keys would land elsewhere than partition_of says")
    failures: list[str] = []

    def delivered(error: Any, _message: Any) -> None:
        if error is not None:
            failures.append(str(error))

    counts = dict.fromkeys(range(partitions), 0)
    for index, event in enumerate(events):
        key = _key_of(event, key_field, index)
        partition = partition_of(key, partitions)
        payload = orjson.dumps(dict(event), option=orjson.OPT_SERIALIZE_NUMPY)
        while True:
            try:
                producer.produce(topic, payload, str(key).encode(), partition=partition,
                                 on_delivery=delivered)
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        counts[partition] += 1
    if producer.flush(60.0) or failures:
        raise ConnectionError(f"not every event reached {topic!r} at {bootstrap}: "
                              f"{failures[:1] or 'delivery timed out'}")
    return counts
