"""The adaptive random forest classifier of Gomes et al. (2017)."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.learners import Classifier
from streamlearn.drift.base import DriftDetector
from streamlearn.trees._base import class_rows, require_labels
from streamlearn.trees._classifier_kernels import run_classifier
from streamlearn.trees._forest import ForestMixin, running_metric
from streamlearn.trees.hoeffding_tree_classifier import CLASSIFIER_SCHEMA, ClassifierTreeMixin


class AdaptiveRandomForestClassifier(ClassesMixin, ForestMixin, ClassifierTreeMixin,
                                     Classifier):
    """Adaptive random forest (ARF): Hoeffding trees grown on online bootstrap samples and
    random feature subspaces, each replaced when its own drift detector fires (Gomes et al.
    2017).

    Each of the ``n_models`` trees is a :class:`HoeffdingTreeClassifier` whose leaves each
    watch a random subset of ``max_features`` features (``"sqrt"``, ``"log2"``, an int, a
    fraction, or ``None`` for all; resolved from the first event as River does), and learns
    each event with a weight drawn from Poisson(``lambda_value``) (leveraging bagging's
    ``lambda = 6``). Each tree feeds its errors to a warning detector and a drift detector
    (ADWIN with ``delta`` 0.01 and 0.001 by default): a warning starts a background tree that
    learns alongside; a drift replaces the tree by it (or by a fresh tree). The forest answers
    with the trees' probabilities weighted by each tree's accuracy since its last reset
    (``disable_weighted_vote=True`` gives equal weights). The tree parameters are those of
    :class:`HoeffdingTreeClassifier`, with River's forest defaults (``grace_period=50``,
    ``delta=0.01``).

    Random draws (bootstrap weights, subspaces) are a function of ``seed`` and the position of
    the event, so results do not depend on the batch size; drift adaptation happens at the
    exact event where a detector fires (see :mod:`streamlearn.trees._forest`).

    Reference: H. M. Gomes, A. Bifet, J. Read, J. P. Barddal, F. Enembreck, B. Pfharinger,
    G. Holmes and T. Abdessalem, "Adaptive random forests for evolving data stream
    classification", Machine Learning 106, 2017.

    >>> from streamlearn.datasets import SEA
    >>> data = SEA(seed=1, noise=0.0).take(4000)
    >>> model = AdaptiveRandomForestClassifier(n_models=5, seed=1)
    >>> _ = model.learn_many(data.X[:3000], data.y[:3000])
    >>> round(float((model.predict_many(data.X[3000:]) == data.y[3000:]).mean()), 3)
    0.987
    """

    _tags = {"handles_categorical": True}
    _schema = CLASSIFIER_SCHEMA
    _kernel = staticmethod(run_classifier)

    @classmethod
    def _check_instances(cls) -> list[AdaptiveRandomForestClassifier]:
        """Variants the conformance suite runs: few small trees, sensitive detectors (so the
        600-event stream sees warnings and drifts), and equal votes with all features."""
        from streamlearn.drift import ADWIN

        return [cls(n_models=3, grace_period=20, seed=3,
                    warning_detector=ADWIN(delta=0.5, clock=4),
                    drift_detector=ADWIN(delta=0.2, clock=4)),
                cls(n_models=2, max_features=None, disable_weighted_vote=True,
                    leaf_prediction="mc", grace_period=30, seed=5)]

    def __init__(self, n_models: int = 10, max_features: Any = "sqrt",
                 lambda_value: float = 6.0, disable_weighted_vote: bool = False,
                 drift_detector: DriftDetector | None = None,
                 warning_detector: DriftDetector | None = None, grace_period: int = 50,
                 delta: float = 0.01, tau: float = 0.05, leaf_prediction: str = "nba",
                 nb_threshold: float = 0, split_criterion: str = "info_gain",
                 n_splits: int = 10, min_branch_fraction: float = 0.01,
                 max_share_to_split: float = 0.99, max_depth: int | None = None,
                 max_size: float = 100.0, seed: int = 0):
        self.n_models = n_models
        self.max_features = max_features
        self.lambda_value = lambda_value
        self.disable_weighted_vote = disable_weighted_vote
        self.drift_detector = drift_detector
        self.warning_detector = warning_detector
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
        self.seed = seed

    def _tree_params(self) -> np.ndarray:
        return self._classifier_params(max_features=getattr(self, "max_features_", 0) or 1)

    def _start(self) -> None:
        self._start_forest()
        self._init_classes()
        self.metrics_ = np.zeros((self.n_models, 2))  # correct answers, events, per tree

    def _drift_inputs(self, t: int, monitored: np.ndarray, rows: tuple,
                      outputs: tuple) -> np.ndarray:
        """The error indicator of each monitored row: 1 when the tree was wrong."""
        return 1.0 - outputs[1][monitored]

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        n = len(learn)
        if not hasattr(self, "trees_"):
            if not learn.any():
                return np.zeros((n, 0))
            self._start()
        require_labels(self, X_learn, learn)
        n_before = len(self.classes_)
        labels = self.encode_labels(X_learn.y, learn)
        learnt = self._register_inputs(X_learn, learn, n_before)
        learnt.class_rows = class_rows(labels, n_before, len(self.classes_))
        n_classes = len(self.classes_)
        if not self.trees_:
            if not learn.any():
                return np.zeros((n, n_classes))
            self._plant(learnt, learn)
        params = self._tree_params()
        Z_pred, Z_learn, same = self._inputs_of(X_pred, X_learn)
        outputs = [(np.zeros((n, n_classes)), np.zeros(n, dtype=np.int8))
                   for _ in range(self.n_models)]
        resets = self._learn_forest((Z_pred, Z_learn, same, learn, labels), learn, learnt,
                                    params, outputs)
        answer = np.zeros((n, n_classes))
        for t, (proba, correct) in enumerate(outputs):
            before = running_metric(correct.astype(np.float64), learn, self.metrics_[t],
                                    resets[t])
            if self.disable_weighted_vote:
                answer += proba
                continue
            accuracy = np.divide(before[:, 0], before[:, 1], out=np.zeros(n),
                                 where=before[:, 1] > 0)
            # River's rule: a tree whose accuracy is 0 (or unknown) votes with weight 1
            answer += np.where(accuracy > 0.0, accuracy, 1.0)[:, None] * proba
        total = answer.sum(axis=1, keepdims=True)
        np.divide(answer, total, out=answer, where=total > 0)
        return answer
