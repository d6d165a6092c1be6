"""The adaptive random forest loop (Gomes et al. 2017), shared by the classifier and the
regressor.

Each tree learns every event with a Poisson(``lambda_value``) weight (online bagging, Oza &
Russell 2001) drawn from a counter-based generator keyed by (seed, tree, event number), and
samples a random subspace of features at each leaf. Each tree has a warning detector and a
drift detector fed with its own errors (the answer it gave an event before learning it, for
events it learns with a positive weight). A warning starts a background tree, which learns
the same events with the same weights; a drift replaces the tree by its background tree (or
by a fresh tree) and resets its detectors and its metric.

Exactness over a batch: for each tree, its kernel runs over the rows (on a copy kept aside),
its errors go through probe copies of the detectors with ``update_many``; if no detector
fires, that was the result. If one fires at row ``r``, the tree goes back to the copy, reruns
rows up to ``r``, the detectors take the errors up to ``r``, the reset happens at ``r`` and the
loop goes on from ``r + 1``: the outcome is that of events processed one at a time.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_number
from streamlearn.drift import ADWIN
from streamlearn.drift.base import DriftDetector
from streamlearn.trees._base import HoeffdingTreeBase, run_rows
from streamlearn.trees._inputs import Learnt
from streamlearn.trees._kernels import kernel, poisson_weights
from streamlearn.trees._state import Schema, copy_tree, fit_dims, new_tree


class ForestMixin(HoeffdingTreeBase):
    """Trees, background trees, detectors and metrics of an adaptive random forest.

    Subclasses give the kernel and the tree parameters (``_kernel``, ``_tree_params``,
    ``_schema``), the detectors' input (``_drift_inputs``) and the answer (``_aggregate``).
    """

    n_models: int
    max_features: Any
    lambda_value: float
    drift_detector: DriftDetector | None
    warning_detector: DriftDetector | None
    seed: int
    _kernel: Any
    _schema: Schema
    _default_deltas = (0.001, 0.01)  # River's ADWIN deltas for drifts and warnings

    # ------------------------------------------------------------------ parameters
    def _check_forest(self) -> None:
        check_number(self, "n_models", self.n_models, low=1, integer=True)
        check_number(self, "lambda_value", self.lambda_value, low=0, low_inclusive=False)
        check_number(self, "seed", self.seed, low=0, high=2**63 - 1, integer=True)
        for name in ("drift_detector", "warning_detector"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, DriftDetector):
                raise ParameterError(f"The {name!r} parameter of {type(self).__name__} must be "
                                     f"a drift detector or None. Got {value!r} instead.")
        if isinstance(self.max_features, bool) or not (
                self.max_features in ("sqrt", "log2") or self.max_features is None
                or isinstance(self.max_features, int | float)):
            raise ParameterError(
                f"The 'max_features' parameter of {type(self).__name__} must be 'sqrt', "
                f"'log2', an int, a float or None. Got {self.max_features!r} instead.")

    def _resolve_max_features(self, n_features: int) -> int:
        """Features per leaf subspace, as River resolves ``max_features``."""
        m = self.max_features
        if m == "sqrt":
            count = round(math.sqrt(n_features))
        elif m == "log2":
            count = round(math.log2(n_features)) if n_features else 0
        elif m is None:
            count = n_features
        elif isinstance(m, float):
            count = int(m * n_features)
        else:
            count = m
        if count < 0:
            count += n_features
        return max(1, min(count, max(n_features, 1)))

    def _prototypes(self) -> tuple[DriftDetector, DriftDetector]:
        drift, warning = self._default_deltas
        return (self.warning_detector or ADWIN(delta=warning),
                self.drift_detector or ADWIN(delta=drift))

    # ------------------------------------------------------------------ state
    def _start_forest(self) -> None:
        self._check_forest()
        self._tree_params()
        self._init_inputs()
        self.trees_: list[dict[str, np.ndarray]] = []
        self.backgrounds_: list[dict[str, np.ndarray] | None] = []
        self.detectors_: list[list[dict]] = []
        self.n_learnt_ = 0
        self.n_created_ = np.zeros(self.n_models, dtype=np.int64)
        self.max_features_ = 0
        self.n_warnings_ = np.zeros(self.n_models, dtype=np.int64)
        self.n_drifts_ = np.zeros(self.n_models, dtype=np.int64)

    def _after_restore(self) -> None:
        self._live = None

    def _detectors(self) -> list[list[DriftDetector]]:
        """The live detectors ([warning, drift] per tree), rebuilt from ``detectors_``."""
        live = self.__dict__.get("_live")
        if live is None:
            warning, drift = self._prototypes()
            live = [[warning.clone().restore(w), drift.clone().restore(d)]
                    for w, d in self.detectors_]
            self._live = live
        return live

    def _new_tree(self, t: int, dims: dict[str, int]) -> dict[str, np.ndarray]:
        """A fresh tree for slot ``t``; its random stream depends on the slot and on how many
        trees the slot has had, never on the order trees are processed in."""
        stream = self.n_models * (1 + int(self.n_created_[t])) + t
        self.n_created_[t] += 1
        return new_tree(self._schema, dims, seed=self.seed, stream=stream,
                        max_features=self.max_features_)

    def _plant(self, learnt: Learnt, learn: np.ndarray) -> None:
        """Create the trees when the forest first learns: the subspace size comes from the
        number of features the first learnt event carries."""
        first = int(np.argmax(learn))
        self.max_features_ = self._resolve_max_features(learnt.dims_at(first)["numeric"]
                                                        + learnt.dims_at(first)["nominal"])
        dims = learnt.dims_at(0)
        self.trees_ = [self._new_tree(t, dims) for t in range(self.n_models)]
        self.backgrounds_ = [None] * self.n_models
        warning, drift = self._prototypes()
        self.detectors_ = [[warning.clone().snapshot(), drift.clone().snapshot()]
                           for _ in range(self.n_models)]
        self._live = None

    # ------------------------------------------------------------------ the batch
    def _learn_forest(self, rows: tuple, learn: np.ndarray, learnt: Learnt, params: np.ndarray,
                      outputs: list[tuple[np.ndarray, np.ndarray]]) -> list[list[int]]:
        """Run every tree over the batch; ``rows`` = (Z_pred, Z_learn, same, learn, targets)
        and ``outputs[t]`` = the kernel outputs of tree ``t``. Returns, per tree, the rows
        after which its metric restarts (its drifts)."""
        n = len(learn)
        learnt_rows = np.flatnonzero(learn)
        inputs = (np.ascontiguousarray(self.feature_kinds_, dtype=np.int64),
                  np.ascontiguousarray(self.feature_slots_, dtype=np.int64), params)
        starts = learnt.boundaries(n)
        spans = list(zip(starts, [*starts[1:], n]))
        resets: list[list[int]] = []
        for t in range(self.n_models):
            draws = np.zeros(len(learnt_rows), dtype=np.int64)
            poisson_weights(self.seed, t, self.n_learnt_, float(self.lambda_value), draws)
            weights = np.zeros(n)
            weights[learnt_rows] = draws
            tree_rows = (*rows, weights)
            resets.append([])
            for start, stop in spans:
                dims = learnt.dims_at(start)
                for tree in (self.trees_[t], self.backgrounds_[t]):
                    if tree is not None:
                        fit_dims(tree, self._schema, dims)
                self._learn_span(t, start, stop, tree_rows, inputs, outputs[t], dims,
                                 resets[t])
        self.n_learnt_ += len(learnt_rows)
        if len(learnt_rows):
            self.detectors_ = [[w.snapshot(), d.snapshot()] for w, d in self._detectors()]
        return resets

    def _run_tree(self, tree: dict[str, np.ndarray], start: int, stop: int, rows: tuple,
                  inputs: tuple, outputs: tuple) -> None:
        run_rows(self._kernel, tree, self._schema, rows, start, stop, inputs, outputs)

    def _learn_span(self, t: int, start: int, stop: int, rows: tuple, inputs: tuple,
                    outputs: tuple, dims: dict[str, int], resets: list[int]) -> None:
        learn, weights = rows[3], rows[5]
        spare = tuple(np.empty_like(o) for o in outputs)
        live = self._detectors()
        while start < stop:
            kept = (copy_tree(self.trees_[t]),
                    None if self.backgrounds_[t] is None else copy_tree(self.backgrounds_[t]),
                    self._drift_state(t))
            self._run_tree(self.trees_[t], start, stop, rows, inputs, outputs)
            if self.backgrounds_[t] is not None:
                self._run_tree(self.backgrounds_[t], start, stop, rows, inputs, spare)
            monitored = start + np.flatnonzero(learn[start:stop] & (weights[start:stop] > 0))
            if len(monitored) == 0:
                return
            values = self._drift_inputs(t, monitored, rows, outputs)
            warning, drift = live[t]
            probes = [d.clone().restore(d.snapshot()) for d in (warning, drift)]
            fired = [p.update_many(values) for p in probes]
            first = min((int(f[0]) for f in fired if len(f)), default=-1)
            if first < 0:
                live[t] = probes
                return
            row = int(monitored[first])
            # back to the copy; redo the rows up to the detection, then adapt at that row
            self.trees_[t], self.backgrounds_[t] = kept[0], kept[1]
            self._restore_drift_state(t, kept[2])
            self._run_tree(self.trees_[t], start, row + 1, rows, inputs, outputs)
            if self.backgrounds_[t] is not None:
                self._run_tree(self.backgrounds_[t], start, row + 1, rows, inputs, spare)
            values = self._drift_inputs(t, monitored[: first + 1], rows, outputs)
            warning.update_many(values)
            drift.update_many(values)
            self._adapt(t, warning.drift_detected, drift.drift_detected, dims)
            if drift.drift_detected:
                resets.append(row)
            start = row + 1

    def _adapt(self, t: int, warned: bool, drifted: bool, dims: dict[str, int]) -> None:
        """River's order: a warning starts a background tree (and resets the warning
        detector); then a drift swaps in the background tree (resetting both detectors) or,
        without one, a fresh tree (resetting the drift detector)."""
        live = self._detectors()
        warning, drift = self._prototypes()
        if warned:
            self.backgrounds_[t] = self._new_tree(t, dims)
            live[t][0] = warning.clone()
            self.n_warnings_[t] += 1
        if drifted:
            if self.backgrounds_[t] is not None:
                self.trees_[t] = self.backgrounds_[t]
                self.backgrounds_[t] = None
                live[t][0] = warning.clone()
            else:
                self.trees_[t] = self._new_tree(t, dims)
            live[t][1] = drift.clone()
            self.n_drifts_[t] += 1

    @property
    def n_warnings(self) -> list[int]:
        """Warnings detected so far, per tree slot."""
        return [int(v) for v in getattr(self, "n_warnings_", [])]

    @property
    def n_drifts(self) -> list[int]:
        """Drifts detected so far (trees replaced), per tree slot."""
        return [int(v) for v in getattr(self, "n_drifts_", [])]

    # ------------------------------------------------------------------ subclass hooks
    def _tree_params(self) -> np.ndarray:
        raise NotImplementedError

    def _drift_inputs(self, t: int, monitored: np.ndarray, rows: tuple,
                      outputs: tuple) -> np.ndarray:
        raise NotImplementedError

    def _drift_state(self, t: int) -> Any:
        return None

    def _restore_drift_state(self, t: int, state: Any) -> None:
        """Put back what ``_drift_state`` returned."""


@kernel
def accumulate(increments, counted, reset_after, state, before):
    """Sequential sums (same order as one event at a time, so the same floats)."""
    for i in range(increments.shape[0]):
        before[i, 0] = state[0]
        before[i, 1] = state[1]
        if counted[i]:
            state[0] += increments[i]
            state[1] += 1.0
        if reset_after[i]:
            state[0] = 0.0
            state[1] = 0.0


def running_metric(increments: np.ndarray, counted: np.ndarray, state: np.ndarray,
                   resets: list[int]) -> np.ndarray:
    """Per row, a tree's metric sums *before* the row: ``state`` = (sum, count) carried in,
    updated in place to the state after the batch; the sums restart after each reset row."""
    before = np.zeros((len(increments), 2))
    reset_after = np.zeros(len(increments), dtype=np.bool_)
    reset_after[resets] = True
    accumulate(np.ascontiguousarray(increments, dtype=np.float64),
               np.ascontiguousarray(counted, dtype=np.bool_), reset_after, state, before)
    return before
