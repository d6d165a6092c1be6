"""Kafka topics as a source of events and a sink of predictions (confluent-kafka).

The source assigns itself the partitions it reads (all of the topic's, or those named) and
keeps its own offsets: ``position()`` is ``{partition: next offset}``, ``seek`` goes back
there after a restart, and ``commit`` stores those offsets for the consumer group, only
once the checkpoint that holds them is written (auto-commit is off). A fresh source starts
at the group's committed offsets, else at the earliest offset. Partitions are not shared
out by group rebalancing: to spread a topic over workers, give each worker its partitions.

>>> from streamlearn.testing.kafka import TansuBroker
>>> with TansuBroker() as bootstrap:
...     produce(bootstrap, "clicks", [{"x": 1.5, "y": 1}, b"not json"])
...     with KafkaSource(bootstrap, "clicks", Schema(target="y"),
...                      stop_when_empty=True) as source:
...         decoded = source.read(100, timeout_ms=500)
...         print(decoded.batch.ids.tolist(), source.position())
...         print(decoded.dead_letters[0].reason)
2
['clicks:0:0'] {'0': 2}
event 1 (clicks:0:1) is not valid JSON: invalid literal, expected 'null'
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.decode import DEFAULT_MAX_EVENT_BYTES, decode_payloads
from streamlearn.core.classes import plain
from streamlearn.core.errors import ParameterError, StreamlearnError, require
from streamlearn.core.schema import DeadLetter, Decoded, Schema

METADATA_TIMEOUT_S = 10.0
# Settings every client needs to reach the cluster (the admin client ignores the others).
_CONNECTION_PREFIXES = ("bootstrap.", "security.", "sasl.", "ssl.", "client.id", "socket.")


def _kafka() -> Any:
    return require("confluent_kafka", "kafka")


def _connection(bootstrap: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"bootstrap.servers": bootstrap,
            **{k: v for k, v in (config or {}).items() if k.startswith(_CONNECTION_PREFIXES)}}


def topic_partitions(client: Any, topic: str, bootstrap: str) -> list[int]:
    """The partitions of ``topic``, or an error if it does not exist. All topics are listed:
    asking for one by name makes brokers with auto-creation (Tansu) create it."""
    topics = client.list_topics(timeout=METADATA_TIMEOUT_S).topics
    if topic not in topics:
        known = ", ".join(sorted(topics)[:20]) or "none"
        raise StreamlearnError(f"topic {topic!r} does not exist at {bootstrap} (topics there: "
                               f"{known}); create it with create_topic() or a KafkaSink")
    return sorted(topics[topic].partitions)


def create_topic(bootstrap: str, topic: str, partitions: int = 1,
                 config: Mapping[str, Any] | None = None) -> bool:
    """Create ``topic`` with ``partitions`` partitions unless it exists; True if created."""
    ck, admin_module = _kafka(), require("confluent_kafka.admin", "kafka")
    admin = admin_module.AdminClient(_connection(bootstrap, config))
    if topic in admin.list_topics(timeout=METADATA_TIMEOUT_S).topics:
        return False
    future = admin.create_topics([admin_module.NewTopic(topic, num_partitions=partitions)])[topic]
    try:
        future.result(METADATA_TIMEOUT_S)
    except ck.KafkaException as exc:
        if exc.args[0].code() != ck.KafkaError.TOPIC_ALREADY_EXISTS:
            raise
        return False
    deadline = time.monotonic() + METADATA_TIMEOUT_S  # metadata reaches brokers later
    while topic not in admin.list_topics(timeout=METADATA_TIMEOUT_S).topics and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    return True


class KafkaSource(Source):
    """JSON events from the partitions of a Kafka topic, in micro-batches.

    ``read(max_events, timeout_ms)`` returns once ``max_events`` messages are in or
    ``timeout_ms`` has passed (so a micro-batch closes at ``max_batch`` or ``max_delay``).
    An event's id is its schema id field, else ``"topic:partition:offset"``, the same on
    every replay. Payloads that are not JSON objects, over ``max_event_bytes``, or fail the
    schema become dead letters whose reason names their ``topic:partition:offset``. With
    ``stop_when_empty`` the topic is read as a finite stream: ``read`` returns ``None`` once
    nothing arrived for ``idle_timeout_ms``. ``config`` adds confluent-kafka settings.
    """

    name = "kafka"

    def __init__(self, bootstrap: str, topic: str, schema: Schema | None = None, *,
                 group: str = "streamlearn", partitions: Sequence[int] | None = None,
                 config: Mapping[str, Any] | None = None,
                 max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
                 stop_when_empty: bool = False, idle_timeout_ms: int = 1000):
        if str((config or {}).get("enable.auto.commit", "false")).lower() == "true":
            raise ParameterError("KafkaSource commits offsets itself, after each checkpoint; "
                                 "remove 'enable.auto.commit' from its config.")
        if max_event_bytes < 1:
            raise ParameterError("The 'max_event_bytes' parameter of KafkaSource must be "
                                 f">= 1. Got {max_event_bytes} instead.")
        self.bootstrap = bootstrap
        self.topic = topic
        self.schema = schema or Schema()
        self.group = group
        self.requested_partitions = None if partitions is None else [int(p) for p in partitions]
        self.config = dict(config or {})
        self.max_event_bytes = max_event_bytes
        self.stop_when_empty = stop_when_empty
        self.idle_timeout_ms = idle_timeout_ms
        self._consumer: Any = None
        self._partition_ids: list[int] | None = None
        self._next_offsets: dict[int, int] = {}  # partition -> offset of the next event
        self._events_read = 0

    @property
    def partitions(self) -> list[str]:
        self.open()
        return [str(p) for p in self._partition_ids or ()]

    def open(self) -> None:
        if self._consumer is not None:
            return
        ck = _kafka()
        consumer = ck.Consumer({"auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                                **self.config, "bootstrap.servers": self.bootstrap,
                                "group.id": self.group, "enable.auto.commit": False})
        try:
            available = topic_partitions(consumer, self.topic, self.bootstrap)
            wanted = available if self.requested_partitions is None \
                else self.requested_partitions
            if unknown := sorted(set(wanted) - set(available)):
                raise ParameterError(f"topic {self.topic!r} has partitions {available}, not "
                                     f"{unknown}; fix the 'partitions' of KafkaSource")
            self._partition_ids = wanted
            self._next_offsets = {**self._start_offsets(consumer, wanted),
                                  **self._next_offsets}  # a seek before open wins
            self._consumer = consumer
            self._assign()
        except BaseException:
            self._consumer = None
            consumer.close()
            raise

    def _start_offsets(self, consumer: Any, partitions: list[int]) -> dict[int, int]:
        """The group's committed offsets, else the earliest ones (if that is the reset
        policy); a partition with neither starts where librdkafka's policy says."""
        ck = _kafka()
        committed = consumer.committed([ck.TopicPartition(self.topic, p) for p in partitions],
                                       timeout=METADATA_TIMEOUT_S)
        offsets = {tp.partition: tp.offset for tp in committed if tp.offset >= 0}
        if self.config.get("auto.offset.reset", "earliest") in ("earliest", "smallest"):
            for p in set(partitions) - set(offsets):
                low, _ = consumer.get_watermark_offsets(ck.TopicPartition(self.topic, p),
                                                        timeout=METADATA_TIMEOUT_S)
                offsets[p] = low
        return offsets

    def _assign(self) -> None:
        ck = _kafka()
        self._consumer.assign([
            ck.TopicPartition(self.topic, p, self._next_offsets.get(p, ck.OFFSET_STORED))
            for p in self._partition_ids or ()])

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        if max_events < 1:
            raise ParameterError(f"max_events must be >= 1. Got {max_events} instead.")
        self.open()
        wait_ms = max(timeout_ms, self.idle_timeout_ms) if self.stop_when_empty else timeout_ms
        messages = self._consumer.consume(num_messages=max_events, timeout=wait_ms / 1000)
        payloads, ids = [], []
        for message in messages:
            if error := message.error():
                if error.code() == _kafka().KafkaError._PARTITION_EOF:
                    continue
                raise StreamlearnError(f"Kafka reported an error while reading {self.topic!r} "
                                       f"partition {message.partition()}: {error.str()}")
            partition, offset = message.partition(), message.offset()
            payloads.append(message.value() or b"")  # a tombstone is no event: dead letter
            ids.append(f"{self.topic}:{partition}:{offset}")
            self._next_offsets[partition] = offset + 1
        if not payloads and self.stop_when_empty:
            return None
        first_index, self._events_read = self._events_read, self._events_read + len(payloads)
        decoded = decode_payloads(payloads, self.schema, ids, first_index=first_index,
                                  max_event_bytes=self.max_event_bytes)
        return _name_coordinates(decoded, ids, first_index)

    def position(self) -> dict[str, int]:
        """``{partition: offset of the next event}``, JSON-ready."""
        self.open()
        return {str(p): o for p, o in sorted(self._next_offsets.items())}

    def seek(self, position: Mapping[str | int, int]) -> None:
        """Continue right after ``position`` (from :meth:`position`); partitions it does not
        name keep their place."""
        offsets = _parse(position)
        known = self._partition_ids
        if known is not None and (unknown := sorted(set(offsets) - set(known))):
            raise ParameterError(f"position names partitions {unknown}, which this source "
                                 f"does not read ({known})")
        self._next_offsets.update(offsets)
        if self._consumer is not None:
            self._assign()  # also drops messages fetched ahead from the old offsets

    def commit(self, position: Mapping[str | int, int]) -> None:
        """Store ``position`` as the group's committed offsets, synchronously."""
        offsets = _parse(position)
        if not offsets:
            return
        self.open()
        tps = [_kafka().TopicPartition(self.topic, p, o) for p, o in sorted(offsets.items())]
        done = self._consumer.commit(offsets=tps, asynchronous=False)
        if failed := [tp for tp in done or () if tp.error is not None]:
            raise StreamlearnError(f"committing offsets of {self.topic!r} for group "
                                   f"{self.group!r} failed: {failed[0].error.str()}")

    def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()


