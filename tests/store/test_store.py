import uuid

import pytest
from sqlalchemy import text

from streamlearn.core.schema import DeadLetter
from streamlearn.core.serialize import dumps, loads
from streamlearn.store import Store
from streamlearn.testing import service_url


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path}/s.db")
        yield store, "run"
    else:
        store = Store(service_url("postgres"))
        run_id = f"test-{uuid.uuid4().hex}"
        yield store, run_id
        with store.engine.begin() as connection:
            for table in ("predictions", "labels", "metric_history", "dead_letters",
                          "checkpoints", "runs"):
                connection.execute(text(f"DELETE FROM {table} WHERE run_id = :r"),
                                   {"r": run_id})
    store.close()


def test_predictions_are_upserted_by_id(store):
    store, run = store
    store.start_run(run, {"name": run})
    store.write_predictions(run, [{"id": i, "prediction": i % 2 == 0, "score": 0.1 * i}
                                  for i in range(5)])
    store.write_predictions(run, [{"id": 3, "prediction": "changed", "score": None}])
    assert store.prediction_count(run) == 5
    rows = {r["event_id"]: r for r in store.predictions(run)}
    assert rows["3"]["prediction"] == "changed" and rows["3"]["score"] is None
    assert rows["4"]["prediction"] is True and rows["4"]["score"] == pytest.approx(0.4)
    assert store.prediction_ids(run) == {"0", "1", "2", "3", "4"}


def test_checkpoints_dead_letters_and_history_round_trip(store):
    store, run = store
    assert store.load_checkpoint(run) is None
    store.save_checkpoint(run, 10, dumps({"events": 10}))
    store.save_checkpoint(run, 20, dumps({"events": 20}))
    assert loads(store.load_checkpoint(run)) == {"events": 20}
    letters = [DeadLetter(7, {"a": "x"}, "column 'a' of event 7 holds 'x'"),
               DeadLetter(9, "{bad", "event 9 is not valid JSON")]
    store.write_dead_letters(run, "events", letters)
    store.write_dead_letters(run, "events", letters[:1])        # a replay: no duplicate
    rows = store.dead_letter_rows(run)
    assert [(r["event_index"], r["payload"]) for r in rows] == [(7, '{"a":"x"}'), (9, "{bad")]
    store.write_metric_history(run, [(1000, "Accuracy", 0.9), (2000, "Accuracy", 0.91)])
    store.write_metric_history(run, [(2000, "Accuracy", 0.92)])
    assert [(r["events"], r["value"]) for r in store.metric_history(run)] == [
        (1000, 0.9), (2000, 0.92)]
    store.delete_checkpoint(run)
    assert store.load_checkpoint(run) is None


def test_migrations_are_applied_once(tmp_path):
    url = f"sqlite:///{tmp_path}/m.db"
    Store(url).close()
    store = Store(url)
    with store.engine.connect() as connection:
        versions = connection.execute(text("SELECT version FROM streamlearn_schema")).scalars()
        assert list(versions) == [1, 2, 3, 4]
    store.close()


def test_a_version_1_store_is_migrated_to_the_latest(tmp_path):
    from sqlalchemy import create_engine, inspect

    from streamlearn.store import schema

    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    with engine.begin() as connection:        # a store as version 1 left it
        schema.schema_version.create(connection)
        schema.MIGRATIONS[1](connection)
        connection.execute(schema.schema_version.insert().values(version=1, applied_at=0.0))
    engine.dispose()
    store = Store(url)
    assert {"pending_spill", "drift_events"} <= set(inspect(store.engine).get_table_names())
    store.write_drift_events("run", [{"label": 12, "time": 1.0, "detector": "ADWIN",
                                      "direction": "worse", "action": "reset"}])
    assert store.drift_events("run") == [{"label": 12, "time": 1.0, "detector": "ADWIN",
                                          "direction": "worse", "action": "reset"}]
    spill = store.spill("run")
    spill.save(3, b"abc")
    assert spill.load(3) == b"abc"
    spill.delete([3])
    with pytest.raises(LookupError, match="spilled chunk 3"):
        spill.load(3)
    store.close()
