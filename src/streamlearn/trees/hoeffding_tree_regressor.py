"""The Hoeffding tree regressor: variance reduction, a Hoeffding-bound test, model leaves."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.core.params import check_number
from streamlearn.trees import _kernels as k
from streamlearn.trees._base import (
    HoeffdingTreeBase,
    check_leaf_prediction,
    fit_all,
    require_labels,
    run_rows,
    segments,
)
from streamlearn.trees._regressor_kernels import (
    BIN_WIDTH,
    MODE_ADAPTIVE,
    MODE_MEAN,
    MODE_MODEL,
    NOMINAL_WIDTH,
    TARGET_WIDTH,
    run_regressor,
)
from streamlearn.trees._state import Schema, depth, n_leaves, new_tree

LEAF_PREDICTIONS = {"mean": MODE_MEAN, "model": MODE_MODEL, "adaptive": MODE_ADAPTIVE}


class RegressorTreeMixin(HoeffdingTreeBase):
    """Parameters of a regression tree, shared with the adaptive forest."""

    leaf_prediction: str
    learning_rate: float
    model_selector_decay: float
    min_samples_split: float
    n_bins: int

    @property
    def _schema(self) -> Schema:
        return {
            "target": (TARGET_WIDTH,),
            "bins": ("numeric", self.n_bins + 1, BIN_WIDTH),
            "bin_count": ("numeric",),
            "nominal": ("nominal", "categories", NOMINAL_WIDTH),
            "model": ("numeric",),
        }

    def _regressor_params(self, max_features: int = 0) -> np.ndarray:
        self._check_common()
        mode = check_leaf_prediction(self, self.leaf_prediction, LEAF_PREDICTIONS)
        check_number(self, "learning_rate", self.learning_rate, low=0)
        check_number(self, "model_selector_decay", self.model_selector_decay, low=0, high=1)
        check_number(self, "min_samples_split", self.min_samples_split, low=0)
        check_number(self, "n_bins", self.n_bins, low=2, integer=True)
        params = self._base_params()
        params[k.P_MODE] = mode
        params[k.P_LEARNING_RATE] = self.learning_rate
        params[k.P_DECAY] = self.model_selector_decay
        params[k.P_MIN_SAMPLES] = self.min_samples_split
        params[k.P_MAX_FEATURES] = max_features
        return params


class HoeffdingTreeRegressor(RegressorTreeMixin, Regressor):
    """Hoeffding tree regressor: the incremental tree of Domingos & Hulten (2000) for a
    numeric target, with the variance-reduction split criterion and model leaves of
    Ikonomovska, Gama & Džeroski (2011, FIMT-DD) as River's ``tree.HoeffdingTreeRegressor``
    applies them.

    Each leaf keeps the target's mean and variance, and per numeric feature a streaming
    histogram of at most ``n_bins`` bins (Ben-Haim & Tom-Tov 2010: each bin holds a centroid
    of the feature and the mean and variance of the target; the two closest bins merge when
    there are too many), per nominal feature the target's statistics per category. Every
    ``grace_period`` events a leaf scores the thresholds between consecutive bins and the
    one-against-the-rest splits of each category by variance reduction (both branches need
    ``min_samples_split`` weight), and splits on the best when the second best's merit is
    less than ``1 - bound`` times the best's, ``bound`` being the Hoeffding bound with range
    1 and confidence ``delta``, or when the bound falls under ``tau``.

    Leaves answer with the target mean (``"mean"``), a linear model trained by SGD with
    ``learning_rate`` on the numeric features (``"model"``), or by default whichever of the
    two has the smaller squared error faded by ``model_selector_decay`` (``"adaptive"``); new
    leaves start from their parent's model. ``max_depth`` and ``max_size`` (MiB) limit the
    tree as in :class:`HoeffdingTreeClassifier`. The tree is flat numpy arrays updated by a
    numba kernel over micro-batches, with the same result for any batch size.

    References: E. Ikonomovska, J. Gama and S. Džeroski, "Learning model trees from evolving
    data streams", Data Mining and Knowledge Discovery 23, 2011; Y. Ben-Haim and
    E. Tom-Tov, "A streaming parallel decision tree algorithm", JMLR 11, 2010.

    >>> from streamlearn.datasets import Friedman
    >>> data = Friedman(seed=1).take(6000)
    >>> model = HoeffdingTreeRegressor(grace_period=100)
    >>> _ = model.learn_many(data.X[:5000], data.y[:5000])
    >>> model.n_leaves, model.depth
    (20, 5)
    >>> round(float(np.abs(model.predict_many(data.X[5000:]) - data.y[5000:]).mean()), 3)
    1.772
    """

    _tags = {"handles_categorical": True}

    @classmethod
    def _check_instances(cls) -> list[HoeffdingTreeRegressor]:
        """Variants the conformance suite runs: small grace periods so the 600-event stream
        grows a tree, each leaf predictor, and a depth and size limit."""
        return [cls(grace_period=40, delta=0.01),
                cls(grace_period=30, leaf_prediction="mean", n_bins=8, max_depth=3),
                cls(grace_period=30, leaf_prediction="model", tau=0.5, max_size=0.01)]

    def __init__(self, grace_period: int = 200, delta: float = 1e-7, tau: float = 0.05,
                 leaf_prediction: str = "adaptive", learning_rate: float = 0.01,
                 model_selector_decay: float = 0.95, min_samples_split: float = 5,
                 n_bins: int = 32, max_depth: int | None = None, max_size: float = 500.0):
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

    def _start(self) -> None:
        self._regressor_params()
        self._init_inputs()
        dims = {"numeric": 0, "nominal": 0, "categories": 0}
        self.tree_ = new_tree(self._schema, dims, seed=0, stream=0, max_features=0)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        n = len(learn)
        if not hasattr(self, "tree_"):
            if not learn.any():
                return np.zeros(n)
            self._start()
        require_labels(self, X_learn, learn)
        params = self._regressor_params()
        targets = numeric_labels(self, X_learn.y, learn)
        learnt = self._register_inputs(X_learn, learn, 0)
        Z_pred, Z_learn, same = self._inputs_of(X_pred, X_learn)
        kinds, slots = self._kinds_and_slots()
        out = np.zeros(n)
        learn_out = np.zeros(n)
        rows = (Z_pred, Z_learn, same, learn, targets, learn.astype(np.float64))
        schema = self._schema
        for start, stop in segments(learnt, n):
            fit_all([self.tree_], schema, learnt.dims_at(start))
            run_rows(run_regressor, self.tree_, schema, rows, start, stop,
                     (kinds, slots, params), (out, learn_out))
        return out

    @property
    def n_leaves(self) -> int:
        """Number of leaves of the tree (0 before it learns)."""
        return n_leaves(self.tree_) if hasattr(self, "tree_") else 0

    @property
    def depth(self) -> int:
        """Depth of the deepest leaf (the root alone has depth 0)."""
        return depth(self.tree_) if hasattr(self, "tree_") else 0
