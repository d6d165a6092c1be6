"""Online principal component analysis: CCIPCA, one pass, no covariance matrix."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Transformer
from streamlearn.core.params import check_number
from streamlearn.features import _pca_kernels as kernels


class OnlinePCA(FeatureStateMixin, Transformer):
    """Project the numeric features on their leading principal components, learnt online.

    Candid covariance-free incremental PCA (CCIPCA; Weng, Zhang & Hwang 2003, "Candid
    covariance-free incremental principal component analysis", IEEE TPAMI 25(8)): each
    component is a running average of ``u (u · v / |v|)`` over the centred events ``u``,
    whose direction converges to an eigenvector of the covariance and whose length to its
    eigenvalue; each event then loses its part along the component before updating the next
    one. ``amnesic`` (the paper's ``l``, typically 2 to 4) weighs recent events more, for
    drifting streams; 0 is the plain average. Cost per event: O(features × components).

    The numeric columns are replaced by ``pc0 ... pc{n_components-1}`` (categorical ones
    pass through); a component not initialised yet scores 0. Features are centred with their
    running mean; a missing (NaN) or infinite value counts as the mean (0 once centred) and
    is not learnt. ``explained_variance_`` gives the current eigenvalue estimates.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = rng.normal(size=(2000, 1))
    >>> X = np.hstack([3 * t, -3 * t]) + 0.1 * rng.normal(size=(2000, 2))
    >>> pca = OnlinePCA(n_components=1).learn_many(X)
    >>> direction = pca.components_[:, 0] / np.linalg.norm(pca.components_[:, 0])
    >>> bool(abs(direction @ np.array([1, -1]) / np.sqrt(2)) > 0.999)
    True
    """

    _feature_arrays = {"count_": 0.0, "mean_": 0.0, "components_": 0.0}

    def __init__(self, n_components: int = 2, amnesic: float = 0.0):
        self.n_components = n_components
        self.amnesic = amnesic

    @classmethod
    def _check_instances(cls) -> list[OnlinePCA]:
        return [cls(), cls(n_components=3, amnesic=2.0)]

    @property
    def explained_variance_(self) -> np.ndarray:
        """The eigenvalue estimates: the lengths of the components."""
        return np.linalg.norm(self.components_, axis=0)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        check_number(self, "n_components", self.n_components, low=1, integer=True)
        check_number(self, "amnesic", self.amnesic, low=0.0)
        if not hasattr(self, "feature_names_"):
            self.feature_names_: list[str] = []
            self.count_ = np.zeros(0)
            self.mean_ = np.zeros(0)
            self.components_ = np.zeros((0, self.n_components))
            self.seen_ = 0.0
        rows, arrays = self.align(X_learn.columns, X_learn.X, learn)
        if X_pred.columns != X_learn.columns:
            raise SchemaError("OnlinePCA needs the same columns in the predicted and learnt "
                             "events of one call")
        k = self.n_components
        out_pred, out_learn = np.empty((len(X_pred), k)), np.empty((len(X_learn), k))
        seen = np.array([self.seen_])
        kernels.ccipca(X_pred.X, X_learn.X, learn, rows, seen, arrays["count_"],
                       arrays["mean_"], arrays["components_"], float(self.amnesic),
                       out_pred, out_learn)
        if learn.any():
            self.keep_feature_arrays(arrays)
            self.seen_ = float(seen[0])
        names = tuple(f"pc{c}" for c in range(k))
        return (X_pred.with_features(out_pred, names, X_pred.categorical),
                X_learn.with_features(out_learn, names, X_learn.categorical))
