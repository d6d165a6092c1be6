"""LODA: an ensemble of one-dimensional histograms over sparse random projections."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.anomaly import _loda_kernels as kernels
from streamlearn.anomaly.base import AnomalyDetector, column_positions
from streamlearn.core.batch import Batch
from streamlearn.core.learners import require_dense
from streamlearn.core.params import check_number


class LODA(AnomalyDetector):
    """LODA, the lightweight on-line detector of anomalies (Pevný, "Loda: Lightweight on-line
    detector of anomalies", Machine Learning 102, 2016).

    ``n_projections`` sparse random projections, each with ``max(1, round(sqrt(d)))`` of the
    ``d`` features weighted by standard normal draws, map an event to one number each; an
    equi-width histogram of ``n_bins`` bins estimates the density of each projection. The
    score is the mean of ``-log density`` over the projections, higher being more anomalous
    (a value outside every bin gets the density 1e-12). For streams that change, the paper's
    on-line variant alternates two histograms, one scoring while the other is built; here
    they alternate over tumbling windows of ``window_size`` learnt events: the projections of
    the window being filled are kept, and at the event completing it they become the
    histograms (spanning their range) that score the events of the next window, whatever
    the batch size. Scores are 0 until the first window is complete.

    The projections are drawn at the first learnt event carrying a feature, over its
    features; later features are ignored. An event lacking a feature (NaN or non-finite) is
    scored with the projections that do not use it, as the paper proposes (0 if none).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> model = LODA(n_projections=50, window_size=500, seed=1)
    >>> _ = model.learn_many(rng.normal(size=(1000, 4)))
    >>> usual = {"x0": 0.1, "x1": -0.2, "x2": 0.0, "x3": 0.3}
    >>> odd = {"x0": 4.0, "x1": -4.0, "x2": 3.0, "x3": 0.0}
    >>> bool(model.score_one(odd) > model.score_one(usual) + 5)
    True
    """

    def __init__(self, n_projections: int = 100, n_bins: int = 10, window_size: int = 256,
                 seed: int | None = 42):
        self.n_projections = n_projections
        self.n_bins = n_bins
        self.window_size = window_size
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[LODA]:
        return [cls(n_projections=8, n_bins=5, window_size=40, seed=3)]

    def _validate(self) -> None:
        check_number(self, "n_projections", self.n_projections, low=1, integer=True)
        check_number(self, "n_bins", self.n_bins, low=1, integer=True)
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        if self.seed is not None:
            check_number(self, "seed", self.seed, low=0, integer=True)

    def _build(self, names: list[str]) -> None:
        rng = np.random.default_rng(self.seed)
        n_members = max(1, round(math.sqrt(len(names))))
        self.feature_names_ = list(names)
        self.members_ = np.stack([
            np.sort(rng.choice(len(names), size=n_members, replace=False))
            for _ in range(self.n_projections)]).astype(np.int64)
        self.weights_ = rng.normal(size=(self.n_projections, n_members))
        self.values_ = np.zeros((self.n_projections, self.window_size))
        self.density_ = np.zeros((self.n_projections, self.n_bins))
        self.low_ = np.zeros(self.n_projections)
        self.width_ = np.ones(self.n_projections)
        self.window_ = np.zeros(2, dtype=np.int64)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        require_dense(self, X_pred, X_learn)
        out = np.zeros(len(learn))
        start = 0
        if not hasattr(self, "members_"):
            self._validate()
            start = self._build_at_first_row(X_learn, learn)
            if start < 0:  # nothing learnt yet: every score is 0
                return out
        pred_columns = column_positions(X_pred, self.feature_names_)
        learn_columns = (pred_columns if X_learn is X_pred
                         else column_positions(X_learn, self.feature_names_))
        kernels.loda(X_pred.X, X_learn.X, np.ascontiguousarray(learn, dtype=np.bool_), start,
                     pred_columns, learn_columns, self.members_, self.weights_, self.values_,
                     self.density_, self.low_, self.width_, self.window_, out)
        return out
