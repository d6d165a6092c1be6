"""NATSSource and NATSSink against a real NATS server with JetStream."""

from __future__ import annotations

import asyncio
import time
import uuid

import numpy as np
import pytest

from streamlearn.connectors.decode import decode_payloads
from streamlearn.connectors.nats import NATSSink, NATSSource, publish
from streamlearn.core.schema import Schema
from streamlearn.testing.services import service_url

SCHEMA = Schema(target="y", numeric=["amount"], categorical=["country"])
MALFORMED = {10: b'{"amount": ', 500: b"[1, 2]", 1500: {"amount": "oops", "country": "FR", "y": 1}}


@pytest.fixture
def url() -> str:
    return service_url("nats")


@pytest.fixture
def names(url):
    """A unique subject, and the stream named after it, deleted after the test."""
    token = uuid.uuid4().hex[:12]
    yield f"sltest.{token}", f"sltest_{token}"
    asyncio.run(_delete_stream(url, f"sltest_{token}"))


async def _delete_stream(url: str, stream: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    client = await nats.connect(url)
    try:
        await client.jetstream().delete_stream(stream)
    except NotFoundError:
        pass
    finally:
        await client.close()


def _events(n: int) -> list:
    return [MALFORMED.get(i, {"amount": float(i), "country": "FR" if i % 3 else "DE",
                              "y": i % 2}) for i in range(n)]


def _read(source, count: int, max_events: int = 256, timeout_ms: int = 2000) -> list:
    """Read until ``count`` messages (events and dead letters) came, or a read times out."""
    decoded, seen = [], 0
    while seen < count:
        batch = source.read(min(max_events, count - seen), timeout_ms)
        if len(batch.batch) == 0 and not batch.dead_letters:
            break
        decoded.append(batch)
        seen += len(batch.batch) + len(batch.dead_letters)
    return decoded


def _amounts(decoded: list) -> list[float]:
    return np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() if decoded else []


def test_round_trip_keeps_events_ids_and_dead_letters(url, names):
    subject, stream = names
    with NATSSource(url, subject, stream=stream, schema=SCHEMA) as source:
        assert publish(url, subject, _events(2000)) == 2000
        decoded = _read(source, 2000)
        assert source.position() == 2000
        source.commit(source.position())
    assert all(len(d.batch) + len(d.dead_letters) <= 256 for d in decoded)
    good = [i for i in range(2000) if i not in MALFORMED]
    ids = np.concatenate([d.batch.ids for d in decoded]).tolist()
    assert ids == [f"{stream}:{i + 1}" for i in good]  # stream sequences start at 1
    assert _amounts(decoded) == [float(i) for i in good]
    assert np.concatenate([d.batch.y for d in decoded]).tolist() == [i % 2 for i in good]
    countries = np.concatenate([d.batch.categorical["country"] for d in decoded]).tolist()
    assert countries == ["FR" if i % 3 else "DE" for i in good]
    dead = [letter for d in decoded for letter in d.dead_letters]
    assert [(letter.index, letter.reason) for letter in dead] == [
        (10, "event 10 is not valid JSON: unexpected end of data"),
        (500, "event 500 is a list, not a JSON object"),
        (1500, "column 'amount' of event 1500 holds 'oops', which is not a number")]
    assert dead[1].payload == "[1, 2]"


def test_sink_to_source_round_trip_creates_the_stream_and_uses_the_schema_id(url, names):
    subject, stream = names
    records = [{"id": f"p{i}", "score": i / 10} for i in range(300)]
    with NATSSource(url, subject, schema=Schema(id="id")) as source:
        assert source.stream_ == stream  # created, named after the subject
        with NATSSink(url, subject) as sink:
            sink.write(records[:100])
            sink.write(records[100:])
            sink.flush()
        decoded = _read(source, 300)
    assert np.concatenate([d.batch.ids for d in decoded]).tolist() == [f"p{i}" for i in range(300)]
    assert _amounts(decoded) == [i / 10 for i in range(300)]
    with NATSSource(url, subject) as again:  # found by subject, not created twice
        assert again.stream_ == stream


def test_seek_after_a_restart_returns_exactly_the_events_after_the_position(url, names):
    subject, stream = names
    first = NATSSource(url, subject, stream=stream, durable="scorer")
    first.open()
    publish(url, subject, [{"amount": float(i)} for i in range(300)])
    before = _read(first, 100, max_events=64)
    position = first.position()
    assert position == 100
    assert _amounts(_read(first, 80)) == [float(i) for i in range(100, 180)]  # not committed
    first.close()
    with NATSSource(url, subject, stream=stream, durable="scorer") as restarted:
        restarted.seek(position)
        assert restarted.position() == 100
        start = time.monotonic()
        after = _read(restarted, 200)
        assert time.monotonic() - start < 10  # at once, not after ack_wait (30 s)
        assert restarted.read(100, 200).batch.ids.tolist() == []
    assert _amounts(before) == [float(i) for i in range(100)]
    assert _amounts(after) == [float(i) for i in range(100, 300)]
    ids = np.concatenate([d.batch.ids for d in after]).tolist()
    assert ids == [f"{stream}:{sequence}" for sequence in range(101, 301)]


def test_committed_messages_are_not_redelivered(url, names):
    subject, stream = names
    with NATSSource(url, subject, stream=stream) as first:
        publish(url, subject, [{"amount": float(i)} for i in range(200)])
        assert len(_amounts(_read(first, 120))) == 120
        first.commit(80)
    with NATSSource(url, subject, stream=stream) as second:
        assert second.position() == 80  # the ack floor
        # 80..119 were read but not committed: close() gave them back (nak), so they are
        # redelivered at once, not after ack_wait; 0..79 never come back
        redelivered = _amounts(_read(second, 120))
        assert sorted(redelivered) == [float(i) for i in range(80, 200)]
        assert len(second.read(100, timeout_ms=200).batch) == 0
        second.commit(second.position())
    with NATSSource(url, subject, stream=stream) as third:
        assert third.position() == 200
        decoded = third.read(100, timeout_ms=300)
        assert len(decoded.batch) == 0 and decoded.dead_letters == []


def test_timeout_returns_an_empty_batch(url, names):
    subject, stream = names
    with NATSSource(url, subject, stream=stream, schema=SCHEMA) as source:
        start = time.monotonic()
        decoded = source.read(100, timeout_ms=300)
        elapsed = time.monotonic() - start
    empty = decode_payloads([], SCHEMA, [])
    assert len(decoded.batch) == 0 and decoded.dead_letters == []
    assert decoded.batch.columns == empty.batch.columns
    assert 0.25 <= elapsed < 3


def test_publishing_without_a_stream_says_how_to_fix_it(url):
    subject = f"sltest.nostream.{uuid.uuid4().hex[:12]}"
    with pytest.raises(ConnectionError, match="no JetStream stream covers subject"):
        publish(url, subject, [{"amount": 1.0}])
