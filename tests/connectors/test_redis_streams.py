"""The Redis Streams connector against a real server (``service_url`` skips, or fails in CI,
when none answers)."""

import sys
import threading
import time
import uuid

import numpy as np
import orjson
import pytest

from streamlearn.connectors.redis_streams import RedisStreamSink, RedisStreamSource, produce
from streamlearn.core import Batch, MissingExtraError, ParameterError, Schema
from streamlearn.testing.services import service_url

redis = pytest.importorskip("redis", reason="the 'redis' extra is not installed")

SCHEMA = Schema(target="y", numeric=["amount", "count"], categorical=["country"])


@pytest.fixture
def url():
    return service_url("redis")


@pytest.fixture
def client(url):
    client = redis.Redis.from_url(url)
    yield client
    client.close()


@pytest.fixture
def stream(client):
    name = f"streamlearn-test-{uuid.uuid4().hex}"
    yield name
    client.delete(name)


def _event(i):
    return {"amount": i * 0.5, "count": i % 7, "country": ["FR", "DE", "JP"][i % 3],
            "y": i % 2}


def _read_all(source, max_events, timeout_ms=0):
    decoded = []
    while (batch := source.read(max_events, timeout_ms)) is not None:
        decoded.append(batch)
    return decoded


def test_round_trip_with_dead_letters(url, client, stream):
    bad = {100: b'{"amount": ', 2000: {"amount": "oops", "count": 1, "country": "FR", "y": 0},
           4000: b"[1, 2]"}
    payloads = [bad.get(i, _event(i)) for i in range(5000)]
    ids = produce(url, stream, payloads[:3000])
    ids.append(client.xadd(stream, {"other": b'{"amount": 1}'}).decode())  # no "data" field
    ids += produce(url, stream, payloads[3000:])
    assert len(ids) == 5001

    with RedisStreamSource(url, stream, SCHEMA, stop_when_empty=True) as source:
        decoded = _read_all(source, 512)
        assert source.position() == ids[-1]
    assert [len(d.batch) + len(d.dead_letters) for d in decoded] == [512] * 9 + [393]
    batch = Batch.concat([d.batch for d in decoded])
    good = [i for i in range(5000) if i not in bad]
    good_ids = [ids[i if i < 3000 else i + 1] for i in good]
    assert batch.ids.tolist() == good_ids
    assert batch.columns == ("amount", "count")
    np.testing.assert_array_equal(batch.X, [[i * 0.5, i % 7] for i in good])
    assert batch.categorical["country"].tolist() == [["FR", "DE", "JP"][i % 3] for i in good]
    assert batch.y.tolist() == [i % 2 for i in good]

    dead = [letter for d in decoded for letter in d.dead_letters]
    assert [letter.index for letter in dead] == [100, 2000, 3000, 4001]
    assert [letter.reason for letter in dead] == [
        f"event 100 (entry {ids[100]} of stream {stream!r}) is not valid JSON: "
        "unexpected end of data",
        f"column 'amount' of event 2000 (entry {ids[2000]} of stream {stream!r}) holds "
        "'oops', which is not a number",
        f"event 3000 (entry {ids[3000]} of stream {stream!r}) has no field 'data' (it has "
        "'other'); write the JSON event in 'data' or set field=",
        f"event 4001 (entry {ids[4001]} of stream {stream!r}) is a list, not a JSON object",
    ]
    assert dead[0].payload == '{"amount": '
    assert dead[2].payload == {"other": '{"amount": 1}'}


def test_event_ids_come_from_the_schema_when_events_carry_them(url, stream):
    produce(url, stream, [{"event_id": f"tx-{i}", "amount": i} for i in range(3)])
    with RedisStreamSource(url, stream, Schema(id="event_id")) as source:
        assert source.read(10).batch.ids.tolist() == ["tx-0", "tx-1", "tx-2"]


def _pending(client, stream, group="streamlearn"):
    return client.xpending(stream, group)["pending"]


