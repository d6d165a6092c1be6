"""File sources. CSV is parsed by pandas' C reader in large chunks, validated per column
with vectorised checks, and handed out in micro-batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from streamlearn.connectors.base import Source
from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError, require
from streamlearn.core.schema import DeadLetter, Decoded

READ_CHUNK_ROWS = 65_536


class CSVSource(Source):
    """Events from a CSV file with a header row.

    Columns that hold numbers in the first chunk are numeric features, the others categorical;
    ``numeric``/``categorical`` override that. ``target`` is the label column, ``id`` and
    ``time`` optional role columns. A numeric cell that is not a number, an infinite value, a
    missing feature (unless its column is in ``optional``, or ``optional="all"``) or a missing
    target makes the row a dead letter whose reason names the row, the line and the column.

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
                 optional: Sequence[str] | str = (), delimiter: str = ","):
        self.path = Path(path)
        self.target = target
        self.id = id
        self.time = time
        self.numeric = numeric
        self.categorical = categorical
        self.optional = optional
        self.delimiter = delimiter
        if not self.path.is_file():
            raise FileNotFoundError(f"no CSV file at {self.path}")

    @property
    def size_hint(self) -> int:
        with self.path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(lines - 1, 0)

    def batches(self, max_events: int) -> Iterator[Decoded]:
        pd = require("pandas", "data")
        first_row = 0
        layout = None
        with pd.read_csv(self.path, sep=self.delimiter, chunksize=READ_CHUNK_ROWS, dtype=str,
                         keep_default_na=False, na_filter=False) as reader:
            for frame in reader:
                if layout is None:
                    layout = self._layout(frame)
                decoded = self._decode(frame, layout, first_row)
                first_row += len(frame)
                yield from _split(decoded, max_events)

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
            numeric = list(self.numeric or [])
            categorical = list(self.categorical or [])
        else:
            numeric, categorical = [], []
            for name in features:
                cells = frame[name][frame[name] != ""]
                parsed = pd.to_numeric(cells, errors="coerce")
                (numeric if parsed.notna().sum() >= 0.5 * len(cells) else categorical).append(
                    name)
        return {"numeric": numeric, "categorical": categorical}

    def _is_optional(self, column: str) -> bool:
        return self.optional == "all" or column in self.optional

    def _decode(self, frame: Any, layout: dict[str, list[str]], first_row: int) -> Decoded:
        pd = require("pandas", "data")
        n = len(frame)
        reasons: dict[int, str] = {}

        def flag(rows: np.ndarray, column: str, what: str) -> None:
            for r in rows:
                r = int(r)
                if r not in reasons:
                    reasons[r] = (f"column {column!r} of event {first_row + r} "
                                  f"(line {first_row + r + 2} of {self.path.name}) {what}")

        X = np.empty((n, len(layout["numeric"])))
        for j, name in enumerate(layout["numeric"]):
            cells = frame[name].to_numpy(dtype=object)
            values = np.array(pd.to_numeric(frame[name].replace("", np.nan), errors="coerce"),
                              dtype=np.float64)
            empty = (cells == "") | (np.char.lower(cells.astype(str)) == "nan")
            bad = np.isnan(values) & ~empty
            for r in np.flatnonzero(bad):
                flag(np.array([r]), name, f"holds {cells[r]!r}, which is not a number")
            flag(np.flatnonzero(np.isinf(values)), name, "is infinite")
            if not self._is_optional(name):
                flag(np.flatnonzero(empty), name,
                     "is missing; send a number or declare the column optional")
            values[np.isinf(values)] = np.nan
            X[:, j] = values
        categorical = {}
        for name in layout["categorical"]:
            cells = np.array(frame[name].to_numpy(dtype=object))
            empty = cells == ""
            if not self._is_optional(name):
                flag(np.flatnonzero(empty), name,
                     "is missing; send a value or declare the column optional")
            cells[empty] = None
            categorical[name] = cells
        y = None
        if self.target is not None:
            y, empty = _parse_labels(frame[self.target].to_numpy(dtype=object))
            flag(np.flatnonzero(empty), self.target, "(the target) is missing")
        keep = np.ones(n, dtype=bool)
        keep[list(reasons)] = False
        raw_rows = frame.iloc[sorted(reasons)].to_dict("records") if reasons else []
        dead = [DeadLetter(first_row + r, raw, reasons[r])
                for r, raw in zip(sorted(reasons), raw_rows)]
        batch = Batch(X=np.ascontiguousarray(X), columns=tuple(layout["numeric"]),
                      categorical=categorical, y=y,
                      ids=self._ids(frame, first_row, n),
                      times=None if self.time is None else pd.to_numeric(
                          frame[self.time], errors="coerce").to_numpy(dtype=np.float64))
        return Decoded(batch.take(keep) if reasons else batch, dead)

    def _ids(self, frame: Any, first_row: int, n: int) -> np.ndarray:
        if self.id is not None:
            return frame[self.id].to_numpy(dtype=object)
        return np.arange(first_row, first_row + n)


def _split(decoded: Decoded, max_events: int) -> Iterator[Decoded]:
    """Micro-batches of at most ``max_events``; the dead letters ride with the first."""
    batch, dead = decoded.batch, decoded.dead_letters
    if len(batch) == 0:
        if dead:
            yield decoded
        return
    for start in range(0, len(batch), max_events):
        yield Decoded(batch.take(slice(start, start + max_events)), dead if start == 0 else [])


def _parse_labels(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels as bools, ints or floats when every present cell is one, else strings."""
    empty = cells == ""
    present = cells[~empty]
    lowered = np.char.lower(present.astype(str))
    if len(present) and np.isin(lowered, ["true", "false"]).all():
        labels = np.zeros(len(cells), dtype=bool)
        labels[~empty] = lowered == "true"
        return labels, empty
    for dtype in (np.int64, np.float64):
        try:
            parsed = present.astype(dtype)
        except (ValueError, OverflowError):
            continue
        labels = np.zeros(len(cells), dtype=dtype)
        labels[~empty] = parsed
        return labels, empty
    return cells, empty
