"""Online feature selection: drop low-variance features, keep the k best-scored ones."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Transformer, numeric_labels
from streamlearn.core.params import check_choice, check_number
from streamlearn.features import _selection_kernels as kernels

SCORES = ("f_classif", "f_regression", "abs_correlation")


def aligned_inputs(X_pred: Batch, X_learn: Batch
                   ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Columns and both matrices over the same columns (the union, when the predicted and
    learnt events of one call differ: upstream steps may answer them differently)."""
    if X_pred.columns == X_learn.columns:
        return X_learn.columns, X_pred.X, X_learn.X
    columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
    return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out


def _selected(batch: Batch, columns: tuple[str, ...], out: np.ndarray, kept: np.ndarray
              ) -> Batch:
    """The columns kept for at least one event of the call, in either stream (NaN where
    dropped for an event, so a dict event lacks them); categorical columns pass through."""
    if kept.all():
        return batch.with_features(out, columns, batch.categorical)
    names = tuple(c for c, keep in zip(columns, kept) if keep)
    return batch.with_features(np.ascontiguousarray(out[:, kept]), names, batch.categorical)


def _outputs(X_pred: Batch, X_learn: Batch, columns: tuple[str, ...], out_pred: np.ndarray,
             out_learn: np.ndarray, kept: np.ndarray) -> tuple[Batch, Batch]:
    return (_selected(X_pred, columns, out_pred, kept),
            _selected(X_learn, columns, out_learn, kept))


class VarianceThreshold(FeatureStateMixin, Transformer):
    """Drop the numeric features whose running variance is not above ``threshold``.

    The mean and the population variance (``ddof=0``, as scikit-learn's
    ``VarianceThreshold``) of each feature are kept with Welford's update (Welford 1962,
    "Note on a method for calculating corrected sums of squares and products"), event by
    event. As in River's ``feature_selection.VarianceThreshold``, a feature with fewer than
    ``min_samples`` learnt values (its variance is not known yet) is kept, so every feature
    passes through at first, and one dropped may come back if its variance grows.

    Each event is answered with the variances as they stand (after learning it, for a
    learnt event). Both outputs of a call (predicted and learnt events) have the columns
    kept for at least one of its events, in their input order; a column dropped for some
    events is NaN (absent) there, so the same events give the same values whatever the
    batch size. Missing (NaN) and infinite values
    are never learnt; categorical columns pass through.

    >>> selector = VarianceThreshold()
    >>> for x in [{"constant": 1.0, "moving": 1.0}, {"constant": 1.0, "moving": 3.0}]:
    ...     _ = selector.learn_one(x)
    >>> selector.transform_one({"constant": 1.0, "moving": 2.0})
    {'moving': 2.0}
    >>> selector.variances()
    {'constant': 0.0, 'moving': 1.0}
    """

    _feature_arrays = {"count_": 0.0, "mean_": 0.0, "deviation_": 0.0}

    def __init__(self, threshold: float = 0.0, min_samples: int = 2):
        self.threshold = threshold
        self.min_samples = min_samples

    @classmethod
    def _check_instances(cls) -> list[VarianceThreshold]:
        return [cls(), cls(threshold=1.0, min_samples=5)]

    def variances(self) -> dict[str, float]:
        """The running population variance of each feature learnt."""
        count = getattr(self, "count_", np.zeros(0))
        variance = np.divide(getattr(self, "deviation_", np.zeros(0)), count,
                             out=np.zeros_like(count), where=count > 0)
        return {name: float(v) for name, v in zip(getattr(self, "feature_names_", []),
                                                  variance)}

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        check_number(self, "threshold", self.threshold, low=0.0)
        check_number(self, "min_samples", self.min_samples, low=1, integer=True)
        if not hasattr(self, "feature_names_"):
            self._init_feature_state()
        columns, X_p, X_l = aligned_inputs(X_pred, X_learn)
        rows, arrays = self.align(columns, X_l, learn)
        out_pred, out_learn = np.empty_like(X_p), np.full_like(X_l, np.nan)
        kept = np.zeros(len(columns), dtype=np.bool_)
        kernels.variance_threshold(
            X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), rows, arrays["count_"],
            arrays["mean_"], arrays["deviation_"], float(self.threshold),
            float(self.min_samples), out_pred, out_learn, kept)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return _outputs(X_pred, X_learn, columns, out_pred, out_learn, kept)


