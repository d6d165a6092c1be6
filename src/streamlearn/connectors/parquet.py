"""Parquet files, read record batch by record batch with pyarrow: numeric columns go straight
to float64 arrays and text columns to categorical ones, with no per-row Python."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.replay import check_position, rate_limiter
from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError, require
from streamlearn.core.schema import DeadLetter, Decoded, Schema

READ_BATCH_ROWS = 65_536
_PER_SECOND = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}


class ParquetSource(Source):
    """Events from a Parquet file, one per row.

    Without declared features (``schema.numeric``/``schema.categorical``), number, boolean,
    date and timestamp (as epoch seconds) columns are numeric features and text columns
    categorical ones, missing values allowed;
    declared features must be present unless ``schema.optional`` lists them. An infinite
    value, a missing declared feature or (with ``schema.require_target``) a missing target
    makes the row a dead letter. ``target`` names the label column (it overrides
    ``schema.target``). Ids are the ``schema.id`` column, else row numbers; ``position()`` is
    the number of rows consumed and ``seek(n)`` skips whole row groups to get to row ``n``.

    >>> import tempfile, os, pyarrow as pa, pyarrow.parquet as pq
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.parquet")
    >>> pq.write_table(pa.table({"a": [1.0, float("inf"), 3.0], "colour": ["red", "blue", None],
    ...                          "y": [1, 0, 1]}), path)
    >>> with ParquetSource(path, target="y") as source:
    ...     decoded = source.read(10)
    >>> decoded.batch.X.tolist(), decoded.batch.categorical["colour"].tolist()
    ([[1.0], [3.0]], ['red', None])
    >>> decoded.batch.y.tolist(), decoded.dead_letters[0].reason
    ([1, 1], "column 'a' of event 1 (row 1 of tiny.parquet) is infinite")
    """

    name = "parquet"

    def __init__(self, path: str | Path, schema: Schema | None = None, *,
                 target: str | None = None, rate: float | None = None):
        self.path = Path(path)
        self.schema = schema
        self.target = target
        self.rate = rate
        if not self.path.is_file():
            raise FileNotFoundError(f"no Parquet file at {self.path}")
        self._schema = schema or Schema()
        self._target = target if target is not None else self._schema.target
        self._limiter = rate_limiter(rate)
        self._file: Any = None
        self._batches: Iterator[Any] = iter(())
        self._pending: Any = None   # the record batch being handed out
        self._offset = 0            # rows of it already handed out
        self._row = 0
        self._layout: dict[str, list[str]] = {}

    @property
    def size_hint(self) -> int:
        pq = require("pyarrow.parquet", "parquet")
        return pq.read_metadata(self.path).num_rows

    def open(self) -> None:
        if self._file is not None:
            return
        pq = require("pyarrow.parquet", "parquet")
        self._file = pq.ParquetFile(self.path)
        self._layout = self._resolve_layout(self._file.schema_arrow)
        metadata = self._file.metadata
        first_group, skip = 0, self._row
        while (first_group < metadata.num_row_groups
               and skip >= metadata.row_group(first_group).num_rows):
            skip -= metadata.row_group(first_group).num_rows
            first_group += 1
        self._batches = self._file.iter_batches(
            READ_BATCH_ROWS, row_groups=range(first_group, metadata.num_row_groups),
            columns=[c for names in self._layout.values() for c in names])
        self._pending, self._offset = None, 0
        while skip and self._next_batch():
            dropped = min(skip, self._pending.num_rows)
            self._offset, skip = dropped, skip - dropped

    def close(self) -> None:
        if self._file is not None:
            self._batches = iter(())
            self._pending = None
            self._file.close()
            self._file = None

    def position(self) -> int:
        return self._row

    def seek(self, position: int) -> None:
        position = check_position(self, position, "row")
        was_open = self._file is not None
        self.close()
        self._row = position
        if self._limiter is not None:
            self._limiter.reset()
        if was_open:
            self.open()

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        if not self._next_batch():
            return None
        wanted = max_events if self._limiter is None else self._limiter.take(max_events,
                                                                              timeout_ms)
        pieces = []
        while wanted and self._next_batch():
            piece = self._pending.slice(self._offset, wanted)
            self._offset += piece.num_rows
            wanted -= piece.num_rows
            pieces.append(piece)
        pa = require("pyarrow", "parquet")
        table = pa.Table.from_batches(pieces)
        first, self._row = self._row, self._row + table.num_rows
        return self._decode(table, first)

    # ------------------------------------------------------------------ internals
    def _next_batch(self) -> bool:
        """Make sure a record batch with rows left is pending; False at the end."""
        while self._pending is None or self._offset >= self._pending.num_rows:
            self._pending, self._offset = next(self._batches, None), 0
            if self._pending is None:
                return False
        return True

    def _resolve_layout(self, arrow_schema: Any) -> dict[str, list[str]]:
        pa = require("pyarrow", "parquet")
        schema, names = self._schema, arrow_schema.names
        roles = [c for c in (schema.id, schema.time, schema.key, self._target) if c is not None]
        declared = schema.numeric is not None or schema.categorical is not None
        numeric = list(schema.numeric or ()) if declared else []
        categorical = list(schema.categorical or ()) if declared else []
        for name in [*roles, *numeric, *categorical]:
            if name not in names:
                raise SchemaError(f"{self.path.name} has no column {name!r}; its columns are "
                                  f"{', '.join(names)}", column=name)
        for name in numeric if declared else [c for c in names if c not in roles]:
            kind = arrow_schema.field(name).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            if _is_number(pa, kind) or pa.types.is_timestamp(kind) or pa.types.is_date(kind):
                if not declared:
                    numeric.append(name)
            elif declared or not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                raise SchemaError(f"column {name!r} of {self.path.name} holds {kind}, not "
                                  "numbers or times; declare it categorical, or declare the "
                                  "schema's numeric and categorical columns to leave it out",
                                  column=name)
            else:
                categorical.append(name)
        return {"numeric": numeric, "categorical": categorical, "roles": roles}

    def _decode(self, table: Any, first_row: int) -> Decoded:
        pa, pc = require("pyarrow", "parquet"), require("pyarrow.compute", "parquet")
        n, schema = table.num_rows, self._schema
        declared = schema.numeric is not None or schema.categorical is not None
        reasons: dict[int, str] = {}

        def flag(mask: np.ndarray, name: str, what: str) -> None:
            for r in np.flatnonzero(mask).tolist():
                reasons.setdefault(r, f"column {name!r} of event {first_row + r} (row "
                                      f"{first_row + r} of {self.path.name}) {what}")

        X = np.empty((n, len(self._layout["numeric"])))
        for j, name in enumerate(self._layout["numeric"]):
            values = _as_float64(pa, pc, table.column(name))
            infinite = np.isinf(values)
            flag(infinite, name, "is infinite")
            if declared and name not in schema.optional:
                flag(np.isnan(values) & ~infinite, name, "is missing; send a number or "
                     "declare the column optional")
            X[:, j] = values
        X[np.isinf(X)] = np.nan
        categorical = {}
        for name in self._layout["categorical"]:
            values = pc.cast(table.column(name), pa.string()).to_numpy(zero_copy_only=False)
            if declared and name not in schema.optional:
                flag(_nulls(table.column(name)), name, "is missing; send it or declare the column "
                     "optional")
            categorical[name] = values
        y = None
        if self._target is not None:
            y = _column(table.column(self._target))
            if schema.require_target:
                flag(_nulls(table.column(self._target)), self._target, "(the target) is missing")
            if y.dtype.kind == "f":
                flag(~np.isfinite(y), self._target, "(the target) is not a finite number")
        rows = np.arange(first_row, first_row + n)
        ids = rows.astype(object)
        if schema.id is not None:
            column = table.column(schema.id)
            ids = np.where(_nulls(column), ids, _column(column).astype(object))
        batch = Batch(X=X, columns=tuple(self._layout["numeric"]), categorical=categorical,
                      y=y, ids=ids, times=None if schema.time is None else
                      _as_float64(pa, pc, table.column(schema.time)),
                      keys=None if schema.key is None else
                      _column(table.column(schema.key)).astype(object))
        if not reasons:
            return Decoded(batch, [])
        keep = np.ones(n, dtype=bool)
        keep[list(reasons)] = False
        dead = [DeadLetter(first_row + r, table.slice(r, 1).to_pylist()[0], reasons[r])
                for r in sorted(reasons)]
        return Decoded(batch.take(keep), dead)


class ParquetSink(Sink):
    """Writes records (dicts) to a Parquet file: each ``flush`` adds a row group; the file is
    complete (readable) once the sink is closed. The first records fix the columns.

    >>> import tempfile, os, pyarrow.parquet as pq
    >>> path = os.path.join(tempfile.mkdtemp(), "out.parquet")
    >>> with ParquetSink(path) as sink:
    ...     sink.write([{"id": 1, "prediction": 0.25}, {"id": 2, "prediction": 0.75}])
    >>> pq.read_table(path).to_pylist()[1]
    {'id': 2, 'prediction': 0.75}
    """

    name = "parquet"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._buffer: list[dict[str, Any]] = []
        self._writer: Any = None

    def write(self, records: list[dict[str, Any]]) -> None:
        if self._writer is not None:
            names = self._writer.schema.names
            extra = sorted({k for record in records for k in record} - set(names))
            if extra:
                raise SchemaError(f"record field {extra[0]!r} is not among the columns of "
                                  f"{self.path.name} ({', '.join(names)}), which the first "
                                  "records fixed; write it to another file", column=extra[0])
        self._buffer.extend(records)

    def flush(self) -> None:
        if not self._buffer:
            return
        pa, pq = require("pyarrow", "parquet"), require("pyarrow.parquet", "parquet")
        if self._writer is None:
            names = dict.fromkeys(k for record in self._buffer for k in record)
            table = pa.Table.from_pydict({k: [r.get(k) for r in self._buffer] for k in names})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, table.schema)
        else:
            table = pa.Table.from_pylist(self._buffer, schema=self._writer.schema)
        self._writer.write_table(table)
        self._buffer = []

    def close(self) -> None:
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _is_number(pa: Any, kind: Any) -> bool:
    return (pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_boolean(kind) or pa.types.is_decimal(kind))


def _nulls(column: Any) -> np.ndarray:
    if not column.null_count:
        return np.zeros(len(column), dtype=bool)
    return column.is_null().to_numpy(zero_copy_only=False)


def _column(column: Any) -> np.ndarray:
    """A column as numpy, with None (not NaN) where values are missing."""
    values = column.to_numpy(zero_copy_only=False)
    if column.null_count:
        values = values.astype(object)
        values[_nulls(column)] = None
    return values


def _as_float64(pa: Any, pc: Any, column: Any) -> np.ndarray:
    """Numbers as float64 (booleans as 0/1), dates and timestamps as epoch seconds, missing
    values as NaN."""
    kind = column.type
    if pa.types.is_date(kind):
        column, kind = pc.cast(column, pa.timestamp("s")), pa.timestamp("s")
    if pa.types.is_timestamp(kind):
        return pc.cast(column, pa.int64()).to_numpy() / _PER_SECOND[kind.unit]
    if _is_number(pa, kind):
        return pc.cast(column, pa.float64()).to_numpy()
    raise SchemaError(f"a column holds {kind}, where numbers, dates or timestamps were expected")
