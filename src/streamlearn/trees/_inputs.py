"""The features a tree knows, their kind, and the codes of categories.

Numeric columns are numeric features; categorical (string) columns are nominal features
whose categories get integer codes. A feature, a category or a class is *learnt* at the
first learnt row that carries it (features first seen in the same row in name order), and
the tree's arrays get room for it from that row on: a batch is processed in segments cut at
those rows, so the arrays have at every row the shape they have when events come one at a
time. Kernels read one float matrix ``Z`` with a column per known feature: the value of a
numeric feature, the code of a category (-1 for a category never learnt), NaN when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.trees._kernels import NOMINAL, NUMERIC


def factorise(values: np.ndarray) -> tuple[list, np.ndarray]:
    """(distinct values in order of first appearance, code of each row; -1 where None)."""
    table: dict = {}
    codes = np.fromiter((-1 if v is None else table.setdefault(v, len(table)) for v in values),
                        dtype=np.int64, count=len(values))
    return list(table), codes


@dataclass
class Learnt:
    """What one batch taught: the first row of each new feature, category and class."""

    before: dict[str, int]
    numeric_rows: list[int] = field(default_factory=list)
    nominal_rows: list[int] = field(default_factory=list)
    category_rows: list[int] = field(default_factory=list)
    category_slots: list[int] = field(default_factory=list)
    categories_before: list[int] = field(default_factory=list)
    class_rows: list[int] = field(default_factory=list)

    def boundaries(self, n: int) -> list[int]:
        """Rows where the arrays must grow, as segment starts (0 always included)."""
        rows = {0, *self.numeric_rows, *self.nominal_rows, *self.category_rows,
                *self.class_rows}
        return sorted(r for r in rows if r < n) or [0]

    def dims_at(self, row: int) -> dict[str, int]:
        """The size of every growing axis when ``row`` is processed."""
        per_feature = list(self.categories_before)
        for r, slot in zip(self.category_rows, self.category_slots):
            if r <= row:
                while len(per_feature) <= slot:
                    per_feature.append(0)
                per_feature[slot] += 1
        return {
            "numeric": self.before["numeric"] + sum(r <= row for r in self.numeric_rows),
            "nominal": self.before["nominal"] + sum(r <= row for r in self.nominal_rows),
            "categories": max(per_feature, default=0),
            "classes": self.before["classes"] + sum(r <= row for r in self.class_rows),
        }


class TreeInputsMixin:
    """Feature registry of the trees (state: ``feature_names_``, ``feature_kinds_``,
    ``feature_slots_``, ``categories_``)."""

    def _init_inputs(self) -> None:
        self.feature_names_: list[str] = []
        self.feature_kinds_ = np.zeros(0, dtype=np.int64)
        self.feature_slots_ = np.zeros(0, dtype=np.int64)
        self.categories_: dict[str, list] = {}

    def _counts(self) -> dict[str, int]:
        kinds = self.feature_kinds_
        return {"numeric": int((kinds == NUMERIC).sum()), "nominal": int((kinds == NOMINAL).sum())}

    def _register_inputs(self, batch: Batch, learn: np.ndarray, n_classes: int) -> Learnt:
        """Learn the features and categories first carried by learnt rows of ``batch``."""
        counts = self._counts()
        learnt = Learnt(before={**counts, "classes": n_classes},
                        categories_before=[len(self.categories_[name]) for name in
                                           self._nominal_names()])
        rows = np.flatnonzero(learn)
        if len(rows) == 0:
            return learnt
        known = set(self.feature_names_)
        found = []
        for c, name in enumerate(batch.columns):
            if name not in known:
                finite = np.isfinite(batch.X[rows, c])
                if finite.any():
                    found.append((int(rows[np.argmax(finite)]), name, NUMERIC))
        for name, values in batch.categorical.items():
            if name not in known:
                present = np.fromiter((v is not None for v in values[rows]), dtype=bool,
                                      count=len(rows))
                if present.any():
                    found.append((int(rows[np.argmax(present)]), name, NOMINAL))
        for row, name, kind in sorted(found):
            if name in known:
                continue
            known.add(name)
            self.feature_names_.append(name)
            self.feature_kinds_ = np.append(self.feature_kinds_, kind)
            self.feature_slots_ = np.append(self.feature_slots_, counts[_kind_name(kind)])
            counts[_kind_name(kind)] += 1
            if kind == NOMINAL:
                self.categories_[name] = []
                learnt.nominal_rows.append(row)
            else:
                learnt.numeric_rows.append(row)
        self._register_categories(batch, rows, learnt)
        return learnt

    def _nominal_names(self) -> list[str]:
        return [name for name, kind in zip(self.feature_names_, self.feature_kinds_)
                if kind == NOMINAL]

    def _register_categories(self, batch: Batch, rows: np.ndarray, learnt: Learnt) -> None:
        for slot, name in enumerate(self._nominal_names()):
            values = batch.categorical.get(name)
            if values is None:
                continue
            distinct, codes = factorise(values[rows])
            known = self.categories_[name]
            seen = set(known)
            firsts = _first_positions(codes, len(distinct))
            for code, value in enumerate(distinct):
                if value not in seen:
                    known.append(value)
                    learnt.category_rows.append(int(rows[firsts[code]]))
                    learnt.category_slots.append(slot)

    def _encode(self, batch: Batch) -> np.ndarray:
        """The matrix ``Z`` of ``batch`` over the known features (see the module doc)."""
        names = self.feature_names_
        if not batch.categorical and len(batch.columns) == len(names) and \
                batch.columns == tuple(names):
            return batch.X
        Z = np.full((len(batch), len(names)), np.nan)
        position = {name: c for c, name in enumerate(batch.columns)}
        for j, (name, kind) in enumerate(zip(names, self.feature_kinds_)):
            if kind == NUMERIC:
                if name in position:
                    Z[:, j] = batch.X[:, position[name]]
            elif name in batch.categorical:
                distinct, codes = factorise(batch.categorical[name])
                lookup = {value: code for code, value in enumerate(self.categories_[name])}
                mapped = np.array([lookup.get(v, -1) for v in distinct] + [np.nan])
                Z[:, j] = mapped[codes]
        return Z


def _kind_name(kind: int) -> str:
    return "nominal" if kind == NOMINAL else "numeric"


def _first_positions(codes: np.ndarray, count: int) -> np.ndarray:
    first = np.zeros(count, dtype=np.int64)
    present = codes >= 0
    distinct, position = np.unique(codes[present], return_index=True)
    first[distinct] = np.flatnonzero(present)[position]
    return first
