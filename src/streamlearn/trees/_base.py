"""Python side shared by the tree estimators: parameters, the kernels' arguments, and the
loop that runs a kernel over a segment of a batch, growing the tree when it asks for room."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.params import check_number
from streamlearn.trees import _kernels as k
from streamlearn.trees._inputs import Learnt, TreeInputsMixin
from streamlearn.trees._state import Schema, fit_dims, grow_capacity

TREE_KEYS = ("node_int", "node_float", "counts", "leaf_float", "leaf_int")
MIB = 2.0**20


def tree_arrays(tree: dict[str, np.ndarray], schema: Schema) -> tuple[np.ndarray, ...]:
    return tuple(tree[name] for name in TREE_KEYS) + tuple(tree[name] for name in schema)


def run_rows(kernel: Callable[..., int], tree: dict[str, np.ndarray], schema: Schema,
             rows: tuple, start: int, stop: int, inputs: tuple, outputs: tuple) -> None:
    """Run ``kernel`` over rows ``start..stop``; when it stops early for want of a leaf
    slot, double the tree's capacity and go on from that row."""
    while start < stop:
        start = kernel(*rows, start, stop, *inputs, *tree_arrays(tree, schema), *outputs)
        if start < stop:
            grow_capacity(tree, schema)


class HoeffdingTreeBase(TreeInputsMixin):
    """Parameters and batch plumbing shared by the Hoeffding trees and the forests."""

    grace_period: float
    delta: float
    tau: float
    max_depth: int | None
    max_size: float

    def _check_common(self) -> None:
        check_number(self, "grace_period", self.grace_period, low=0, low_inclusive=False)
        check_number(self, "delta", self.delta, low=0, high=1, low_inclusive=False)
        check_number(self, "tau", self.tau, low=0)
        if self.max_depth is not None:
            check_number(self, "max_depth", self.max_depth, low=0, integer=True)
        check_number(self, "max_size", self.max_size, low=0, low_inclusive=False)

    def _base_params(self) -> np.ndarray:
        params = np.zeros(k.N_PARAMS)
        params[k.P_GRACE] = self.grace_period
        params[k.P_DELTA] = self.delta
        params[k.P_TAU] = self.tau
        params[k.P_MAX_DEPTH] = math.inf if self.max_depth is None else self.max_depth
        params[k.P_MAX_BYTES] = self.max_size * MIB
        return params

    def _inputs_of(self, X_pred: Batch, X_learn: Batch) -> tuple[np.ndarray, np.ndarray, bool]:
        """(Z of the predicted rows, Z of the learnt rows, whether they are the same)."""
        Z_learn = self._encode(X_learn)
        if X_pred is X_learn:
            return Z_learn, Z_learn, True
        return self._encode(X_pred), Z_learn, False

    def _kinds_and_slots(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.ascontiguousarray(self.feature_kinds_, dtype=np.int64),
                np.ascontiguousarray(self.feature_slots_, dtype=np.int64))


def segments(learnt: Learnt, n: int) -> list[tuple[int, int]]:
    """The batch cut at every row where the arrays grow."""
    starts = learnt.boundaries(n)
    return list(zip(starts, [*starts[1:], n]))


def fit_all(trees: list[dict[str, np.ndarray]], schema: Schema, dims: dict[str, int]) -> None:
    for tree in trees:
        fit_dims(tree, schema, dims)


def class_rows(codes: np.ndarray, n_before: int, n_after: int) -> list[int]:
    """The first row of each class registered by this batch."""
    return [int(np.argmax(codes == c)) for c in range(n_before, n_after)]


def check_leaf_prediction(owner: Any, value: Any, choices: dict[str, int]) -> int:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"The 'leaf_prediction' parameter of {type(owner).__name__} must "
                             f"be one of {options}. Got {value!r} instead.")
    return choices[value]


def require_labels(owner: Any, batch: Batch, learn: np.ndarray) -> None:
    if batch.y is None and learn.any():
        raise SchemaError(f"{type(owner).__name__} needs labels to learn; none were given")