def test_restart_from_a_checkpoint_loses_nothing_and_repeats_nothing(url, client, stream):
    ids = produce(url, stream, [{"event_id": i, "amount": i} for i in range(300)])
    schema = Schema(id="event_id")
    first = RedisStreamSource(url, stream, schema, consumer="worker-1")
    assert first.position() == "0-0"
    assert first.read(100).batch.ids.tolist() == list(range(100))
    assert first.read(100).batch.ids.tolist() == list(range(100, 200))
    checkpoint = first.position()
    assert checkpoint == ids[199]
    assert first.read(100).batch.ids.tolist() == list(range(200, 300))
    first.close()  # a crash: nothing was committed
    assert _pending(client, stream) == 300

    produce(url, stream, [{"event_id": i, "amount": i} for i in range(300, 350)])
    restarted = RedisStreamSource(url, stream, schema, consumer="worker-1",
                                  stop_when_empty=True)
    restarted.seek(checkpoint)
    assert restarted.position() == checkpoint
    replayed = [d.batch.ids.tolist() for d in _read_all(restarted, 64)]
    assert [len(ids) for ids in replayed] == [64, 36, 50]  # the unacknowledged ones first
    assert [i for ids in replayed for i in ids] == list(range(200, 350))

    restarted.commit(checkpoint)  # acknowledges the 200 entries the checkpoint holds
    assert _pending(client, stream) == 150
    restarted.commit(restarted.position())
    assert _pending(client, stream) == 0
    restarted.commit(restarted.position())  # nothing left to acknowledge: a no-op
    restarted.close()


def test_a_restart_without_seek_rereads_every_pending_entry(url, client, stream):
    produce(url, stream, [{"a": i} for i in range(10)])
    with RedisStreamSource(url, stream) as source:
        source.read(4)
        source.commit(source.position())
        source.read(4)
    assert _pending(client, stream) == 4
    with RedisStreamSource(url, stream, stop_when_empty=True) as source:
        rows = [d.batch.X[:, 0].tolist() for d in _read_all(source, 100)]
    assert rows == [[4.0, 5.0, 6.0, 7.0], [8.0, 9.0]]


def test_seek_ahead_of_the_group_skips_entries_the_checkpoint_holds(url, client, stream):
    ids = produce(url, stream, [{"a": i} for i in range(10)])
    with RedisStreamSource(url, stream, stop_when_empty=True) as source:
        source.seek(ids[5])  # e.g. the group was recreated after a checkpoint was taken
        assert [d.batch.X[:, 0].tolist() for d in _read_all(source, 3)] == [
            [6.0, 7.0, 8.0], [9.0]]
        source.commit(source.position())
    assert _pending(client, stream) == 0


def test_consumers_of_one_group_share_the_stream(url, stream):
    produce(url, stream, [{"a": i} for i in range(6)])
    with (RedisStreamSource(url, stream, consumer="a") as one,
          RedisStreamSource(url, stream, consumer="b") as two):
        seen = one.read(4).batch.X[:, 0].tolist() + two.read(4).batch.X[:, 0].tolist()
    assert seen == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_an_entry_deleted_while_pending_becomes_a_dead_letter(url, client, stream):
    ids = produce(url, stream, [{"a": i} for i in range(3)])
    with RedisStreamSource(url, stream) as source:
        source.read(3)
    client.xdel(stream, ids[1])
    with RedisStreamSource(url, stream) as source:
        decoded = source.read(3)
    assert decoded.batch.X[:, 0].tolist() == [0.0, 2.0]
    assert decoded.dead_letters[0].reason == (
        f"event 1 (entry {ids[1]} of stream {stream!r}) was deleted from the stream before "
        "it was acknowledged")


def test_an_empty_read_waits_about_the_timeout_and_returns_an_empty_batch(url, stream):
    with RedisStreamSource(url, stream, SCHEMA) as source:
        start = time.perf_counter()
        decoded = source.read(10, timeout_ms=300)
        waited = time.perf_counter() - start
        assert len(decoded.batch) == 0 and decoded.dead_letters == []
        assert 0.25 <= waited < 3.0
        assert len(source.read(10).batch) == 0  # timeout 0: a poll, it does not block
        assert source.position() == "0-0"
    with RedisStreamSource(url, stream, stop_when_empty=True) as source:
        assert source.read(10, timeout_ms=50) is None


