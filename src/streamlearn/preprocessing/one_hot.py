"""Online one-hot encoding: one 0/1 column per category, categories added as they appear."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Transformer
from streamlearn.preprocessing._categories import column_values, factorise, first_rows
from streamlearn.preprocessing._validation import check_bool, check_columns


class OneHotEncoder(Transformer):
    """Replace each encoded column by one 0/1 column per category, named ``"column=value"``.

    By default every categorical column is encoded; ``columns`` restricts the encoding to the
    listed columns, which may also be numeric (their values become categories: ``13.0`` is
    ``"hour=13"``; NaN and infinite values count as missing). Other categorical columns pass
    through. With ``drop_original=False`` the encoded columns are kept as well.

    Categories are learnt from learnt rows only, in order of first appearance (ties within an
    event broken by column name), and each adds a column. An event is encoded with the
    categories known when it is processed, like River's encoder with ``drop_zeros=False``: 1
    for its own category, 0 for the other known ones. A category not known yet (a missing
    value, or one seen only in predicted events) gives zeros in all the group's columns.
    Every output of a batch has the columns of all categories known after it; a column whose
    category was first learnt *later in the batch* than an event is NaN (absent) for that
    event — exactly what processing the events one at a time gives, so outputs do not
    depend on the batch size.

    >>> encoder = OneHotEncoder()
    >>> for x in [{"colour": "red"}, {"colour": "blue"}]:
    ...     _ = encoder.learn_one(x)
    >>> encoder.transform_one({"colour": "blue", "size": 3.0})
    {'size': 3.0, 'colour=red': 0.0, 'colour=blue': 1.0}
    >>> encoder.transform_one({"colour": "green"})
    {'colour=red': 0.0, 'colour=blue': 0.0}
    """

    _tags = {"handles_categorical": True}

    def __init__(self, columns: list[str] | None = None, drop_original: bool = True):
        self.columns = columns
        self.drop_original = drop_original

    def _factorised(self, batch: Batch) -> dict[str, tuple[list, np.ndarray]]:
        """Each encoded column of ``batch`` (sorted by name) as (distinct values, codes)."""
        names = check_columns(self, "columns", self.columns)
        check_bool(self, "drop_original", self.drop_original)
        if names is None:
            encoded = sorted(batch.categorical)
        else:
            encoded = sorted(c for c in names if c in batch.categorical or c in batch.columns)
        return {name: factorise(column_values(batch, name)) for name in encoded}

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        columns_learn = self._factorised(X_learn)
        columns_pred = columns_learn if X_pred is X_learn else self._factorised(X_pred)
        learnt = self._register(columns_learn, learn) if learn.any() else []
        registered_at = np.full(len(getattr(self, "names_", ())), -1, dtype=np.int64)
        for index, row in learnt:
            registered_at[index] = row
        out_pred = self._encode(X_pred, columns_pred, registered_at, strict=True)
        if X_learn is X_pred and not learnt:
            return out_pred, out_pred
        return out_pred, self._encode(X_learn, columns_learn, registered_at, strict=False)

    def _register(self, columns: dict[str, tuple[list, np.ndarray]], learn: np.ndarray
                  ) -> list[tuple[int, int]]:
        """Add the categories of the learnt rows; returns (output index, first row) of each."""
        if not hasattr(self, "names_"):
            self.categories_: dict[str, dict[str, int]] = {}
            self.names_: list[str] = []
        new = []
        for order, (name, (values, codes)) in enumerate(columns.items()):
            known = self.categories_.get(name, {})
            for code, row in enumerate(first_rows(codes, learn, len(values))):
                if row >= 0 and values[code] not in known:
                    new.append((int(row), order, name, values[code]))
        learnt = []
        for row, _, name, value in sorted(new):
            self.categories_.setdefault(name, {})[value] = len(self.names_)
            learnt.append((len(self.names_), row))
            self.names_.append(f"{name}={value}")
        return learnt

    def _encode(self, batch: Batch, columns: dict[str, tuple[list, np.ndarray]],
                registered_at: np.ndarray, strict: bool) -> Batch:
        """One-hot columns of ``batch``; a category first learnt at row r is known to the
        rows after r (``strict``: the predicted stream) or from r on (the learnt stream)."""
        n, names = len(batch), getattr(self, "names_", [])
        events = np.arange(n)[:, None]
        known = registered_at[None, :] < events if strict else registered_at[None, :] <= events
        onehot = np.where(known, 0.0, np.nan)
        for name, (values, codes) in columns.items():
            categories = getattr(self, "categories_", {}).get(name, {})
            lookup = np.array([categories.get(v, -1) for v in values] + [-1], dtype=np.int64)
            index = lookup[codes]  # code -1 picks the trailing -1
            rows = np.flatnonzero(index >= 0)
            rows = rows[known[rows, index[rows]]]
            onehot[rows, index[rows]] = 1.0
        dropped = set(columns) if self.drop_original else set()
        kept = [j for j, c in enumerate(batch.columns) if c not in dropped]
        X = np.empty((n, len(kept) + len(names)))
        X[:, :len(kept)] = batch.X[:, kept]
        X[:, len(kept):] = onehot
        categorical = {k: v for k, v in batch.categorical.items() if k not in dropped}
        return batch.with_features(X, [batch.columns[j] for j in kept] + names, categorical)
