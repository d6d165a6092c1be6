"""The Kafka source and sink against a real Kafka-protocol broker (Tansu, started here)."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pytest

from streamlearn.connectors.kafka import KafkaSink, KafkaSource, produce
from streamlearn.core import ParameterError, Schema, StreamlearnError
from streamlearn.testing.kafka import TansuBroker, TansuUnavailable
from streamlearn.testing.services import unavailable

pytest.importorskip("confluent_kafka", reason="the 'kafka' extra is not installed")
MALFORMED = [b'{"n": ', b"[1, 2]", b'"just text"', b'{"n": 5, "x": "oops", "y": 0}',
             b'{"n": 7, "x": 1.0, "y": 1, "pad": "' + b"z" * 5000 + b'"}']
SCHEMA = Schema(target="y", numeric=["n", "x"])


@pytest.fixture(scope="module")
def bootstrap():
    broker = TansuBroker()
    try:
        address = broker.start()
    except TansuUnavailable as exc:
        unavailable(str(exc))
    yield address
    broker.stop()


def _events(count: int, start: int = 0) -> list[dict]:
    return [{"n": i, "x": i / 10, "y": i % 2, "user": f"u{i % 7}"}
            for i in range(start, start + count)]


def _read_all(source, max_events: int = 500) -> tuple[list, list]:
    """(ids, n values) of every event left in a source read with stop_when_empty."""
    ids, numbers = [], []
    while (decoded := source.read(max_events, timeout_ms=200)) is not None:
        ids += decoded.batch.ids.tolist()
        numbers += decoded.batch.X[:, 0].astype(int).tolist()
    return ids, numbers


def _source(bootstrap, topic, **options):
    options.setdefault("stop_when_empty", True)
    # generous: under load a fetch after a seek can take a while, and an early empty
    # read would end the stream too soon
    options.setdefault("idle_timeout_ms", 2000)
    return KafkaSource(bootstrap, topic, SCHEMA, **options)


def test_round_trip_of_2000_events_with_dead_letters_and_replayable_ids(bootstrap):
    events = _events(2000)
    stream = events[:700] + MALFORMED + events[700:]
    assert produce(bootstrap, "round-trip", stream, key="user", partitions=3) == 2005

    with _source(bootstrap, "round-trip", max_event_bytes=4096) as source:
        assert source.partitions == ["0", "1", "2"]
        ids, numbers, dead = [], [], []
        while (decoded := source.read(256, timeout_ms=500)) is not None:
            assert len(decoded.batch) + len(decoded.dead_letters) <= 256
            ids += decoded.batch.ids.tolist()
            numbers += decoded.batch.X[:, 0].astype(int).tolist()
            dead += decoded.dead_letters
        position = source.position()

    assert sorted(numbers) == list(range(2000))
    assert sum(position.values()) == 2005
    assert len(set(ids)) == 2000 and all(re.fullmatch(r"round-trip:[0-2]:\d+", i) for i in ids)
    reasons = sorted(re.sub(r"event \d+ \(round-trip:\d:\d+\)", "event #", d.reason)
                     for d in dead)
    assert reasons == [
        "column 'x' of event # holds 'oops', which is not a number",
        f"event # is {len(MALFORMED[-1]):,} bytes, over the limit of 4,096 (max_event_bytes)",
        "event # is a list, not a JSON object",
        "event # is a string, not a JSON object",
        "event # is not valid JSON: unexpected end of data",
    ]
    assert {d.payload for d in dead if isinstance(d.payload, str)} >= {'{"n": ', '"just text"'}

    # A second reader, in another group, sees every event under the same id.
    with _source(bootstrap, "round-trip", group="replay", max_event_bytes=4096) as replay:
        replay_ids, replay_numbers = _read_all(replay)
    assert dict(zip(numbers, ids)) == dict(zip(replay_numbers, replay_ids))


def test_seek_to_a_position_continues_right_after_it(bootstrap):
    produce(bootstrap, "seek", _events(600), key="user", partitions=2)
    with _source(bootstrap, "seek", group="seekers") as first:
        head = first.read(250, timeout_ms=5000)
        position = first.position()
        rest_ids, _ = _read_all(first)  # read on, and commit nothing
    # a read returns at most what was asked for (fewer under load): the position counts them
    assert 0 < len(head.batch) <= 250 and sum(position.values()) == len(head.batch)
    assert set(position) == {"0", "1"}

    with _source(bootstrap, "seek", group="seekers") as restarted:
        restarted.seek(position)
        assert restarted.position() == position
        again_ids, again_numbers = _read_all(restarted)
    assert _per_partition(again_ids) == _per_partition(rest_ids)  # same events, same order
    assert {p: offsets[0] for p, offsets in _per_partition(again_ids).items()} == \
        {p: o for p, o in position.items() if p in _per_partition(again_ids)}
    assert sorted(head.batch.X[:, 0].astype(int).tolist() + again_numbers) == list(range(600))

    # Nothing was committed: a new reader of the group starts from the beginning.
    with _source(bootstrap, "seek", group="seekers") as fresh:
        assert fresh.position() == {"0": 0, "1": 0}


def _per_partition(ids: list[str]) -> dict[str, list[int]]:
    offsets = defaultdict(list)
    for event_id in ids:
        _, partition, offset = event_id.split(":")
        offsets[partition].append(int(offset))
    return dict(offsets)


def test_a_new_reader_of_the_group_starts_at_the_committed_offsets(bootstrap):
    produce(bootstrap, "commit", _events(500), key="user", partitions=3)
    with _source(bootstrap, "commit", group="committers") as first:
        head_numbers: list[int] = []
        while len(head_numbers) < 180:  # a read may return fewer events than asked for
            part = first.read(180 - len(head_numbers), timeout_ms=5000)
            head_numbers += part.batch.X[:, 0].astype(int).tolist()
        position = first.position()
        first.commit(position)
        first.read(100, timeout_ms=5000)  # read past it without committing
    assert len(head_numbers) == 180

    with _source(bootstrap, "commit", group="committers") as second:
        assert second.position() == position
        ids, numbers = _read_all(second)
    assert len(ids) == 500 - 180
    assert all(offsets[0] == position[p] for p, offsets in _per_partition(ids).items())
    assert sorted(head_numbers + numbers) == list(range(500))

    with _source(bootstrap, "commit", group="others") as other:  # groups are separate
        assert other.position() == {"0": 0, "1": 0, "2": 0}


def test_sink_records_come_back_with_their_ids_and_keep_their_partition(bootstrap):
    records = [{"id": f"r{i}", "score": np.float64(i / 4), "label": np.int64(i % 3)}
               for i in range(120)]
    with KafkaSink(bootstrap, "predictions", partitions=3) as sink:
        sink.write(records)
        sink.flush()
        sink.write([{**r, "score": -1.0} for r in records])  # a second version of each

    schema = Schema(target="label", numeric=["score"], categorical=["id"])
    with KafkaSource(bootstrap, "predictions", schema, stop_when_empty=True,
                     idle_timeout_ms=2000) as source:
        batches = list(iter(lambda: source.read(100, timeout_ms=500), None))
    record_ids = np.concatenate([d.batch.categorical["id"] for d in batches]).tolist()
    where = np.concatenate([d.batch.ids for d in batches]).tolist()
    scores = np.concatenate([d.batch.X[:, 0] for d in batches])
    assert sorted(record_ids) == sorted([r["id"] for r in records] * 2)
    assert sorted(scores[scores >= 0].tolist()) == [i / 4 for i in range(120)]
    partitions_of = defaultdict(set)
    for record_id, coordinates in zip(record_ids, where):
        partitions_of[record_id].add(coordinates.split(":")[1])
    assert all(len(p) == 1 for p in partitions_of.values())  # same key, same partition
    assert set().union(*partitions_of.values()) == {"0", "1", "2"}

    with KafkaSource(bootstrap, "predictions", Schema(id="id"), stop_when_empty=True,
                     idle_timeout_ms=2000) as by_id:
        # a read may return part of what is there under load: read until the topic is done
        seen = [i for d in iter(lambda: by_id.read(1000, timeout_ms=2000), None)
                for i in d.batch.ids.tolist()]
    assert sorted(set(seen)) == sorted(r["id"] for r in records)


def test_flush_raises_when_records_cannot_be_delivered():
    broker = TansuBroker()
    try:
        address = broker.start()
    except TansuUnavailable as exc:
        unavailable(str(exc))
    sink = KafkaSink(address, "lost", config={"message.timeout.ms": 1000,
                                              "log_level": 0})
    try:
        sink.write([{"id": "kept"}])
        sink.flush()
        broker.stop()
        sink.write([{"id": "lost-1"}, {"id": "lost-2"}])
        with pytest.raises(StreamlearnError, match="2 records could not be delivered"):
            sink.flush()
    finally:
        sink.close()
        broker.stop()


def test_an_idle_topic_gives_empty_batches_or_ends_a_finite_read(bootstrap):
    produce(bootstrap, "idle", [], partitions=1)
    with KafkaSource(bootstrap, "idle", SCHEMA) as live:
        decoded = live.read(10, timeout_ms=200)
        assert len(decoded.batch) == 0 and decoded.dead_letters == []
        assert live.position() == {"0": 0}
    with _source(bootstrap, "idle", idle_timeout_ms=200) as finite:
        assert finite.read(10) is None


def test_mistakes_are_reported_with_how_to_fix_them(bootstrap):
    with pytest.raises(StreamlearnError, match="topic 'no-such-topic' does not exist"):
        KafkaSource(bootstrap, "no-such-topic").open()
    produce(bootstrap, "small", [{"n": 1, "x": 0.0, "y": 1}], partitions=2)
    with pytest.raises(ParameterError, match=r"has partitions \[0, 1\], not \[5\]"):
        KafkaSource(bootstrap, "small", partitions=[0, 5]).open()
    with pytest.raises(ParameterError, match="commits offsets itself"):
        KafkaSource(bootstrap, "small", config={"enable.auto.commit": True})
    with KafkaSource(bootstrap, "small") as source, \
            pytest.raises(ParameterError, match="does not read"):
        source.seek({"7": 0})