def test_a_blocked_read_wakes_up_when_an_event_arrives(url, stream):
    writer = threading.Timer(0.2, produce, args=(url, stream, [{"a": 42}]))
    with RedisStreamSource(url, stream) as source:
        source.open()
        writer.start()
        start = time.perf_counter()
        decoded = source.read(10, timeout_ms=10_000)
        assert time.perf_counter() - start < 5.0
    writer.join()
    assert decoded.batch.X.tolist() == [[42.0]]


def test_block_ms_overrides_the_timeout_of_read(url, stream):
    with RedisStreamSource(url, stream, block_ms=200, stop_when_empty=True) as source:
        start = time.perf_counter()
        assert list(source.batches(10)) == []  # batches() reads with timeout 0
        assert time.perf_counter() - start >= 0.15


def test_sink_writes_records_in_order(url, client, stream):
    records = [{"id": f"p{i}", "prediction": np.float64(i / 3), "label": np.int64(i % 2)}
               for i in range(250)]
    with RedisStreamSink(url, stream) as sink:
        sink.write(records[:100])
        sink.write(records[100:])
        assert client.xlen(stream) == 0  # queued until flush
        sink.flush()
        assert client.xlen(stream) == 250
    entries = client.xrange(stream)
    written = [orjson.loads(fields[b"data"]) for _, fields in entries]
    assert written == [{"id": f"p{i}", "prediction": i / 3, "label": i % 2}
                       for i in range(250)]
    with RedisStreamSource(url, stream, Schema(id="id", target="label"),
                           stop_when_empty=True) as source:
        batch = Batch.concat([d.batch for d in _read_all(source, 1000)])
    assert batch.ids.tolist() == [f"p{i}" for i in range(250)]
    assert batch.y.tolist() == [i % 2 for i in range(250)]


def test_sink_maxlen_trims_the_stream(url, client, stream):
    with RedisStreamSink(url, stream, field="out", maxlen=10) as sink:
        sink.write([{"id": i} for i in range(1000)])
    # "MAXLEN ~" trims whole radix-tree nodes (stream-node-max-entries, 100 by default)
    assert 10 <= client.xlen(stream) <= 110
    assert client.xrevrange(stream, count=1)[0][1] == {b"out": b'{"id":999}'}


def test_bad_url_and_unreachable_server_are_named(url):
    with pytest.raises(ParameterError, match=r"must be a redis://.*'http://example\.com'"):
        RedisStreamSource("http://example.com", "s").open()
    with pytest.raises(ConnectionError, match=r"cannot reach Redis at redis://:\*\*\*@"
                                              r"127\.0\.0\.1:1/0"):
        RedisStreamSink("redis://:secret@127.0.0.1:1/0", "s").write([{"id": 1}])


def test_invalid_parameters_are_rejected(url, stream):
    with pytest.raises(ParameterError, match="'stream' parameter of RedisStreamSource"):
        RedisStreamSource(url, "")
    with pytest.raises(ParameterError, match="'maxlen' parameter of RedisStreamSink"):
        RedisStreamSink(url, stream, maxlen=0)
    with RedisStreamSource(url, stream) as source:
        with pytest.raises(ParameterError, match="max_events must be an int >= 1"):
            source.read(0)
        with pytest.raises(ParameterError, match="not a Redis stream entry id"):
            source.seek("yesterday")


def test_missing_redis_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'streamlearn\[redis\]'"):
        RedisStreamSource("redis://127.0.0.1:6379/15", "s").open()


def test_throughput_smoke(url, client, stream):
    ids = produce(url, stream, (_event(i) for i in range(50_000)))
    start = time.perf_counter()
    with RedisStreamSource(url, stream, SCHEMA, stop_when_empty=True) as source:
        total = 0
        while (decoded := source.read(4096)) is not None:
            total += len(decoded.batch)
            source.commit(source.position())
    elapsed = time.perf_counter() - start
    assert total == len(ids) == 50_000
    assert _pending(client, stream) == 0
    print(f"read 50,000 events in {elapsed:.2f}s ({50_000 / elapsed:,.0f} events/s)")
