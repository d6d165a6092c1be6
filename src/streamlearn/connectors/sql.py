"""SQL tables as a source (rows in the order of an increasing column) and as a sink that
upserts records by id, with SQLAlchemy Core (SQLite built in; PostgreSQL with psycopg)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from streamlearn.connectors.base import Sink, Source
from streamlearn.core.errors import ParameterError, SchemaError, require
from streamlearn.core.schema import Decoded, Schema

POLL_INTERVAL_S = 0.05


def create_engine(url: str | sa.URL) -> sa.Engine:
    """An engine for ``url``; a plain ``postgresql://`` URL uses psycopg (the ``postgres``
    extra), and a missing driver says which extra to install."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() == "psycopg":
            require("psycopg", "postgres")
    return sa.create_engine(parsed)


class SQLSource(Source):
    """Rows of a table, in the order of ``order_by``, a column whose values only increase
    (an autoincrement id, an insertion timestamp without ties).

    Each ``read`` selects the next ``max_events`` rows after the last value read
    (``WHERE order_by > last ORDER BY order_by LIMIT max_events``), optionally narrowed by
    ``where`` (SQL text or a SQLAlchemy expression); the rows are validated by ``schema``.
    Without ``schema.id``, an event's id is its ``order_by`` value, and that column is not a
    feature. ``position()`` is the last ``order_by`` value read, and ``seek(value)`` continues
    after it. The source ends (``read`` returns None) when no row is left, unless ``follow``
    is set: then it waits up to ``timeout_ms`` for new rows and returns an empty batch.

    >>> engine = sa.create_engine("sqlite://")  # in memory
    >>> with engine.begin() as connection:
    ...     _ = connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, "
    ...                                    "amount REAL, y INTEGER)")
    ...     _ = connection.exec_driver_sql("INSERT INTO events VALUES (1, 2.5, 1), "
    ...                                    "(2, 'oops', 0), (3, 4.0, 0)")
    >>> source = SQLSource(engine, "events", Schema(target="y", numeric=["amount"]))
    >>> decoded = source.read(10)
    >>> decoded.batch.ids.tolist(), decoded.batch.X.tolist(), source.position()
    ([1, 3], [[2.5], [4.0]], 3)
    >>> decoded.dead_letters[0].reason
    "column 'amount' of event 1 holds 'oops', which is not a number"
    >>> source.close(); engine.dispose()
    """

    name = "sql"

    def __init__(self, url: str | sa.URL | sa.Engine, table: str, schema: Schema | None = None,
                 *, order_by: str = "id", where: str | sa.ColumnElement[bool] | None = None,
                 follow: bool = False):
        self.url = url
        self.table = table
        self.schema = schema
        self.order_by = order_by
        self.where = where
        self.follow = follow
        schema = schema or Schema()
        # without an id field, the order_by value is the id (and so not a feature)
        self._schema = schema if schema.id is not None else replace(schema, id=order_by)
        self._engine: sa.Engine | None = None
        self._table: sa.Table | None = None
        self._last: Any = None
        self._count = 0

    def open(self) -> None:
        if self._engine is not None:
            return
        engine = self.url if isinstance(self.url, sa.Engine) else create_engine(self.url)
        try:
            table = sa.Table(self.table, sa.MetaData(), autoload_with=engine)
        except sa.exc.NoSuchTableError:
            if engine is not self.url:
                engine.dispose()
            raise SchemaError(f"there is no table {self.table!r} at {_safe(engine.url)}") from None
        if self.order_by not in table.c:
            if engine is not self.url:
                engine.dispose()
            raise SchemaError(f"table {self.table!r} has no column {self.order_by!r} to order "
                              f"by; its columns are {', '.join(table.c.keys())}",
                              column=self.order_by)
        self._engine, self._table = engine, table

    def close(self) -> None:
        if self._engine is not None and self._engine is not self.url:
            self._engine.dispose()  # an engine the caller passed in is theirs to dispose
        self._engine = self._table = None

    def position(self) -> Any:
        return _jsonable(self._last)

    def seek(self, position: Any) -> None:
        if isinstance(position, list | dict | bool):
            raise ParameterError(f"a {type(self).__name__} position is one value of the "
                                 f"{self.order_by!r} column. Got {position!r} instead.")
        self._last = position

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        deadline = time.monotonic() + timeout_ms / 1000
        while not (rows := self._select(max_events)):
            if not self.follow:
                return None
            if time.monotonic() >= deadline:
                return self._schema.decode([], ids=[])
            time.sleep(min(POLL_INTERVAL_S, max(deadline - time.monotonic(), 0)))
        self._last = rows[-1][self.order_by]
        first, self._count = self._count, self._count + len(rows)
        return self._schema.decode(self._events(rows), ids=[r[self.order_by] for r in rows],
                                   indices=range(first, first + len(rows)))

    def _select(self, max_events: int) -> Sequence[sa.RowMapping]:
        if self._engine is None or self._table is None:
            raise RuntimeError(f"{type(self).__name__} is closed")
        column = self._table.c[self.order_by]
        query = sa.select(self._table).order_by(column).limit(max_events)
        if self._last is not None:
            query = query.where(column > _from_json(column, self._last))
        if self.where is not None:
            query = query.where(sa.text(self.where) if isinstance(self.where, str)
                                else self.where)
        with self._engine.connect() as connection:
            return connection.execute(query).mappings().all()

    def _events(self, rows: Sequence[sa.RowMapping]) -> list[dict[str, Any]]:
        schema = self._schema
        inferred = schema.numeric is None and schema.categorical is None
        hidden = {self.order_by} - schema.roles  # a sequence number, not a feature
        events = []
        for row in rows:
            event = {k: v for k, v in row.items() if k not in hidden}
            if inferred:  # NUMERIC columns come back as Decimal, which is not a feature type
                event = {k: float(v) if isinstance(v, Decimal) else v for k, v in event.items()}
            events.append(event)
        return events


