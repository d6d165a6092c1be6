"""The Hoeffding tree classifier (VFDT) of Domingos & Hulten (2000)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.learners import Classifier
from streamlearn.core.params import check_choice, check_number
from streamlearn.trees import _kernels as k
from streamlearn.trees._base import (
    HoeffdingTreeBase,
    check_leaf_prediction,
    class_rows,
    fit_all,
    require_labels,
    run_rows,
    segments,
)
from streamlearn.trees._classifier_kernels import (
    GAUSS_WIDTH,
    MODE_MC,
    MODE_NB,
    MODE_NBA,
    run_classifier,
)
from streamlearn.trees._state import Schema, depth, n_leaves, new_tree

CLASSIFIER_SCHEMA: Schema = {
    "class_weight": ("classes",),
    "gauss": ("numeric", "classes", GAUSS_WIDTH),
    "nominal": ("nominal", "categories", "classes"),
}
LEAF_PREDICTIONS = {"mc": MODE_MC, "nb": MODE_NB, "nba": MODE_NBA}
CRITERIA = {"info_gain": k.CRITERION_INFO_GAIN, "gini": k.CRITERION_GINI}


class ClassifierTreeMixin(HoeffdingTreeBase):
    """Parameters of a classification tree, shared with the adaptive forest."""

    leaf_prediction: str
    nb_threshold: float
    split_criterion: str
    n_splits: int
    min_branch_fraction: float
    max_share_to_split: float

    def _classifier_params(self, max_features: int = 0) -> np.ndarray:
        self._check_common()
        mode = check_leaf_prediction(self, self.leaf_prediction, LEAF_PREDICTIONS)
        check_choice(self, "split_criterion", self.split_criterion, CRITERIA)
        check_number(self, "nb_threshold", self.nb_threshold, low=0)
        check_number(self, "n_splits", self.n_splits, low=1, integer=True)
        check_number(self, "min_branch_fraction", self.min_branch_fraction, low=0, high=0.5)
        check_number(self, "max_share_to_split", self.max_share_to_split, low=0, high=1)
        params = self._base_params()
        params[k.P_MODE] = mode
        params[k.P_NB_THRESHOLD] = self.nb_threshold
        params[k.P_CRITERION] = CRITERIA[self.split_criterion]
        params[k.P_N_SPLITS] = self.n_splits
        params[k.P_MIN_BRANCH] = self.min_branch_fraction
        params[k.P_MAX_SHARE] = self.max_share_to_split
        params[k.P_MAX_FEATURES] = max_features
        return params


class HoeffdingTreeClassifier(ClassesMixin, ClassifierTreeMixin, Classifier):
    """Hoeffding tree (VFDT): an incremental decision tree that splits a leaf once the
    Hoeffding bound says, with probability ``1 - delta``, that the best split seen so far is
    the best split there is (Domingos & Hulten 2000).

    Each leaf keeps, per numeric feature and class, a Gaussian of the values seen (weight,
    mean, variance, min and max), and per nominal (string) feature and class the weight of
    each category. Every ``grace_period`` events a leaf evaluates ``n_splits`` thresholds
    evenly spaced between the smallest and largest value of each numeric feature (each
    class's share on either side estimated from its Gaussian, as MOA's and River's Gaussian
    observers do) and a one-against-the-rest split for each category of each nominal feature,
    scored by information gain (or Gini). It splits on the best candidate when its merit
    beats the second best by more than the Hoeffding bound
    ``sqrt(R² ln(1/delta) / 2n)`` (``R = log2(classes)``), or when that bound falls under
    ``tau``. A split needs both branches to hold more than ``min_branch_fraction`` of the
    weight; a leaf whose majority class exceeds ``max_share_to_split`` does not try.

    Leaves answer with the majority class's frequencies (``"mc"``), naive Bayes over their
    observers (``"nb"``, once they have seen ``nb_threshold`` weight) or, by default,
    whichever of the two has been right more often at that leaf (``"nba"``, Gama, Rocha &
    Medas 2003). A missing value follows the branch that has seen more weight. Splits are
    binary: ``x <= threshold`` for numeric features, ``x == category`` for nominal ones.
    ``max_depth`` caps the depth; ``max_size`` (MiB) caps the tree's arrays: once one more
    leaf would exceed it, leaves stop splitting but keep learning.

    The tree lives in flat numpy arrays (node feature, threshold, children; per-leaf
    statistics) walked and updated by a numba kernel over whole micro-batches; split attempts
    run inside the kernel at the event that triggers them, so batches of any size give the
    same tree as events one at a time. Defaults are River's ``tree.HoeffdingTreeClassifier``.

    References: P. Domingos and G. Hulten, "Mining high-speed data streams", KDD 2000;
    J. Gama, R. Rocha and P. Medas, "Accurate decision trees for mining high-speed data
    streams", KDD 2003.

    >>> from streamlearn.datasets import SEA
    >>> data = SEA(seed=1, noise=0.0).take(6000)
    >>> model = HoeffdingTreeClassifier(grace_period=100)
    >>> _ = model.learn_many(data.X[:5000], data.y[:5000])
    >>> model.n_leaves, model.depth
    (5, 3)
    >>> round(float((model.predict_many(data.X[5000:]) == data.y[5000:]).mean()), 3)
    0.966
    >>> model.predict_one({"x0": 9.0, "x1": 8.0, "x2": 1.0})
    True
    """

    _tags = {"handles_categorical": True}
    _schema: ClassVar[Schema] = CLASSIFIER_SCHEMA

    @classmethod
    def _check_instances(cls) -> list[HoeffdingTreeClassifier]:
        """Variants the conformance suite runs: small grace periods so the 600-event stream
        grows a tree, each leaf predictor, Gini, and a depth and size limit."""
        return [cls(grace_period=40, delta=0.01),
                cls(grace_period=30, delta=0.05, leaf_prediction="mc", split_criterion="gini",
                    max_depth=3),
                cls(grace_period=25, leaf_prediction="nb", tau=0.5, max_size=0.01)]

    def __init__(self, grace_period: int = 200, delta: float = 1e-7, tau: float = 0.05,
                 leaf_prediction: str = "nba", nb_threshold: float = 0,
                 split_criterion: str = "info_gain", n_splits: int = 10,
                 min_branch_fraction: float = 0.01, max_share_to_split: float = 0.99,
                 max_depth: int | None = None, max_size: float = 100.0):
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

    def _start(self) -> None:
        self._classifier_params()
        self._init_inputs()
        self._init_classes()
        dims = {"classes": 0, "numeric": 0, "nominal": 0, "categories": 0}
        self.tree_ = new_tree(self._schema, dims, seed=0, stream=0, max_features=0)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        n = len(learn)
        if not hasattr(self, "tree_"):
            if not learn.any():
                return np.zeros((n, 0))
            self._start()
        require_labels(self, X_learn, learn)
        params = self._classifier_params()
        n_before = len(self.classes_)
        labels = self.encode_labels(X_learn.y, learn)
        learnt = self._register_inputs(X_learn, learn, n_before)
        learnt.class_rows = class_rows(labels, n_before, len(self.classes_))
        Z_pred, Z_learn, same = self._inputs_of(X_pred, X_learn)
        kinds, slots = self._kinds_and_slots()
        out = np.zeros((n, len(self.classes_)))
        correct = np.zeros(n, dtype=np.int8)
        rows = (Z_pred, Z_learn, same, learn, labels, learn.astype(np.float64))
        for start, stop in segments(learnt, n):
            fit_all([self.tree_], self._schema, learnt.dims_at(start))
            run_rows(run_classifier, self.tree_, self._schema, rows, start, stop,
                     (kinds, slots, params), (out, correct))
        return out

    @property
    def n_leaves(self) -> int:
        """Number of leaves of the tree (0 before it learns)."""
        return n_leaves(self.tree_) if hasattr(self, "tree_") else 0

    @property
    def depth(self) -> int:
        """Depth of the deepest leaf (the root alone has depth 0)."""
        return depth(self.tree_) if hasattr(self, "tree_") else 0
