"""`Batch`: a columnar micro-batch of events, the unit every fast path works on."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import EllipsisType
from typing import Any

import numpy as np

from streamlearn.core.errors import SchemaError

_EMPTY_CATEGORICAL: dict[str, np.ndarray] = {}


@dataclass(frozen=True, eq=False)
class SparseBlock:
    """Hashed features in CSR form: row ``i`` holds ``values[indptr[i]:indptr[i+1]]`` at
    columns ``indices[...]`` of a fixed ``width`` (``FeatureHasher`` produces these)."""

    indptr: np.ndarray   # int64, len n + 1
    indices: np.ndarray  # int64
    values: np.ndarray   # float64
    width: int

    def take(self, rows: Any, n: int) -> SparseBlock:
        picked = np.arange(n)[rows]
        starts, stops = self.indptr[picked], self.indptr[picked + 1]
        lengths = stops - starts
        indptr = np.zeros(len(picked) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        gather = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops)]
                                ) if len(picked) else np.zeros(0, dtype=np.int64)
        gather = gather.astype(np.int64)
        return SparseBlock(indptr, self.indices[gather], self.values[gather], self.width)


@dataclass(frozen=True, eq=False)
class Batch:
    """Events as columns: float features, categorical features, ids, times, keys, labels.

    ``X`` is a C-contiguous float64 matrix (one row per event, one column per numeric
    feature, NaN where the event lacks the feature). ``categorical`` maps a feature name to an
    object array (``None`` where missing). ``ids``, ``times``, ``keys`` and ``y`` are optional
    arrays of the same length.

    >>> b = Batch.from_dicts([{"a": 1.0, "colour": "red"}, {"a": 2.0, "b": 3.0}], y=[0, 1])
    >>> b.columns, b.X.tolist()
    (('a', 'b'), [[1.0, nan], [2.0, 3.0]])
    >>> b.categorical["colour"].tolist(), len(b)
    (['red', None], 2)
    """

    X: np.ndarray
    columns: tuple[str, ...]
    categorical: Mapping[str, np.ndarray] = field(default_factory=dict)
    y: np.ndarray | None = None
    ids: np.ndarray | None = None
    times: np.ndarray | None = None
    keys: np.ndarray | None = None
    sparse: SparseBlock | None = None

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.X.shape[1] != len(self.columns):
            raise SchemaError(
                f"Batch.X has shape {self.X.shape} but {len(self.columns)} column names were given"
            )

    def __len__(self) -> int:
        return self.X.shape[0]

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_array(
        cls, X: Any, columns: Sequence[str] | None = None, y: Any = None
    ) -> Batch:
        """Wrap a 2-D numeric array; columns default to ``x0, x1, ...``."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2:
            raise SchemaError(f"expected a 2-D array of features, got {X.ndim} dimensions")
        if columns is None:
            columns = [f"x{j}" for j in range(X.shape[1])]
        return cls(X=X, columns=tuple(str(c) for c in columns), y=_labels(y, len(X)))

    @classmethod
    def from_dicts(cls, rows: Sequence[Mapping[str, Any]], y: Any = None) -> Batch:
        """Build a batch from per-event dicts; numbers become numeric features, strings
        categorical ones. Columns are ordered by first appearance."""
        if len(rows) == 1:
            return cls._from_one_dict(rows[0], y)
        numeric: dict[str, int] = {}
        categorical: dict[str, int] = {}
        for row in rows:
            for name, value in row.items():
                if name in numeric or name in categorical or value is None:
                    continue
                if isinstance(value, str):
                    categorical[name] = len(categorical)
                else:
                    numeric[name] = len(numeric)
        n = len(rows)
        X = np.full((n, len(numeric)), np.nan)
        cats = {name: np.full(n, None, dtype=object) for name in categorical}
        for i, row in enumerate(rows):
            for name, value in row.items():
                if value is None:
                    continue
                j = numeric.get(name)
                if j is not None:
                    X[i, j] = _as_float(value, i, name)
                else:
                    cats[name][i] = value if isinstance(value, str) else str(value)
        return cls(X=X, columns=tuple(numeric), categorical=cats, y=_labels(y, n))

    @classmethod
    def _from_one_dict(cls, row: Mapping[str, Any], y: Any) -> Batch:
        """The per-event path (``learn_one``, ``predict_one``): one pass over the dict."""
        names, values, categorical = [], [], {}
        for name, value in row.items():
            if isinstance(value, str):
                categorical[name] = np.array([value], dtype=object)
            elif value is not None:
                names.append(name)
                values.append(value)
        try:
            X = np.array(values, dtype=np.float64).reshape(1, len(values))
        except (TypeError, ValueError):
            X = np.array([[_as_float(v, 0, n) for n, v in zip(names, values)]])
        if np.isinf(X).any():
            j = int(np.flatnonzero(np.isinf(X[0]))[0])
            _as_float(values[j], 0, names[j])  # raises, naming the column
        return cls(X=X, columns=tuple(names), categorical=categorical, y=_labels(y, 1))

    @classmethod
    def from_frame(cls, frame: Any, target: str | None = None) -> Batch:
        """Build a batch from a pandas (or polars) data frame."""
        if hasattr(frame, "to_pandas") and not hasattr(frame, "iloc"):
            frame = frame.to_pandas()
        y = None
        if target is not None:
            y = frame[target].to_numpy()
            frame = frame.drop(columns=[target])
        numeric_names, cats = [], {}
        for name in frame.columns:
            kind = frame[name].dtype.kind
            if kind in "biuf":
                numeric_names.append(str(name))
            else:
                values = frame[name].to_numpy(dtype=object)
                cats[str(name)] = np.array(
                    [None if v is None or v != v else str(v) for v in values], dtype=object
                )
        X = np.ascontiguousarray(frame[numeric_names].to_numpy(dtype=np.float64))
        return cls(X=X.reshape(len(frame), len(numeric_names)), columns=tuple(numeric_names),
                   categorical=cats, y=_labels(y, len(frame)))

    # ------------------------------------------------------------------ access
    def row(self, i: int) -> dict[Any, Any]:
        """Event ``i`` as a dict (missing features are left out)."""
        out: dict[Any, Any] = {
            name: float(v) for name, v in zip(self.columns, self.X[i]) if v == v
        }
        for name, values in self.categorical.items():
            if values[i] is not None:
                out[name] = values[i]
        if self.sparse is not None:  # hashed features, keyed by their column as in River
            start, stop = self.sparse.indptr[i], self.sparse.indptr[i + 1]
            for index, value in zip(self.sparse.indices[start:stop],
                                    self.sparse.values[start:stop]):
                out[int(index)] = float(value)
        return out

    def labelled(self) -> np.ndarray:
        """Which events carry a label (a missing one is None or NaN)."""
        if self.y is None:
            return np.zeros(len(self), dtype=bool)
        if self.y.dtype.kind == "f":
            return ~np.isnan(self.y)
        if self.y.dtype.kind == "O":
            return np.array([v is not None and v == v for v in self.y], dtype=bool)
        return np.ones(len(self), dtype=bool)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [self.row(i) for i in range(len(self))]

    def take(self, rows: Any) -> Batch:
        """The events at ``rows`` (an index array, a boolean mask or a slice)."""
        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[rows]

        return Batch(
            X=np.ascontiguousarray(self.X[rows]),
            columns=self.columns,
            categorical={k: v[rows] for k, v in self.categorical.items()},
            y=pick(self.y), ids=pick(self.ids), times=pick(self.times), keys=pick(self.keys),
            sparse=None if self.sparse is None else self.sparse.take(rows, len(self)),
        )

    def with_features(
        self, X: np.ndarray, columns: Sequence[str],
        categorical: Mapping[str, np.ndarray] | None = None,
        sparse: SparseBlock | EllipsisType | None = ...,
    ) -> Batch:
        """The same events with other features (ids, times, keys and labels kept; the sparse
        block kept too unless one, or None, is given)."""
        # called for every step of every batch: built directly, not with dataclasses.replace
        return Batch(
            X, columns if isinstance(columns, tuple) else tuple(columns),
            _EMPTY_CATEGORICAL if categorical is None else categorical,
            self.y, self.ids, self.times, self.keys,
            self.sparse if sparse is ... else sparse,
        )

    def with_labels(self, y: Any) -> Batch:
        return replace(self, y=_labels(y, len(self)))

    @staticmethod
    def concat(batches: Sequence[Batch]) -> Batch:
        """Stack batches row-wise, aligning their columns by name."""
        if len(batches) == 1:
            return batches[0]
        columns: dict[str, None] = {}
        cat_names: dict[str, None] = {}
        for b in batches:
            columns.update(dict.fromkeys(b.columns))
            cat_names.update(dict.fromkeys(b.categorical))
        names = tuple(columns)
        position = {name: j for j, name in enumerate(names)}
        parts = []
        for b in batches:
            part = np.full((len(b), len(names)), np.nan)
            part[:, [position[c] for c in b.columns]] = b.X
            parts.append(part)
        cats = {
            name: np.concatenate([
                b.categorical.get(name, np.full(len(b), None, dtype=object)) for b in batches
            ])
            for name in cat_names
        }

        def stack(attr: str) -> np.ndarray | None:
            arrays = [getattr(b, attr) for b in batches]
            if any(a is None for a in arrays):
                return None
            return np.concatenate(arrays)

        return Batch(X=np.concatenate(parts), columns=names, categorical=cats,
                     y=stack("y"), ids=stack("ids"), times=stack("times"), keys=stack("keys"))