class SQLSink(Sink):
    """Upserts records (dicts) into ``table`` by their ``key`` field, so that at-least-once
    writes leave exactly one row per id, holding the latest values.

    A missing table is created from the first records: ``key`` as the primary key, numbers
    as double precision, text as text, booleans as booleans, anything else (lists, dicts,
    values that are always null) as JSON. SQLite and PostgreSQL upsert with ``INSERT ... ON
    CONFLICT DO UPDATE``; other databases delete and insert in one transaction. Each
    ``write`` is one committed transaction.

    >>> sink = SQLSink("sqlite://", "predictions")
    >>> sink.write([{"id": "a", "prediction": 0.2}, {"id": "b", "prediction": 0.4}])
    >>> sink.write([{"id": "a", "prediction": 0.9}])
    >>> with sink.engine.connect() as connection:
    ...     connection.exec_driver_sql("SELECT * FROM predictions ORDER BY id").all()
    [('a', 0.9), ('b', 0.4)]
    >>> sink.close()
    """

    name = "sql"

    def __init__(self, url: str | sa.URL, table: str, *, key: str = "id"):
        self.url = url
        self.table = table
        self.key = key
        self._engine: sa.Engine | None = None
        self._table: sa.Table | None = None

    @property
    def engine(self) -> sa.Engine:
        """The engine, connected on first use."""
        self.open()
        return cast(sa.Engine, self._engine)

    def open(self) -> None:
        if self._engine is None:
            self._engine = create_engine(self.url)
            if sa.inspect(self._engine).has_table(self.table):
                self._table = sa.Table(self.table, sa.MetaData(), autoload_with=self._engine)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine = self._table = None

    def write(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        latest = {}
        for k, record in enumerate(records):
            if record.get(self.key) is None:
                raise SchemaError(f"record {k} has no {self.key!r} to upsert by", row=k,
                                  column=self.key)
            latest[record[self.key]] = {name: _plain(v) for name, v in record.items()}
        rows = list(latest.values())  # one per id: PostgreSQL refuses to update a row twice
        table = self._table_for(rows)
        names = list(dict.fromkeys(name for row in rows for name in row))
        missing = [name for name in names if name not in table.c]
        if missing:
            raise SchemaError(f"record field {missing[0]!r} has no column in table "
                              f"{self.table!r}; add the column or write to a new table",
                              column=missing[0])
        rows = [{name: row.get(name) for name in names} for row in rows]
        with self.engine.begin() as connection:
            _upsert(connection, table, self.key, rows)

    def _table_for(self, rows: list[dict[str, Any]]) -> sa.Table:
        if self._table is None:
            kinds: dict[str, Any] = {}
            for row in rows:
                for name, value in row.items():
                    kinds[name] = _column_type(value, kinds.get(name))
            self._table = sa.Table(self.table, sa.MetaData(), *(
                sa.Column(name, sa.JSON() if kind is None else kind, primary_key=name == self.key)
                for name, kind in kinds.items()))
            self._table.create(self.engine, checkfirst=True)
        return self._table


def _upsert(connection: sa.Connection, table: sa.Table, key: str,
            rows: list[dict[str, Any]]) -> None:
    updated = [name for name in rows[0] if name != key]
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(connection.dialect.name)
    if dialect is None:  # no INSERT ... ON CONFLICT: replace the rows in this transaction
        connection.execute(table.delete().where(table.c[key].in_([r[key] for r in rows])))
        connection.execute(table.insert(), rows)
        return
    statement = dialect.insert(table)
    if updated:
        statement = statement.on_conflict_do_update(
            index_elements=[key], set_={name: statement.excluded[name] for name in updated})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=[key])
    connection.execute(statement, rows)


def _column_type(value: Any, seen: Any) -> Any:
    """The column type for a field holding ``value``, given the type ``seen`` so far."""
    if value is None:
        return seen
    if isinstance(value, bool):
        kind: Any = sa.Boolean()
    elif isinstance(value, int):
        kind = sa.BigInteger()
    elif isinstance(value, float):
        kind = sa.Double()
    elif isinstance(value, str):
        kind = sa.Text()
    else:
        kind = sa.JSON()
    if seen is None or type(seen) is type(kind):
        return kind
    if {type(seen), type(kind)} == {sa.BigInteger, sa.Double}:
        return sa.Double()
    return sa.JSON()  # a field holding values of several kinds


def _plain(value: Any) -> Any:
    """Numpy values (also inside lists and dicts) as the Python values they hold."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(column: sa.Column, value: Any) -> Any:
    """Undo :func:`_jsonable` for a position read back from a checkpoint."""
    if isinstance(value, str):
        if isinstance(column.type, sa.DateTime):
            return datetime.fromisoformat(value)
        if isinstance(column.type, sa.Date):
            return date.fromisoformat(value)
        if isinstance(column.type, sa.Numeric) and column.type.asdecimal:
            return Decimal(value)
    return value


def _safe(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)
