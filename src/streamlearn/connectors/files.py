"""File sources. CSV is parsed by pandas' C reader in large chunks, validated per column
with vectorised checks, and handed out in micro-batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from streamlearn.connectors.base import Source
from streamlearn.connectors.replay import rate_limiter
from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError, require
from streamlearn.core.schema import DeadLetter, Decoded

READ_CHUNK_ROWS = 65_536
LAYOUT_ROWS = 1000


class CSVSource(Source):
    """Events from a CSV file with a header row.

    Columns that hold numbers in the first chunk are numeric features, the others categorical;
    ``numeric``/``categorical`` override that. ``target`` is the label column, ``id`` and
    ``time`` optional role columns. A numeric cell that is not a number, an infinite value, a
    missing feature (unless its column is in ``optional``, or ``optional="all"``) or a missing
    target makes the row a dead letter whose reason names the row, the line and the column.
    ``rate`` (events per second) replays the file as if its events were arriving live.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.csv")
    >>> with open(path, "w") as handle:
    ...     _ = handle.write("a,b,colour,y\\n1,2,red,1\\n3,oops,blue,0\\n5,6,red,1\\n")
    >>> decoded = list(CSVSource(path, target="y").batches(10))[0]
    >>> decoded.batch.X.tolist(), decoded.batch.y.tolist()
    ([[1.0, 2.0], [5.0, 6.0]], [1, 1])
    >>> decoded.dead_letters[0].reason
    "column 'b' of event 1 (line 3 of tiny.csv) holds 'oops', which is not a number"
    """

    name = "csv"

    def __init__(self, path: str | Path, target: str | None = None, *,
                 id: str | None = None, time: str | None = None,
                 numeric: Sequence[str] | None = None,
                 categorical: Sequence[str] | None = None,
                 optional: Sequence[str] | str = (), delimiter: str = ",",
                 rate: float | None = None):
        self.path = Path(path)
        self.target = target
        self.id = id
        self.time = time
        self.numeric = numeric
        self.categorical = categorical
        self.optional = optional
        self.delimiter = delimiter
        self.rate = rate
        self._limiter = rate_limiter(rate)
        if not self.path.is_file():
            raise FileNotFoundError(f"no CSV file at {self.path}")

    @property
    def size_hint(self) -> int:
        with self.path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - 1, 0)

    # ------------------------------------------------------------------ the Source protocol
    _chunks: Iterator[tuple[Decoded, np.ndarray, int]] | None = None
    _current: tuple[Decoded, np.ndarray, int] | None = None
    _cursor = 0  # the row (0-based, header excluded) the next read starts at

    def open(self) -> None:
        if self._chunks is None:
            self._chunks = self._decoded_chunks(self._cursor)
            self._current = None

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        if self._limiter is not None:  # replaying at ``rate`` events per second
            max_events = self._limiter.take(max_events, timeout_ms)
        while self._current is None or self._cursor >= self._current[2]:
            self._current = next(self._chunks, None)  # type: ignore[arg-type]
            if self._current is None:
                return None
        decoded, row_numbers, chunk_end = self._current
        low, high = self._cursor, min(self._cursor + max_events, chunk_end)
        first, last = np.searchsorted(row_numbers, [low, high])
        dead = [d for d in decoded.dead_letters if low <= d.index < high]
        self._cursor = high
        return Decoded(decoded.batch.take(slice(first, last)), dead)

    def position(self) -> int:
        return self._cursor

    def seek(self, position: int) -> None:
        self.close()
        self._cursor = int(position)
        if self._limiter is not None:
            self._limiter.reset()

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()  # type: ignore[attr-defined]
        self._chunks = None
        self._current = None

    def _decoded_chunks(self, start_row: int) -> Iterator[tuple[Decoded, np.ndarray, int]]:
        """(decoded chunk, row number of each good event, row after the chunk) from
        ``start_row`` on."""
        pd = require("pandas", "data")
        layout = self._layout(pd.read_csv(self.path, sep=self.delimiter, nrows=LAYOUT_ROWS,
                                          dtype=str, keep_default_na=False))
        # Numbers are parsed by pandas' C reader; a column with a bad cell comes back as
        # strings for that chunk only, and only that column takes the slow path.
        text_columns = {name: str for name in (*layout["categorical"],
                                               *(c for c in (self.id,) if c))}
        skip = range(1, start_row + 1) if start_row else None
        first_row = start_row
        with pd.read_csv(self.path, sep=self.delimiter, chunksize=READ_CHUNK_ROWS,
                         dtype=text_columns, na_values=[""], keep_default_na=True,
                         skiprows=skip) as reader:
            for frame in reader:
                decoded, row_numbers = self._decode(frame, layout, first_row)
                first_row += len(frame)
                yield decoded, row_numbers, first_row

    # ------------------------------------------------------------------ decoding
    def _layout(self, frame: Any) -> dict[str, list[str]]:
        pd = require("pandas", "data")
        roles = {c for c in (self.target, self.id, self.time) if c is not None}
        missing = [c for c in roles if c not in frame.columns]
        if missing:
            raise SchemaError(f"{self.path.name} has no column {missing[0]!r}; its columns are "
                              f"{', '.join(frame.columns)}", column=missing[0])
        features = [c for c in frame.columns if c not in roles]
        if self.numeric is not None or self.categorical is not None:
            return {"numeric": list(self.numeric or []),
                    "categorical": list(self.categorical or [])}
        numeric, categorical = [], []
        for name in features:
            cells = frame[name][frame[name] != ""]
            parsed = pd.to_numeric(cells, errors="coerce")
            is_number = parsed.notna().sum() >= 0.5 * len(cells)
            (numeric if is_number else categorical).append(name)
        return {"numeric": numeric, "categorical": categorical}

    def _is_optional(self, column: str) -> bool:
        return self.optional == "all" or column in self.optional

    def _decode(self, frame: Any, layout: dict[str, list[str]], first_row: int
                ) -> tuple[Decoded, np.ndarray]:
        n = len(frame)
        reasons: dict[int, str] = {}

        def flag(rows: np.ndarray, column: str, what: str) -> None:
            for r in rows.tolist():
                if r not in reasons:
                    reasons[r] = (f"column {column!r} of event {first_row + r} "
                                  f"(line {first_row + r + 2} of {self.path.name}) {what}")

        X = np.empty((n, len(layout["numeric"])))
        for j, name in enumerate(layout["numeric"]):
            X[:, j] = self._numeric_column(frame[name], name, flag)
        categorical = {}
        for name in layout["categorical"]:
            column = frame[name]
            empty = column.isna().to_numpy()
            if not self._is_optional(name):
                flag(np.flatnonzero(empty), name,
                     "is missing; send a value or declare the column optional")
            cells = np.array(column.to_numpy(dtype=object))
            cells[empty] = None
            categorical[name] = cells
        y = None
        if self.target is not None:
            column = frame[self.target]
            empty = column.isna().to_numpy()
            flag(np.flatnonzero(empty), self.target, "(the target) is missing")
            y = column.to_numpy()
        keep = np.ones(n, dtype=bool)
        keep[list(reasons)] = False
        dead = [DeadLetter(first_row + r, _raw_row(frame, r), reasons[r])
                for r in sorted(reasons)]
        batch = Batch(X=X, columns=tuple(layout["numeric"]), categorical=categorical,
                      y=y, ids=self._ids(frame, first_row, n),
                      times=None if self.time is None else _as_seconds(frame[self.time]))
        batch = batch.take(keep) if reasons else batch
        row_numbers = np.arange(first_row, first_row + n)[keep]
        return Decoded(batch.with_labels(_tidy_labels(batch.y)) if y is not None else batch,
                       dead), row_numbers

    def _numeric_column(self, column: Any, name: str, flag: Any) -> np.ndarray:
        pd = require("pandas", "data")
        if column.dtype.kind in "biuf":
            values = column.to_numpy(dtype=np.float64, copy=True)
        else:  # some cell is not a number: find which
            values = np.array(pd.to_numeric(column, errors="coerce"), dtype=np.float64)
            bad = np.isnan(values) & column.notna().to_numpy()
            cells = column.to_numpy(dtype=object)
            for r in np.flatnonzero(bad):
                flag(np.array([r]), name, f"holds {cells[r]!r}, which is not a number")
        infinite = np.isinf(values)
        if infinite.any():
            flag(np.flatnonzero(infinite), name, "is infinite")
            values[infinite] = np.nan
        if not self._is_optional(name):
            missing = np.isnan(values)
            if missing.any():
                flag(np.flatnonzero(missing), name,
                     "is missing; send a number or declare the column optional")
        return values

    def _ids(self, frame: Any, first_row: int, n: int) -> np.ndarray:
        if self.id is not None:
            return frame[self.id].to_numpy(dtype=object)
        return np.arange(first_row, first_row + n)


def _raw_row(frame: Any, r: int) -> dict[str, Any]:
    """A dead row's cells as parsed (missing cells as None)."""
    row = frame.iloc[r].to_dict()
    return {k: None if v is None or v != v else v.item() if isinstance(v, np.generic) else v
            for k, v in row.items()}


def _as_seconds(column: Any) -> np.ndarray:
    pd = require("pandas", "data")
    if column.dtype.kind in "biuf":
        return column.to_numpy(dtype=np.float64)
    stamps = pd.to_datetime(column, errors="coerce", utc=True)
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)


def _tidy_labels(y: np.ndarray) -> np.ndarray:
    """Labels in their natural type: whole floats (a column that had gaps) back to ints,
    booleans read as objects back to bools, text as Python strings."""
    if y.dtype.kind == "f" and len(y) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    if y.dtype.kind in "biuf":
        return y
    values = y.astype(object)
    if all(isinstance(v, bool | np.bool_) for v in values):
        return values.astype(bool)
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
