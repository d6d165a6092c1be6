"""The adaptive random forest regressor (Gomes et al. 2018, as River's ``ARFRegressor``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.core.params import check_choice
from streamlearn.drift.base import DriftDetector
from streamlearn.trees._base import require_labels
from streamlearn.trees._forest import ForestMixin, running_metric
from streamlearn.trees._kernels import kernel
from streamlearn.trees._regressor_kernels import run_regressor
from streamlearn.trees.hoeffding_tree_regressor import RegressorTreeMixin


@kernel
def normalised_errors(errors, state, out):
    """River's input to the detectors of a regression tree: each error, min-max scaled with
    the running mean and standard deviation of the tree's errors (``state`` = count, mean,
    sum of squared deviations, updated in place) to ``(e + 3 sd) / (6 sd)``; 0.5 while the
    deviation is unknown."""
    for i in range(errors.shape[0]):
        e = errors[i]
        count = state[0] + 1.0
        mean_before = state[1]
        state[0] = count
        state[1] = mean_before + (e - mean_before) / count
        state[2] += (e - mean_before) * (e - state[1])
        if count <= 1.0:
            out[i] = 0.5
            continue
        sd = math.sqrt(state[2] / (count - 1.0))
        out[i] = (e + 3.0 * sd) / (6.0 * sd) if sd > 0.0 else 0.5


class AdaptiveRandomForestRegressor(ForestMixin, RegressorTreeMixin, Regressor):
    """Adaptive random forest for regression: :class:`HoeffdingTreeRegressor` trees on online
    bootstrap samples (Poisson(``lambda_value``) weights) and random leaf subspaces of
    ``max_features`` features, each replaced when its drift detector fires; a warning starts a
    background tree first (Gomes, Barddal, Ferreira & Bifet 2018).

    The detectors watch each tree's error ``y - prediction``, min-max scaled with the running
    mean and standard deviation of that tree's errors (``(e + 3 sd) / (6 sd)``, River's
    normalisation). The forest answers with the median of the trees' predictions
    (``aggregation_method="median"``, the default) or their mean; with
    ``disable_weighted_vote=False`` and the mean, a tree's weight grows as its squared error
    since its last reset shrinks (weights ``sum(mse) - mse_t``, normalised). The tree
    parameters are those of :class:`HoeffdingTreeRegressor`, with River's forest defaults.
    Results do not depend on the batch size (see :mod:`streamlearn.trees._forest`).

    Reference: H. M. Gomes, J. P. Barddal, L. E. B. Ferreira and A. Bifet, "Adaptive random
    forests for data stream regression", ESANN 2018.

    >>> from streamlearn.datasets import Friedman
    >>> data = Friedman(seed=1).take(4000)
    >>> model = AdaptiveRandomForestRegressor(n_models=5, seed=1)
    >>> _ = model.learn_many(data.X[:3000], data.y[:3000])
    >>> round(float(np.abs(model.predict_many(data.X[3000:]) - data.y[3000:]).mean()), 3)
    1.889
    """

    _tags = {"handles_categorical": True}
    _kernel = staticmethod(run_regressor)

    @classmethod
    def _check_instances(cls) -> list[AdaptiveRandomForestRegressor]:
        """Variants the conformance suite runs: few small trees, sensitive detectors, and the
        weighted mean."""
        from streamlearn.drift import ADWIN

        return [cls(n_models=3, grace_period=20, seed=3,
                    warning_detector=ADWIN(delta=0.5, clock=4),
                    drift_detector=ADWIN(delta=0.2, clock=4)),
                cls(n_models=2, max_features=None, aggregation_method="mean",
                    disable_weighted_vote=False, leaf_prediction="mean", grace_period=30,
                    seed=5)]

    def __init__(self, n_models: int = 10, max_features: Any = "sqrt",
                 aggregation_method: str = "median", lambda_value: float = 6.0,
                 disable_weighted_vote: bool = True,
                 drift_detector: DriftDetector | None = None,
                 warning_detector: DriftDetector | None = None, grace_period: int = 50,
                 delta: float = 0.01, tau: float = 0.05, leaf_prediction: str = "adaptive",
                 learning_rate: float = 0.01, model_selector_decay: float = 0.95,
                 min_samples_split: float = 5, n_bins: int = 32,
                 max_depth: int | None = None, max_size: float = 500.0, seed: int = 0):
        self.n_models = n_models
        self.max_features = max_features
        self.aggregation_method = aggregation_method
        self.lambda_value = lambda_value
        self.disable_weighted_vote = disable_weighted_vote
        self.drift_detector = drift_detector
        self.warning_detector = warning_detector
        self.grace_period = grace_period
        self.delta = delta
        self.tau = tau
        self.leaf_prediction = leaf_prediction
        self.learning_rate = learning_rate
        self.model_selector_decay = model_selector_decay
        self.min_samples_split = min_samples_split
        self.n_bins = n_bins
        self.max_depth = max_depth
        self.max_size = max_size
        self.seed = seed

    def _tree_params(self) -> np.ndarray:
        check_choice(self, "aggregation_method", self.aggregation_method, ("median", "mean"))
        return self._regressor_params(max_features=getattr(self, "max_features_", 0) or 1)

    def _start(self) -> None:
        self._start_forest()
        self.metrics_ = np.zeros((self.n_models, 2))      # squared errors, events, per tree
        self.drift_norm_ = np.zeros((self.n_models, 3))   # count, mean, M2 of the errors

    def _drift_state(self, t: int) -> np.ndarray:
        return self.drift_norm_[t].copy()

    def _restore_drift_state(self, t: int, state: np.ndarray) -> None:
        self.drift_norm_[t] = state

    def _drift_inputs(self, t: int, monitored: np.ndarray, rows: tuple,
                      outputs: tuple) -> np.ndarray:
        errors = rows[4][monitored] - outputs[1][monitored]
        values = np.empty(len(errors))
        state = self.drift_norm_[t].copy()
        normalised_errors(errors, state, values)
        self.drift_norm_[t] = state
        return values

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        n = len(learn)
        if not hasattr(self, "trees_"):
            if not learn.any():
                return np.zeros(n)
            self._start()
        require_labels(self, X_learn, learn)
        targets = numeric_labels(self, X_learn.y, learn)
        learnt = self._register_inputs(X_learn, learn, 0)
        if not self.trees_:
            if not learn.any():
                return np.zeros(n)
            self._plant(learnt, learn)
        params = self._tree_params()
        Z_pred, Z_learn, same = self._inputs_of(X_pred, X_learn)
        outputs = [(np.zeros(n), np.zeros(n)) for _ in range(self.n_models)]
        resets = self._learn_forest((Z_pred, Z_learn, same, learn, targets), learn, learnt,
                                    params, outputs)
        predictions = np.stack([out for out, _ in outputs])
        weighted = not self.disable_weighted_vote and self.aggregation_method == "mean"
        errors = np.zeros((self.n_models, n))
        for t, (_, learn_out) in enumerate(outputs):
            squared = (np.nan_to_num(targets) - learn_out) ** 2
            before = running_metric(squared, learn, self.metrics_[t], resets[t])
            errors[t] = np.divide(before[:, 0], before[:, 1], out=np.zeros(n),
                                  where=before[:, 1] > 0)
        if self.aggregation_method == "median":
            return np.median(predictions, axis=0)
        if not weighted:
            return predictions.mean(axis=0)
        weights = errors.sum(axis=0, keepdims=True) - errors
        total = weights.sum(axis=0, keepdims=True)
        weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0),
                           1.0 / self.n_models)
        return (weights * predictions).sum(axis=0)
