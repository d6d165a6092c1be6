from datetime import UTC, datetime

from streamlearn.core import Schema


def test_decode_assigns_roles_and_sends_bad_events_to_dead_letters():
    schema = Schema(id="tx", time="ts", key="card", target="fraud",
                    numeric=["amount"], categorical=["country"], optional=["country"])
    events = [
        {"tx": "a", "ts": 10, "card": "c1", "amount": 5.0, "country": "FR", "fraud": 0},
        {"tx": "b", "ts": 11, "card": "c2", "amount": None, "country": "FR", "fraud": 1},
        {"tx": "c", "ts": "2026-01-01T00:00:00+00:00", "card": "c1", "amount": "7",
         "fraud": 1},
    ]
    decoded = schema.decode(events)
    batch = decoded.batch
    assert batch.ids.tolist() == ["a", "c"]
    assert batch.keys.tolist() == ["c1", "c1"]
    assert batch.times.tolist() == [10.0, datetime(2026, 1, 1, tzinfo=UTC).timestamp()]
    assert batch.X.tolist() == [[5.0], [7.0]]
    assert batch.categorical["country"].tolist() == ["FR", None]
    assert batch.y.tolist() == [0, 1]
    [dead] = decoded.dead_letters
    assert dead.index == 1 and dead.payload["tx"] == "b"
    assert dead.reason == ("column 'amount' is missing from event 1; declare it optional in "
                           "the schema or send it")


def test_missing_target_is_rejected_only_when_required():
    events = [{"a": 1.0}]
    assert len(Schema(target="y").decode(events).dead_letters) == 0
    dead = Schema(target="y", require_target=True).decode(events).dead_letters
    assert "has no target 'y'" in dead[0].reason
