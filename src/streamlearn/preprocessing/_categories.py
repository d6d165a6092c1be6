"""Factorising categorical columns: distinct values in order of first appearance."""

from __future__ import annotations

import numpy as np


def factorise(values: np.ndarray) -> tuple[list, np.ndarray]:
    """(distinct values in order of first appearance, code of each row; -1 where None).

    A dict lookup per row in a generator beats ``np.unique`` on object arrays (no sort, no
    conversion to fixed-width strings) and keeps values of any hashable type intact.
    """
    table: dict = {}
    codes = np.fromiter(
        (-1 if v is None else table.setdefault(v, len(table)) for v in values),
        dtype=np.int64, count=len(values),
    )
    return list(table), codes

def format_number(value: float) -> str:
    """A number as a category label: ``13.0 -> "13"``, ``0.5 -> "0.5"``."""
    if value.is_integer() and abs(value) < 2.0**53:
        return str(int(value))
    return repr(value)

def numbers_as_labels(column: np.ndarray) -> np.ndarray:
    """A numeric column as an object array of labels (None where NaN or infinite)."""
    labels = np.full(len(column), None, dtype=object)
    finite = np.isfinite(column)
    distinct, inverse = np.unique(column[finite], return_inverse=True)
    names = np.array([format_number(float(v)) for v in distinct] + [""], dtype=object)
    labels[finite] = names[inverse]
    return labels

def column_values(batch, name: str) -> np.ndarray | None:
    """A column's values as an object array of labels, categorical or numeric; None if absent."""
    if name in batch.categorical:
        return batch.categorical[name]
    if name in batch.columns:
        return numbers_as_labels(batch.X[:, batch.columns.index(name)])
    return None

def first_rows(codes: np.ndarray, learn: np.ndarray, count: int) -> np.ndarray:
    """For each code in ``range(count)``, the first learnt row holding it (-1 if none)."""
    first = np.full(count, -1, dtype=np.int64)
    rows = np.flatnonzero(learn & (codes >= 0))
    distinct, position = np.unique(codes[rows], return_index=True)
    first[distinct] = rows[position]
    return first

