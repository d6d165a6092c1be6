"""MQTTSource and MQTTSink against a real broker (mosquitto)."""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest

from streamlearn.connectors.decode import decode_payloads
from streamlearn.connectors.mqtt import MQTTSink, MQTTSource, publish
from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Schema
from streamlearn.testing.services import service_url

SCHEMA = Schema(target="y", numeric=["amount"], categorical=["country"])
MALFORMED = {10: b'{"amount": ', 500: b"[1, 2]", 1500: {"amount": "oops", "country": "FR", "y": 1}}


@pytest.fixture
def url() -> str:
    return service_url("mqtt")


@pytest.fixture
def topic() -> str:
    return f"streamlearn-test/{uuid.uuid4().hex}"


def _events(n: int) -> list:
    return [MALFORMED.get(i, {"amount": float(i), "country": "FR" if i % 3 else "DE",
                              "y": i % 2}) for i in range(n)]


def _read(source, count: int, max_events: int = 256, timeout_ms: int = 3000) -> list:
    """Read until ``count`` messages (events and dead letters) came, or a read times out."""
    decoded, seen = [], 0
    while seen < count:
        batch = source.read(min(max_events, count - seen), timeout_ms)
        if len(batch.batch) == 0 and not batch.dead_letters:
            break
        decoded.append(batch)
        seen += len(batch.batch) + len(batch.dead_letters)
    return decoded


def test_round_trip_keeps_events_ids_and_dead_letters(url, topic):
    events, decoded = _events(2000), []
    with MQTTSource(url, topic, schema=SCHEMA) as source:
        # mosquitto drops QoS 1 messages queued beyond max_queued_messages (1000) for a
        # subscriber that falls behind, so each burst stays under it
        for start in range(0, 2000, 500):
            assert publish(url, topic, events[start:start + 500]) == 500
            decoded += _read(source, 500)
        assert source.position() == 2000
    assert all(len(d.batch) + len(d.dead_letters) <= 256 for d in decoded)
    good = [i for i in range(2000) if i not in MALFORMED]
    ids = np.concatenate([d.batch.ids for d in decoded]).tolist()
    assert ids == [f"{topic}:{i}" for i in good]
    assert np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() == [float(i) for i in good]
    assert np.concatenate([d.batch.y for d in decoded]).tolist() == [i % 2 for i in good]
    countries = np.concatenate([d.batch.categorical["country"] for d in decoded]).tolist()
    assert countries == ["FR" if i % 3 else "DE" for i in good]
    dead = [letter for d in decoded for letter in d.dead_letters]
    assert [(letter.index, letter.reason) for letter in dead] == [
        (10, "event 10 is not valid JSON: unexpected end of data"),
        (500, "event 500 is a list, not a JSON object"),
        (1500, "column 'amount' of event 1500 holds 'oops', which is not a number")]
    assert dead[0].payload == '{"amount": '


def test_sink_to_source_round_trip_uses_the_schema_id(url, topic):
    records = [{"id": f"p{i}", "score": i / 10} for i in range(300)]
    with MQTTSource(url, topic, schema=Schema(id="id")) as source:
        with MQTTSink(url, topic) as sink:
            sink.write(records[:100])
            sink.write(records[100:])
            sink.flush()
        decoded = _read(source, 300)
    assert np.concatenate([d.batch.ids for d in decoded]).tolist() == [f"p{i}" for i in range(300)]
    assert np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() == [i / 10
                                                                          for i in range(300)]


def test_timeout_returns_an_empty_batch(url, topic):
    with MQTTSource(url, topic, schema=SCHEMA) as source:
        start = time.monotonic()
        decoded = source.read(100, timeout_ms=300)
        elapsed = time.monotonic() - start
    empty = decode_payloads([], SCHEMA, [])
    assert len(decoded.batch) == 0 and decoded.dead_letters == []
    assert decoded.batch.columns == empty.batch.columns
    assert 0.25 <= elapsed < 3


def test_full_buffer_holds_the_broker_back_without_losing_messages(url, topic):
    with MQTTSource(url, topic, max_buffer=10) as source:
        publish(url, topic, [{"amount": float(i)} for i in range(60)])
        deadline = time.monotonic() + 5
        while source.buffered < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert source.buffered == 10
        decoded = _read(source, 60, max_events=7)
    assert np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() == [float(i)
                                                                          for i in range(60)]


def test_seek_skips_forward_within_a_session_and_renumbers_after_a_restart(url, topic):
    with MQTTSource(url, topic) as source:
        publish(url, topic, [{"amount": float(i)} for i in range(20)])
        assert sum(len(d.batch) for d in _read(source, 5)) == 5
        source.seek(12)
        assert source.position() == 12
        decoded = _read(source, 8)
        assert np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() == [
            float(i) for i in range(12, 20)]
        assert source.position() == 20
        with pytest.raises(ParameterError, match="MQTT cannot replay"):
            source.seek(3)
    with MQTTSource(url, topic) as restarted:
        restarted.seek(20)
        publish(url, topic, [{"amount": 20.0}])
        assert restarted.read(10, 3000).batch.ids.tolist() == [f"{topic}:20"]
        assert restarted.position() == 21


def test_a_persistent_session_receives_what_was_published_while_away(url, topic):
    client_id = f"streamlearn-test-{uuid.uuid4().hex[:12]}"
    try:
        with MQTTSource(url, topic, client_id=client_id) as source:
            assert len(source.read(1, 100).batch) == 0
        publish(url, topic, [{"amount": float(i)} for i in range(5)])
        with MQTTSource(url, topic, client_id=client_id) as source:
            decoded = _read(source, 5)
        assert np.concatenate([d.batch.X[:, 0] for d in decoded]).tolist() == [0, 1, 2, 3, 4]
    finally:  # a clean session removes the persistent one from the broker
        with MQTTSource(url, topic, client_id=client_id, clean_session=True):
            pass


def test_invalid_parameters_say_how_to_fix_them():
    with pytest.raises(ParameterError, match="'qos' parameter of MQTTSink must be 0, 1 or 2"):
        MQTTSink("mqtt://127.0.0.1:1883", "t", qos=3)
    with pytest.raises(ParameterError, match="'max_buffer' parameter of MQTTSource must be >= 1"):
        MQTTSource("mqtt://127.0.0.1:1883", "t", max_buffer=0)