def _parse(position: Mapping[str | int, int]) -> dict[int, int]:
    if not isinstance(position, Mapping):
        raise ParameterError("A Kafka position is a mapping {partition: next offset}, as "
                             f"position() returns. Got {position!r} instead.")
    offsets = {int(p): int(o) for p, o in position.items()}
    if any(o < 0 for o in offsets.values()):
        raise ParameterError(f"Kafka offsets are >= 0. Got {position!r} instead.")
    return offsets


def _name_coordinates(decoded: Decoded, ids: list[str], first_index: int) -> Decoded:
    """Add ``topic:partition:offset`` to each dead letter's reason, to find it in the log."""
    named = [DeadLetter(dead.index, dead.payload,
                        re.sub(rf"\bevent {dead.index}\b",
                               f"event {dead.index} ({ids[dead.index - first_index]})",
                               dead.reason, count=1))
             for dead in decoded.dead_letters]
    return Decoded(decoded.batch, named)


class KafkaSink(Sink):
    """Records (dicts) produced to ``topic`` as JSON, keyed by their ``key_field`` so that
    every version of a record goes to the same partition (sinks upsert by id).

    The topic is created with ``partitions`` partitions when missing. ``write`` hands records
    to the producer; ``flush`` waits until the broker has them all, and raises if any could
    not be delivered (within ``message.timeout.ms``, which ``config`` may set).
    """

    name = "kafka"

    def __init__(self, bootstrap: str, topic: str, config: Mapping[str, Any] | None = None,
                 key_field: str | None = "id", *, partitions: int = 1,
                 flush_timeout_s: float = 60.0):
        if partitions < 1:
            raise ParameterError("The 'partitions' parameter of KafkaSink must be >= 1. "
                                 f"Got {partitions} instead.")
        self.bootstrap = bootstrap
        self.topic = topic
        self.config = dict(config or {})
        self.key_field = key_field
        self.partitions = partitions
        self.flush_timeout_s = flush_timeout_s
        self._producer: Any = None
        self._failures: list[str] = []

    def open(self) -> None:
        if self._producer is None:
            create_topic(self.bootstrap, self.topic, self.partitions, self.config)
            self._producer = _kafka().Producer({**self.config,
                                                "bootstrap.servers": self.bootstrap})

    def write(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.open()
        dumps, options = orjson.dumps, orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
        for record in records:
            key = record.get(self.key_field) if self.key_field else None
            self._send(dumps(record, option=options), None if key is None else plain(key))
        self._producer.poll(0)  # serve delivery reports as we go

    def _send(self, value: bytes | str, key: Any = None) -> None:
        encoded_key = None if key is None else str(key).encode()
        while True:
            try:
                self._producer.produce(self.topic, value, encoded_key,
                                       on_delivery=self._on_delivery)
                return
            except BufferError:  # the local queue is full: wait for deliveries
                self._producer.poll(0.1)

    def _on_delivery(self, error: Any, message: Any) -> None:
        if error is not None:
            self._failures.append(f"{error.str()} (key {message.key()!r})")

    def flush(self) -> None:
        if self._producer is None:
            return
        remaining = self._producer.flush(self.flush_timeout_s)
        failures, self._failures = self._failures, []
        if remaining:
            raise StreamlearnError(f"{remaining} records are still not delivered to "
                                   f"{self.topic!r} after {self.flush_timeout_s} s; is the "
                                   f"broker at {self.bootstrap} up?")
        if failures:
            raise StreamlearnError(f"{len(failures)} records could not be delivered to "
                                   f"{self.topic!r} at {self.bootstrap} (is it up?): "
                                   f"{failures[0]}")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._producer = None  # confluent-kafka producers have no close()


def produce(bootstrap: str, topic: str, events: Iterable[Any], key: str | None = None, *,
            partitions: int = 1, config: Mapping[str, Any] | None = None) -> int:
    """Send ``events`` to ``topic`` and wait until they are delivered; returns how many.

    Dicts are sent as JSON, keyed by their field ``key`` when given; bytes and str are sent
    as they are (to feed a source malformed payloads, say). The topic is created with
    ``partitions`` partitions when missing.
    """
    count = 0
    with KafkaSink(bootstrap, topic, config, key_field=key, partitions=partitions) as sink:
        for event in events:
            if isinstance(event, bytes | str):
                sink._send(event)
            else:
                sink.write([event])
            count += 1
    return count
