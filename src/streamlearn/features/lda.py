"""Online linear discriminant analysis: a supervised projection learnt incrementally."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Transformer
from streamlearn.core.params import check_number
from streamlearn.features import _selection_kernels as kernels
from streamlearn.features.selection import aligned_inputs


class OnlineLDA(ClassesMixin, FeatureStateMixin, Transformer):
    """Project the numeric features on Fisher's discriminant directions, learnt online.

    Fisher's linear discriminant (Fisher 1936, "The use of multiple measurements in
    taxonomic problems", Annals of Eugenics 7(2)) in its incremental form (as in Pang, Ozawa
    & Kasabov 2005, "Incremental linear discriminant analysis for classification of data
    streams", IEEE TSMC-B 35(5)): the overall and per-class running means and the pooled
    within-class scatter ``Sw`` are updated at every event (Welford's update), and every
    ``refresh_every`` learnt events the components become the leading eigenvectors of
    ``Sw⁻¹ Sb`` (``Sb`` the between-class scatter of the class means), solved as a
    symmetric problem after whitening with the Cholesky factor of ``Sw``. ``Sw`` is shrunk
    towards a multiple of the identity by ``shrinkage`` (Ledoit-Wolf style), so it is
    invertible with few events or collinear features. At most ``classes - 1`` directions
    carry information; further ones are orthogonal fill.

    The numeric columns are replaced by ``ld0 ... ld{n_components-1}``, the centred event
    on each component (0 until the first refresh); categorical columns pass through. A
    supervised transformer: an event is projected before it is learnt. Missing (NaN) or
    infinite values count as the mean (0 once centred) and are not learnt; events without
    a label are not learnt. Cost per event: O(features²); per refresh: O(features³).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=1000)
    >>> X = rng.normal(size=(1000, 3)) * [5.0, 1.0, 5.0]
    >>> X[:, 1] += 2.0 * y   # only x1 separates the classes, the others are wide noise
    >>> lda = OnlineLDA(n_components=1).learn_many(X, y)
    >>> direction = lda.components_[:, 0] / np.linalg.norm(lda.components_[:, 0])
    >>> bool(abs(direction[1]) > 0.99)
    True
    """

    _tags = {"supervised": True}
    _feature_arrays = {"count_": 0.0, "mean_": 0.0, "counts_": 0.0, "means_": 0.0,
                       "components_": 0.0}

    def __init__(self, n_components: int = 2, refresh_every: int = 100,
                 shrinkage: float = 1e-3):
        self.n_components = n_components
        self.refresh_every = refresh_every
        self.shrinkage = shrinkage

    @classmethod
    def _check_instances(cls) -> list[OnlineLDA]:
        return [cls(), cls(n_components=1, refresh_every=7, shrinkage=0.5)]

    def _start(self) -> None:
        self._init_classes()
        self.feature_names_: list[str] = []
        self.count_, self.mean_ = np.zeros(0), np.zeros(0)
        self.counts_, self.means_ = np.zeros((0, 0)), np.zeros((0, 0))
        self.components_ = np.zeros((0, self.n_components))
        self.scatter_ = np.zeros((0, 0))
        self.class_counts_ = np.zeros(0)
        self.seen_ = 0.0

    def _grow_classes(self, count: int) -> None:
        for name in ("counts_", "means_"):
            array = getattr(self, name)
            setattr(self, name, np.concatenate([array, np.zeros((array.shape[0], count))],
                                               axis=1))
        self.class_counts_ = np.concatenate([self.class_counts_, np.zeros(count)])

    def _refresh(self, arrays: dict[str, np.ndarray], scatter: np.ndarray) -> None:
        """Components from the current scatters, for the features learnt so far."""
        active = np.flatnonzero(arrays["count_"] > 0.0)
        classes = np.flatnonzero(self.class_counts_ > 0.0)
        if len(active) == 0 or len(classes) < 2:
            return
        weights = self.class_counts_[classes]
        total = weights.sum()
        within = scatter[np.ix_(active, active)] / total
        scale = np.trace(within) / len(active)
        if not scale > 0.0:
            return
        within = (1.0 - self.shrinkage) * within + self.shrinkage * scale * np.eye(len(active))
        gaps = arrays["means_"][np.ix_(active, classes)] - arrays["mean_"][active, None]
        between = (gaps * weights) @ gaps.T / total
        try:
            inverse = np.linalg.inv(np.linalg.cholesky(within))
        except np.linalg.LinAlgError:  # not positive definite (missing values): keep the last
            return
        _, vectors = np.linalg.eigh(inverse @ between @ inverse.T)
        k = min(self.n_components, len(active))
        directions = inverse.T @ vectors[:, ::-1][:, :k]
        largest = np.argmax(np.abs(directions), axis=0)
        directions *= np.sign(directions[largest, np.arange(k)])  # a deterministic sign
        components = arrays["components_"]
        components[:] = 0.0
        components[active, :k] = directions

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        check_number(self, "n_components", self.n_components, low=1, integer=True)
        check_number(self, "refresh_every", self.refresh_every, low=1, integer=True)
        check_number(self, "shrinkage", self.shrinkage, low=0.0, high=1.0,
                     low_inclusive=False)
        transform = learn = np.ascontiguousarray(learn, dtype=np.bool_)
        if learn.any():
            if X_learn.y is None:
                raise SchemaError("OnlineLDA needs labels to learn; none were given")
            learn = learn & X_learn.labelled()
        if not hasattr(self, "feature_names_"):
            self._start()
        known = len(self.classes_)
        codes = self.encode_labels(X_learn.y, learn)
        if len(self.classes_) > known:
            self._grow_classes(len(self.classes_) - known)
        columns, X_p, X_l = aligned_inputs(X_pred, X_learn)
        rows, arrays = self.align(columns, X_l, learn)
        size = arrays["count_"].shape[0]
        scatter = np.zeros((size, size))
        scatter[: len(self.scatter_), : len(self.scatter_)] = self.scatter_
        k = self.n_components
        out_pred, out_learn = np.empty((len(X_pred), k)), np.full((len(X_learn), k), np.nan)
        seen = np.array([self.seen_])
        start = 0
        while start < len(learn):
            start, refresh = kernels.online_lda(
                start, X_p, X_l, transform, learn, rows, codes, seen,
                float(self.refresh_every), self.class_counts_, arrays["count_"],
                arrays["mean_"], arrays["counts_"], arrays["means_"], scatter,
                arrays["components_"], out_pred, out_learn)
            if refresh:
                self._refresh(arrays, scatter)
        if learn.any():
            self.keep_feature_arrays(arrays)
            n = len(self.feature_names_)
            self.scatter_ = scatter[:n, :n].copy()
            self.seen_ = float(seen[0])
        names = tuple(f"ld{c}" for c in range(k))
        return (X_pred.with_features(out_pred, names, X_pred.categorical),
                X_learn.with_features(out_learn, names, X_learn.categorical))
