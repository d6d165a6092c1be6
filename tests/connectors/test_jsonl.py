import time

import numpy as np
import orjson
import pytest

import streamlearn.connectors.jsonl as jsonl
from streamlearn.connectors.jsonl import JSONLinesSink, JSONLinesSource
from streamlearn.connectors.replay import RateLimiter
from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Schema

SCHEMA = Schema(target="y", numeric=["a", "b"], categorical=["colour"])


def _events(n):
    return [{"a": float(i), "b": i * 0.5, "colour": ["red", "blue"][i % 2], "y": i % 3}
            for i in range(n)]


def _write_lines(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _read_all(source, max_events):
    ids, X, y, dead = [], [], [], []
    for decoded in source.batches(max_events):
        ids += decoded.batch.ids.tolist()
        X += decoded.batch.X.tolist()
        y += decoded.batch.y.tolist()
        dead += decoded.dead_letters
    return ids, X, y, dead


def test_round_trip_through_the_sink_with_malformed_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    with JSONLinesSink(path) as sink:
        sink.write(_events(3))
    with path.open("ab") as handle:
        handle.write(b'{"a": 3.0, "b": \n'              # line 3: cut short
                     b"\n"                               # line 4: blank, skipped
                     b"[1, 2]\n"                         # line 5: not an object
                     b'{"a": "x", "b": 1, "colour": "red", "y": 0}\n'  # line 6: bad number
                     b'{"b": 1, "colour": "red", "y": 1}\n'            # line 7: 'a' missing
                     b'{"a": 8.0, "b": 4.0, "colour": "blue", "y": 2}')  # no final newline
    ids, X, y, dead = _read_all(JSONLinesSource(path, SCHEMA), max_events=2)
    assert ids == [0, 1, 2, 8]
    assert X == [[0.0, 0.0], [1.0, 0.5], [2.0, 1.0], [8.0, 4.0]]
    assert y == [0, 1, 2, 2]
    assert [(d.index, d.reason) for d in dead] == [
        (3, "event 3 is not valid JSON: unexpected end of data"),
        (5, "event 5 is a list, not a JSON object"),
        (6, "column 'a' of event 6 holds 'x', which is not a number"),
        (7, "column 'a' is missing from event 7; declare it optional in the schema or send it"),
    ]
    assert dead[0].payload == '{"a": 3.0, "b": '
    assert JSONLinesSource(path).size_hint == 9


def test_categorical_features_and_ids_from_the_schema(tmp_path):
    path = _write_lines(tmp_path / "e.jsonl", [
        b'{"tx": "t-1", "a": 1, "colour": "red", "y": 0}',
        b'{"tx": "t-2", "a": 2, "colour": "blue", "y": 1}',
        b'{"a": 3, "colour": "red", "y": 1}',
    ])
    with JSONLinesSource(path, Schema(id="tx", target="y")) as source:
        decoded = source.read(10)
    assert decoded.batch.ids.tolist() == ["t-1", "t-2", 2]  # no id field: the line number
    assert decoded.batch.categorical["colour"].tolist() == ["red", "blue", "red"]
    assert decoded.batch.columns == ("a",)


def test_ids_are_the_same_on_every_read_of_the_file(tmp_path):
    path = _write_lines(tmp_path / "e.jsonl", [orjson.dumps(e) for e in _events(50)])
    first = _read_all(JSONLinesSource(path, SCHEMA), 7)
    second = _read_all(JSONLinesSource(path, SCHEMA), 13)
    assert first == second
    assert first[0] == list(range(50))


@pytest.mark.parametrize("chunk_bytes", [jsonl.READ_CHUNK_BYTES, 64, 7])
def test_seek_continues_exactly_where_the_position_was(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(jsonl, "READ_CHUNK_BYTES", chunk_bytes)
    lines = [orjson.dumps(e) for e in _events(200)]
    lines[40:40] = [b"", b"   "]  # blank lines count in positions
    path = _write_lines(tmp_path / "e.jsonl", lines)
    everything = _read_all(JSONLinesSource(path, SCHEMA), 1000)

    with JSONLinesSource(path, SCHEMA) as source:
        head = [source.read(30), source.read(25)]
        position = source.position()
    assert position == 55
    resumed = JSONLinesSource(path, SCHEMA)
    resumed.seek(position)
    tail = _read_all(resumed, 16)
    ids = [i for d in head for i in d.batch.ids.tolist()] + tail[0]
    assert ids == everything[0]
    assert [x for d in head for x in d.batch.X.tolist()] + tail[1] == everything[1]
    assert ids[:3] == [0, 1, 2] and ids[39:42] == [39, 42, 43]


def test_seek_on_an_open_source_and_past_the_end(tmp_path):
    path = _write_lines(tmp_path / "e.jsonl", [orjson.dumps(e) for e in _events(10)])
    with JSONLinesSource(path, SCHEMA) as source:
        source.read(8)
        source.seek(3)
        assert source.read(2).batch.ids.tolist() == [3, 4]
        assert source.position() == 5
        source.seek(10)
        assert source.read(5) is None
        source.seek(1000)
        assert source.read(5) is None
        with pytest.raises(ParameterError, match="line number >= 0"):
            source.seek(-1)


def test_an_oversized_line_is_a_dead_letter(tmp_path):
    big = orjson.dumps({"a": 1.0, "b": 2.0, "colour": "x" * 500, "y": 0})
    path = _write_lines(tmp_path / "e.jsonl", [orjson.dumps(_events(1)[0]), big])
    with JSONLinesSource(path, SCHEMA, max_event_bytes=200) as source:
        decoded = source.read(10)
    assert decoded.batch.ids.tolist() == [0]
    assert decoded.dead_letters[0].reason == (
        f"event 1 is {len(big)} bytes, over the limit of 200 (max_event_bytes)")


def test_rate_replays_no_faster_than_asked(tmp_path):
    path = _write_lines(tmp_path / "e.jsonl", [orjson.dumps(e) for e in _events(2000)])
    started = time.monotonic()
    ids, _, _, _ = _read_all(JSONLinesSource(path, SCHEMA, rate=20_000), 500)
    elapsed = time.monotonic() - started
    assert ids == list(range(2000))
    assert elapsed >= 2000 / 20_000 - 1e-3


def test_rate_limiter_batches_follow_the_timeout():
    now = [0.0]
    limiter = RateLimiter(1000, clock=lambda: now[0],
                          sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert limiter.take(100, timeout_ms=500) == 100 and now[0] == pytest.approx(0.1)
    assert limiter.take(1000, timeout_ms=50) == 50 and now[0] == pytest.approx(0.15)
    assert limiter.take(1000) == 1 and now[0] == pytest.approx(0.151)
    with pytest.raises(ParameterError, match="'rate' parameter"):
        RateLimiter(0)


def test_sink_appends_and_flush_makes_records_durable(tmp_path):
    path = tmp_path / "out" / "predictions.jsonl"
    sink = JSONLinesSink(path)
    sink.write([{"id": 0, "prediction": np.int64(1), "proba": np.array([0.25, 0.75])}])
    sink.flush()
    assert [orjson.loads(line) for line in path.read_bytes().splitlines()] == [
        {"id": 0, "prediction": 1, "proba": [0.25, 0.75]}]
    sink.close()
    with JSONLinesSink(path) as again:  # a second sink appends
        again.write([{"id": 1, "prediction": "cat", "labels": {1, 2}}])
    records = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [r["id"] for r in records] == [0, 1]
    assert records[1]["labels"] == [1, 2]