def _as_float(value: Any, row: int, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SchemaError(
            f"column {name!r} of event {row} holds {value!r}, which is not a number",
            row=row, column=name,
        ) from None
    if math.isinf(number):
        raise SchemaError(
            f"column {name!r} of event {row} is infinite; send a finite number or leave it out",
            row=row, column=name,
        )
    return number


def _labels(y: Any, n: int) -> np.ndarray | None:
    if y is None:
        return None
    y = np.asarray(y) if not isinstance(y, np.ndarray) else y
    if y.ndim == 0:
        y = y.reshape(1)
    if len(y) != n:
        raise SchemaError(f"got {len(y)} labels for {n} events")
    return y


def as_batch(X: Any, y: Any = None) -> Batch:
    """Coerce what users pass (a Batch, dicts, an array, a data frame) to a :class:`Batch`."""
    if isinstance(X, Batch):
        return X if y is None else X.with_labels(y)
    if isinstance(X, Mapping):
        return Batch.from_dicts([X], y=y)
    if hasattr(X, "columns") and (hasattr(X, "iloc") or hasattr(X, "to_pandas")):
        batch = Batch.from_frame(X)
        return batch if y is None else batch.with_labels(np.asarray(y))
    if isinstance(X, np.ndarray):
        return Batch.from_array(X, y=y)
    if isinstance(X, Iterable):
        rows = list(X)
        if rows and isinstance(rows[0], Mapping):
            return Batch.from_dicts(rows, y=y)
        return Batch.from_array(np.asarray(rows, dtype=np.float64), y=y)
    raise SchemaError(f"cannot build a batch of events from {type(X).__name__}")
