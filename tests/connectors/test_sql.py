import json
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from streamlearn.connectors.sql import SQLSink, SQLSource, create_engine
from streamlearn.core.errors import SchemaError
from streamlearn.core.schema import Schema
from streamlearn.testing.services import service_url

SCHEMA = Schema(target="y", numeric=["amount"], categorical=["country"])


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """(url, table name) on a real database; the table is dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stream.db'}"
    else:
        url = service_url("postgres")
        pytest.importorskip("psycopg", reason="psycopg is the 'postgres' extra")
    table = f"streamlearn_test_{uuid.uuid4().hex[:12]}"
    yield url, table
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()


def _create_events(url, table, rows):
    engine = create_engine(url)
    events = sa.Table(table, sa.MetaData(),
                      sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                      sa.Column("amount", sa.Double), sa.Column("country", sa.Text),
                      sa.Column("y", sa.Integer), sa.Column("price", sa.Numeric(10, 2)))
    events.create(engine)
    with engine.begin() as connection:
        connection.execute(events.insert(), rows)
    engine.dispose()


def _row(i, **changes):
    return {"id": i, "amount": i * 0.5, "country": ["FR", "DE"][i % 2], "y": i % 2,
            "price": None, **changes}


def test_rows_come_out_in_order_with_dead_letters(database):
    url, table = database
    rows = [_row(i) for i in (3, 1, 7, 5, 2, 4)]
    rows[3] = _row(5, amount=None)      # a missing feature
    rows[4] = _row(2, country=None)     # a missing category
    _create_events(url, table, rows)
    source = SQLSource(url, table, SCHEMA)
    ids, X, y, dead = [], [], [], []
    for decoded in source.batches(4):
        ids += decoded.batch.ids.tolist()
        X += decoded.batch.X.tolist()
        y += decoded.batch.y.tolist()
        dead += decoded.dead_letters
    assert ids == [1, 3, 4, 7]
    assert X == [[0.5], [1.5], [2.0], [3.5]] and y == [1, 1, 0, 1]
    assert [(d.index, d.reason) for d in dead] == [
        (1, "column 'country' is missing from event 1; declare it optional in the schema or "
            "send it"),
        (4, "column 'amount' is missing from event 4; declare it optional in the schema or "
            "send it"),
    ]
    assert dead[0].payload["id"] == 2


def test_inferred_features_leave_out_the_order_column(database):
    url, table = database
    _create_events(url, table, [_row(1, price="9.99"), _row(2, price="0.50")])
    with SQLSource(url, table, Schema(target="y", optional=["price"])) as source:
        batch = source.read(10).batch
    assert batch.columns == ("amount", "price")  # the NUMERIC prices, as floats
    assert batch.X.tolist() == [[0.5, 9.99], [1.0, 0.5]]
    assert batch.ids.tolist() == [1, 2] and batch.categorical["country"].tolist() == ["DE", "FR"]


def test_seek_continues_after_the_position_and_where_filters(database):
    url, table = database
    _create_events(url, table, [_row(i) for i in range(1, 21)])
    with SQLSource(url, table, SCHEMA) as source:
        assert source.position() is None
        assert source.read(6).batch.ids.tolist() == [1, 2, 3, 4, 5, 6]
        position = source.position()
    assert position == 6
    resumed = SQLSource(url, table, SCHEMA)
    resumed.seek(json.loads(json.dumps(position)))  # as a checkpoint stores it
    assert [i for d in resumed.batches(5) for i in d.batch.ids.tolist()] == list(range(7, 21))
    filtered = SQLSource(url, table, SCHEMA, where="country = 'FR'")
    filtered.seek(10)
    assert [i for d in filtered.batches(3) for i in d.batch.ids.tolist()] == [12, 14, 16, 18, 20]


def test_a_timestamp_order_column_round_trips_its_position(database):
    url, table = database
    engine = create_engine(url)
    events = sa.Table(table, sa.MetaData(), sa.Column("at", sa.DateTime),
                      sa.Column("amount", sa.Double))
    events.create(engine)
    start = datetime(2024, 5, 1, 12)
    with engine.begin() as connection:
        connection.execute(events.insert(), [
            {"at": start + timedelta(seconds=s), "amount": float(s)} for s in range(5)])
    engine.dispose()
    schema = Schema(time="at", numeric=["amount"])
    with SQLSource(url, table, schema, order_by="at") as source:
        source.read(2)
        position = source.position()
    assert position == "2024-05-01T12:00:01"
    with SQLSource(url, table, schema, order_by="at") as resumed:
        resumed.seek(position)
        decoded = resumed.read(10)
    assert decoded.batch.X[:, 0].tolist() == [2.0, 3.0, 4.0]
    assert decoded.batch.ids.tolist() == [start + timedelta(seconds=s) for s in (2, 3, 4)]


def test_follow_waits_for_new_rows(database):
    url, table = database
    _create_events(url, table, [_row(1)])
    with SQLSource(url, table, SCHEMA, follow=True) as source:
        assert source.read(10).batch.ids.tolist() == [1]
        assert len(source.read(10, timeout_ms=120).batch) == 0  # not the end: nothing yet
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f'INSERT INTO "{table}" (id, amount, country, y) '
                                       "VALUES (2, 1.0, 'FR', 0)"))
        engine.dispose()
        assert source.read(10, timeout_ms=1000).batch.ids.tolist() == [2]
    with SQLSource(url, table, SCHEMA) as again:
        assert again.read(10).batch.ids.tolist() == [1, 2]
        assert again.read(10) is None  # without follow, the end of the table ends the stream


def test_a_missing_table_or_order_column_says_so(database):
    url, table = database
    with pytest.raises(SchemaError, match=f"there is no table '{table}'"):
        SQLSource(url, table).open()
    _create_events(url, table, [_row(1)])
    with pytest.raises(SchemaError, match="has no column 'seq' to order by"):
        SQLSource(url, table, order_by="seq").open()


def test_sink_upserts_so_rewrites_leave_one_row_per_id(database):
    url, table = database
    with SQLSink(url, table) as sink:
        sink.write([{"id": i, "prediction": 0, "proba": 0.1 * i, "model": "v1",
                     "scores": {"a": 1}} for i in range(5)])
        # a replay after a crash writes some ids again, with newer values, twice in a batch
        sink.write([{"id": 3, "prediction": 1, "proba": 0.9, "model": "v2", "scores": None},
                    {"id": 5, "prediction": 1, "proba": 0.5, "model": "v2", "scores": [1]},
                    {"id": 3, "prediction": 1, "proba": 0.95, "model": "v3", "scores": None}])
    with SQLSink(url, table) as again:  # a new sink finds the table as it is
        again.write([{"id": 0, "prediction": 1, "proba": 0.0, "model": "v4", "scores": {}}])
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f'SELECT id, prediction, proba, model, scores '
                                          f'FROM "{table}" ORDER BY id')).all()
        kinds = {c["name"]: type(c["type"]) for c in sa.inspect(connection).get_columns(table)}
    engine.dispose()
    scores = [r[4] if r[4] is None or not isinstance(r[4], str) else json.loads(r[4])
              for r in rows]
    assert [r[:4] for r in rows] == [
        (0, 1, 0.0, "v4"), (1, 0, 0.1, "v1"), (2, 0, 0.2, "v1"), (3, 1, 0.95, "v3"),
        (4, 0, 0.4, "v1"), (5, 1, 0.5, "v2")]
    assert scores == [{}, {"a": 1}, {"a": 1}, None, {"a": 1}, [1]]
    assert issubclass(kinds["id"], sa.BigInteger | sa.Integer)


def test_sink_refuses_records_it_cannot_store(database):
    url, table = database
    with SQLSink(url, table, key="event") as sink:
        sink.write([{"event": "e1", "prediction": 0.5}])
        with pytest.raises(SchemaError, match="record 0 has no 'event' to upsert by"):
            sink.write([{"prediction": 0.5}])
        with pytest.raises(SchemaError, match="record field 'extra' has no column"):
            sink.write([{"event": "e2", "extra": 1}])
