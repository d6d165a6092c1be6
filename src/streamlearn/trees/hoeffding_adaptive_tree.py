"""The Hoeffding adaptive tree classifier of Bifet & Gavaldà (2009)."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import Classifier
from streamlearn.core.params import check_number
from streamlearn.drift import ADWIN
from streamlearn.drift.base import DriftDetector
from streamlearn.trees import _kernels as k
from streamlearn.trees._base import class_rows, require_labels, segments
from streamlearn.trees._hat_kernels import (
    H_ALT,
    H_DET,
    HC_ALTERNATES,
    HC_PRUNES,
    HC_SWITCHES,
    STATUS_CAPACITY,
    STATUS_VISITS,
    fresh_node,
    run_hat,
)
from streamlearn.trees._state import copy_tree, fit_dims, grow_capacity, new_tree
from streamlearn.trees.hoeffding_tree_classifier import CLASSIFIER_SCHEMA, ClassifierTreeMixin

NO_EVENTS = np.zeros((0, 2), dtype=np.int64)


class HoeffdingAdaptiveTreeClassifier(ClassesMixin, ClassifierTreeMixin, Classifier):
    """Hoeffding adaptive tree (HAT-ADWIN): a Hoeffding tree whose nodes each watch their
    error with a drift detector and grow an alternate subtree when it rises (Bifet & Gavaldà
    2009).

    Every node on the way of a learnt event records whether the leaf the event reaches from
    that node predicted it right, in its detector (ADWIN by default) and in a running error
    estimate. When a node's detector fires and the error has not fallen, the estimate
    restarts and a branch node starts an alternate subtree, which learns the events reaching
    the node from then on. Once both the node and its alternate have seen more than
    ``drift_window_threshold`` events, the alternate replaces the node's subtree if its error
    is lower by more than a bound at significance ``switch_significance``, and is dropped if
    it is higher by more than that bound. Leaves learn with bootstrap weights (Poisson(1),
    River's ``bootstrap_sampling``). The answer combines every leaf the event reaches, in the
    main tree and in the alternates, each weighted by the inverse square of its error, as
    River does. Tree parameters are those of :class:`HoeffdingTreeClassifier`.

    Detectors are Python objects fed with ``update_many``; the kernel learns a batch, the
    recorded errors go to copies of the detectors, and if one fires at row ``r`` the tree
    goes back to where it was, relearns up to ``r`` applying the detection there, and goes
    on: the same tree as events one at a time. The nodes of replaced and dropped subtrees
    are not reclaimed: they stay in the tree's arrays (and count towards ``max_size``).

    Reference: A. Bifet and R. Gavaldà, "Adaptive learning from evolving data streams",
    IDA 2009.

    The concept flips half-way; an alternate subtree takes over from the outdated one:

    >>> rng = np.random.default_rng(0)
    >>> X = 10.0 * rng.random((6000, 2))
    >>> y = X[:, 0] > 5.0
    >>> y[3000:] = ~y[3000:]
    >>> model = HoeffdingAdaptiveTreeClassifier(grace_period=50, seed=1)
    >>> _ = model.learn_many(X[:5000], y[:5000])
    >>> model.n_alternate_trees, model.n_switch_alternate_trees
    (2, 1)
    >>> round(float((model.predict_many(X[5000:]) == y[5000:]).mean()), 3)
    0.998
    """

    _tags = {"handles_categorical": True}
    _schema = CLASSIFIER_SCHEMA

    @classmethod
    def _check_instances(cls) -> list[HoeffdingAdaptiveTreeClassifier]:
        """Variants the conformance suite runs: a sensitive detector and a small window so
        the 600-event stream grows, switches and prunes alternates."""
        return [cls(grace_period=30, delta=0.01, drift_window_threshold=20, seed=2,
                    drift_detector=ADWIN(delta=0.5, clock=4)),
                cls(grace_period=40, leaf_prediction="mc", bootstrap_sampling=False)]

    def __init__(self, grace_period: int = 200, delta: float = 1e-7, tau: float = 0.05,
                 leaf_prediction: str = "nba", nb_threshold: float = 0,
                 split_criterion: str = "info_gain", n_splits: int = 10,
                 min_branch_fraction: float = 0.01, max_share_to_split: float = 0.99,
                 max_depth: int | None = None, max_size: float = 100.0,
                 bootstrap_sampling: bool = True, drift_window_threshold: int = 300,
                 switch_significance: float = 0.05,
                 drift_detector: DriftDetector | None = None, seed: int = 0):
        self.grace_period = grace_period
        self.delta = delta
        self.tau = tau
        self.leaf_prediction = leaf_prediction
        self.nb_threshold = nb_threshold
        self.split_criterion = split_criterion
        self.n_splits = n_splits
        self.min_branch_fraction = min_branch_fraction
        self.max_share_to_split = max_share_to_split
        self.max_depth = max_depth
        self.max_size = max_size
        self.bootstrap_sampling = bootstrap_sampling
        self.drift_window_threshold = drift_window_threshold
        self.switch_significance = switch_significance
        self.drift_detector = drift_detector
        self.seed = seed

    # ------------------------------------------------------------------ parameters
    def _params(self) -> np.ndarray:
        params = self._classifier_params()
        check_number(self, "drift_window_threshold", self.drift_window_threshold, low=0)
        check_number(self, "switch_significance", self.switch_significance, low=0, high=1,
                     low_inclusive=False)
        check_number(self, "seed", self.seed, low=0, high=2**63 - 1, integer=True)
        if not isinstance(self.bootstrap_sampling, bool):
            raise ParameterError("The 'bootstrap_sampling' parameter of "
                                 f"{type(self).__name__} must be a bool. Got "
                                 f"{self.bootstrap_sampling!r} instead.")
        if self.drift_detector is not None and not isinstance(self.drift_detector,
                                                              DriftDetector):
            raise ParameterError(f"The 'drift_detector' parameter of {type(self).__name__} "
                                 f"must be a drift detector or None. Got "
                                 f"{self.drift_detector!r} instead.")
        params[k.P_WINDOW] = self.drift_window_threshold
        params[k.P_SIGNIFICANCE] = self.switch_significance
        params[k.P_BOOTSTRAP] = float(self.bootstrap_sampling)
        return params

    def _prototype(self) -> DriftDetector:
        return self.drift_detector or ADWIN()

    # ------------------------------------------------------------------ state
    def _start(self) -> None:
        self._params()
        self._init_inputs()
        self._init_classes()
        dims = {"classes": 0, "numeric": 0, "nominal": 0, "categories": 0}
        tree = new_tree(self._schema, dims, seed=self.seed, stream=0, max_features=0)
        nodes = tree["node_int"].shape[0]
        tree["hat_int"] = np.full((nodes, 2), -1, dtype=np.int64)
        tree["hat_float"] = np.zeros((nodes, 2))
        tree["hat_counts"] = np.zeros(4, dtype=np.int64)
        fresh_node(0, tree["hat_int"], tree["hat_float"], tree["hat_counts"])
        self.tree_ = tree
        self.detectors_: list[list] = []  # [detector id, detector snapshot] of live nodes

    def _after_restore(self) -> None:
        self._live = None

    def _detectors(self) -> dict[int, DriftDetector]:
        live = self.__dict__.get("_live")
        if live is None:
            prototype = self._prototype()
            live = {int(d): prototype.clone().restore(s) for d, s in self.detectors_}
            self._live = live
        return live

    # ------------------------------------------------------------------ the batch
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        n = len(learn)
        if not hasattr(self, "tree_"):
            if not learn.any():
                return np.zeros((n, 0))
            self._start()
        require_labels(self, X_learn, learn)
        params = self._params()
        n_before = len(self.classes_)
        labels = self.encode_labels(X_learn.y, learn)
        learnt = self._register_inputs(X_learn, learn, n_before)
        learnt.class_rows = class_rows(labels, n_before, len(self.classes_))
        Z_pred, Z_learn, same = self._inputs_of(X_pred, X_learn)
        kinds, slots = self._kinds_and_slots()
        out = np.zeros((n, len(self.classes_)))
        rows = (Z_pred, Z_learn, same, learn, labels, learn.astype(np.float64))
        inputs = (kinds, slots, params)
        for start, stop in segments(learnt, n):
            fit_dims(self.tree_, self._schema, learnt.dims_at(start))
            self._learn_span(start, stop, rows, inputs, out)
        if learn.any():
            live = self._detectors()
            alive = self._live_detector_ids()
            self._live = {d: live[d] for d in alive if d in live}
            self.detectors_ = [[d, det.snapshot()] for d, det in sorted(self._live.items())]
        return out

    def _run(self, start: int, stop: int, rows: tuple, inputs: tuple, events: np.ndarray,
             out: np.ndarray) -> np.ndarray:
        """Run the kernel over rows ``start..stop``; the visits it recorded."""
        visits = np.zeros((4 * (stop - start) + 64, 3), dtype=np.int64)
        n_visits = np.zeros(1, dtype=np.int64)
        status = np.zeros(1, dtype=np.int64)
        tree = self.tree_
        while start < stop:
            start = run_hat(*rows, start, stop, *inputs, tree["node_int"], tree["node_float"],
                            tree["counts"], tree["leaf_float"], tree["leaf_int"],
                            tree["class_weight"], tree["gauss"], tree["nominal"],
                            tree["hat_int"], tree["hat_float"], tree["hat_counts"], events,
                            out, visits, n_visits, status)
            if status[0] == STATUS_CAPACITY:
                grow_capacity(tree, self._schema)
            elif status[0] == STATUS_VISITS:
                visits = np.concatenate([visits, np.zeros_like(visits)])
        return visits[: n_visits[0]]

    def _learn_span(self, start: int, stop: int, rows: tuple, inputs: tuple,
                    out: np.ndarray) -> None:
        live = self._detectors()
        prototype = self._prototype()
        while start < stop:
            kept = copy_tree(self.tree_)
            visits = self._run(start, stop, rows, inputs, NO_EVENTS, out)
            firsts: dict[int, int] = {}
            probes: dict[int, DriftDetector] = {}
            for detector, visited_rows, errors in _by_detector(visits):
                current = live.get(detector)
                probe = prototype.clone() if current is None else \
                    current.clone().restore(current.snapshot())
                fired = probe.update_many(errors)
                probes[detector] = probe
                if len(fired):
                    firsts[detector] = int(visited_rows[fired[0]])
            if not firsts:
                live.update(probes)
                return
            row = min(firsts.values())
            events = np.array([[row, d] for d in sorted(firsts) if firsts[d] == row],
                              dtype=np.int64)
            self.tree_ = kept
            visits = self._run(start, row + 1, rows, inputs, events, out)
            for detector, _, errors in _by_detector(visits):
                if detector not in live:
                    live[detector] = prototype.clone()
                live[detector].update_many(errors)
            start = row + 1

    def _live_detector_ids(self) -> list[int]:
        """Detector ids of the nodes reachable from the root (alternates included)."""
        tree = self.tree_
        node_int, hat_int = tree["node_int"], tree["hat_int"]
        found, pending = [], [0]
        while pending:
            node = pending.pop()
            found.append(int(hat_int[node, H_DET]))
            if hat_int[node, H_ALT] >= 0:
                pending.append(int(hat_int[node, H_ALT]))
            if node_int[node, k.N_FEATURE] >= 0:
                left = int(node_int[node, k.N_LEFT])
                pending.extend((left, left + 1))
        return sorted(found)

    # ------------------------------------------------------------------ inspection
    @property
    def n_alternate_trees(self) -> int:
        """Alternate subtrees started so far."""
        return int(self.tree_["hat_counts"][HC_ALTERNATES]) if hasattr(self, "tree_") else 0

    @property
    def n_switch_alternate_trees(self) -> int:
        """Alternate subtrees that replaced the subtree they were grown for."""
        return int(self.tree_["hat_counts"][HC_SWITCHES]) if hasattr(self, "tree_") else 0

    @property
    def n_pruned_alternate_trees(self) -> int:
        """Alternate subtrees dropped for doing worse."""
        return int(self.tree_["hat_counts"][HC_PRUNES]) if hasattr(self, "tree_") else 0


def _by_detector(visits: np.ndarray):
    """(detector id, rows, errors) for each detector in ``visits``, rows in order."""
    if len(visits) == 0:
        return
    order = np.argsort(visits[:, 1], kind="stable")
    ordered = visits[order]
    ids, starts = np.unique(ordered[:, 1], return_index=True)
    stops = [*starts[1:], len(ordered)]
    for detector, a, b in zip(ids, starts, stops):
        yield int(detector), ordered[a:b, 0], ordered[a:b, 2].astype(np.float64)