class SelectKBest(ClassesMixin, FeatureStateMixin, Transformer):
    """Keep the ``k`` numeric features with the best running univariate score against the
    label.

    ``score`` is the statistic of scikit-learn's function of the same name, kept up to date
    event by event with Welford's updates (Welford 1962) instead of computed on a data set:
    ``"f_classif"``, the one-way ANOVA F statistic (Fisher 1925), from the count, mean and
    sum of squared deviations of each feature per class; ``"f_regression"``, the F statistic
    ``r² / (1 - r²) (n - 2)`` of the Pearson correlation ``r`` of a feature with a numeric
    target, from their running co-moments; ``"abs_correlation"``, ``|r|``. A feature is
    scored on the events that carry it. The features with the highest scores win, ties
    going to the feature seen first; a feature not scored yet (a single class, no spread)
    ranks last but is kept while fewer than ``k`` features are known, and a feature never
    learnt is dropped.

    A supervised transformer: an event is transformed with the selection left by the events
    before it, then learnt (a label never chooses its own features); events without a label
    are not learnt. Both outputs of a call have the columns kept for at least one of its
    events, in their input order, NaN (absent) where dropped for an event. Categorical
    columns pass through.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=500)
    >>> X = np.column_stack([rng.normal(size=500), y + rng.normal(size=500),
    ...                      rng.normal(size=500)])
    >>> selector = SelectKBest(k=1).learn_many(X, y)
    >>> selector.transform_many(X).shape
    (500, 1)
    >>> max(selector.scores().items(), key=lambda item: item[1])[0]
    'x1'
    """

    _tags = {"supervised": True}
    _feature_arrays = {"counts_": 0.0, "means_": 0.0, "deviations_": 0.0}

    def __init__(self, k: int = 10, score: str = "f_classif"):
        self.k = k
        self.score = score

    @classmethod
    def _check_instances(cls) -> list[SelectKBest]:
        return [cls(k=2), cls(k=3, score="f_regression"), cls(k=1, score="abs_correlation")]

    def scores(self) -> dict[str, float]:
        """The current score of each feature learnt (-inf where it has none yet)."""
        names = getattr(self, "feature_names_", [])
        values = np.empty(len(names))
        if names:
            self._score_into(self.counts_, self.means_, self.deviations_, values)
        return {name: float(v) for name, v in zip(names, values)}

    def _score_into(self, counts, means, deviations, out) -> None:
        if self.score == "f_classif":
            kernels.f_classif_scores(counts, means, deviations, out)
        else:
            kernels.correlation_scores(counts, means, deviations,
                                       self.score == "f_regression", out)

    def _start(self) -> None:
        self.feature_names_: list[str] = []
        if self.score == "f_classif":  # per feature and class: count, mean, deviations
            self._init_classes()
            widths = (0, 0, 0)
        else:  # per feature: count; means of x and y; Sxx, Syy, Sxy
            widths = (1, 2, 3)
        for name, width in zip(self._feature_arrays, widths):
            setattr(self, name, np.zeros((0, width)))

    def _grow_classes(self, count: int) -> None:
        for name in self._feature_arrays:
            array = getattr(self, name)
            setattr(self, name, np.concatenate([array, np.zeros((array.shape[0], count))],
                                               axis=1))

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        check_number(self, "k", self.k, low=1, integer=True)
        check_choice(self, "score", self.score, SCORES)
        transform = learn = np.ascontiguousarray(learn, dtype=np.bool_)
        if learn.any():
            if X_learn.y is None:
                raise SchemaError("SelectKBest needs labels to learn; none were given")
            learn = learn & X_learn.labelled()
        if not hasattr(self, "feature_names_"):
            self._start()
        codes = np.full(len(learn), -1, dtype=np.int64)
        targets = np.zeros(len(learn))
        if self.score == "f_classif":
            known = len(self.classes_)
            codes = self.encode_labels(X_learn.y, learn)
            if len(self.classes_) > known:
                self._grow_classes(len(self.classes_) - known)
        elif learn.any():
            targets = np.nan_to_num(numeric_labels(self, X_learn.y, learn))
        columns, X_p, X_l = aligned_inputs(X_pred, X_learn)
        rows, arrays = self.align(columns, X_l, learn)
        out_pred, out_learn = np.empty_like(X_p), np.full_like(X_l, np.nan)
        kept = np.zeros(len(columns), dtype=np.bool_)
        kernels.select_k_best(
            X_p, X_l, transform, learn, rows, codes, targets, arrays["counts_"],
            arrays["means_"], arrays["deviations_"], int(self.k), SCORES.index(self.score),
            out_pred, out_learn, kept)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return _outputs(X_pred, X_learn, columns, out_pred, out_learn, kept)
