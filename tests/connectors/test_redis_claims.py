"""XAUTOCLAIM: a dead consumer's pending entries are taken over by a live one, against a real
Redis server (``service_url`` skips, or fails in CI, when none answers)."""

import time
import uuid

import pytest

from streamlearn.connectors.redis_streams import RedisStreamSource, produce
from streamlearn.core import ParameterError, Schema
from streamlearn.testing.services import service_url

redis = pytest.importorskip("redis", reason="the 'redis' extra is not installed")
SCHEMA = Schema(id="event_id")


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
    name = f"streamlearn-claims-{uuid.uuid4().hex}"
    yield name
    client.delete(name)


def _pending_by_consumer(client, stream):
    return {row["name"].decode(): row["pending"]
            for row in client.xpending(stream, "streamlearn")["consumers"]}


def _read_ids(source, max_events=100):
    ids = []
    while (decoded := source.read(max_events)) is not None:
        ids += decoded.batch.ids.tolist()
    return ids


def test_a_dead_consumers_entries_are_claimed_and_learnt_exactly_once(url, client, stream):
    entry_ids = produce(url, stream, [{"event_id": i, "x": i} for i in range(10)])
    dead = RedisStreamSource(url, stream, SCHEMA, consumer="dead")
    assert dead.read(6).batch.ids.tolist() == list(range(6))
    assert dead.consumer_lag() == 4        # 4 entries not yet delivered to the group
    dead.close()                           # it dies without acknowledging anything

    alive = RedisStreamSource(url, stream, SCHEMA, consumer="alive", claim_idle_ms=300)
    # the dead consumer's entries are not idle for 300 ms yet: only the 4 new ones come
    assert alive.read(100).batch.ids.tolist() == [6, 7, 8, 9]
    alive.commit(alive.position())         # a checkpoint: acknowledged
    time.sleep(0.35)
    claimed = alive.read(100).batch.ids.tolist()
    assert claimed == list(range(6))       # taken over from the dead consumer, in id order
    assert _pending_by_consumer(client, stream) == {"alive-claims": 6}
    holding_claims = alive.position()
    assert holding_claims == {"last": entry_ids[9], "claimed": entry_ids[:6]}
    assert alive.consumer_lag() == 0
    alive.close()                          # it crashes before committing

    # restored from a checkpoint taken before the claim: the claims are learnt again
    before_claim = {"last": entry_ids[9], "claimed": []}
    restored = RedisStreamSource(url, stream, SCHEMA, consumer="alive", claim_idle_ms=60_000,
                                 stop_when_empty=True)
    restored.seek(before_claim)
    assert _read_ids(restored) == list(range(6))
    restored.close()
    # restored from a checkpoint that holds them: nothing comes back, the commit acks all
    restored = RedisStreamSource(url, stream, SCHEMA, consumer="alive", claim_idle_ms=60_000,
                                 stop_when_empty=True)
    restored.seek(holding_claims)
    assert _read_ids(restored) == []
    restored.commit(holding_claims)
    assert client.xpending(stream, "streamlearn")["pending"] == 0
    restored.close()


def test_without_claim_idle_ms_a_dead_consumers_entries_stay_pending(url, client, stream):
    produce(url, stream, [{"event_id": i} for i in range(5)])
    dead = RedisStreamSource(url, stream, SCHEMA, consumer="dead")
    dead.read(3)
    dead.close()
    time.sleep(0.05)
    other = RedisStreamSource(url, stream, SCHEMA, consumer="other", stop_when_empty=True)
    assert _read_ids(other) == [3, 4]
    assert other.position() == other._position          # a plain entry id
    other.close()
    assert _pending_by_consumer(client, stream) == {"dead": 3, "other": 2}


def test_bad_claim_settings_say_what_to_fix():
    with pytest.raises(ParameterError, match="'claim_idle_ms' parameter of RedisStreamSource"):
        RedisStreamSource("redis://127.0.0.1:6379/0", "s", claim_idle_ms=0)
    source = RedisStreamSource("redis://127.0.0.1:6379/0", "s", claim_idle_ms=100)
    with pytest.raises(ParameterError, match="a redis position is an entry id or"):
        source.commit({"claimed": []})
