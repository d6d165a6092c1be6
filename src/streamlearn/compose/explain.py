"""Why a linear model says what it says: each input feature's contribution to the score.

For a pipeline ending in a linear model with one output (``LogisticRegression``,
``LinearRegression``, ``LinearSVM``, ``PAClassifier``...), the raw score of an event is
``intercept + sum_j w_j z_j`` where ``z`` is the event as the earlier steps transform it.
The contribution of transformed column ``j`` is ``w_j z_j`` (0 where ``z_j`` is absent),
so the contributions add up exactly to the score minus the intercept (for a logistic
regression the score is the logit, the log-odds of the positive class). This is the
additive attribution of a linear model (the linear case of SHAP's "linear explainer",
Lundberg & Lee 2017, with the scaler's running mean as the reference point).

Columns are then mapped back to the features of the event: a scaled column keeps its name
(after a ``StandardScaler``, ``w_j z_j = w_j (x_j - mean_j) / std_j``: how far this event's
value sits from the running mean, in the model's currency), and the one-hot columns
``"colour=red"``, ``"colour=blue"`` are summed into ``colour``. Columns the earlier steps
derive (``hr_mean_1h`` from windowed aggregates) are reported under their own names.
Explaining never changes the model's state.

Lundberg, S. M. and Lee, S.-I. (2017). A unified approach to interpreting model
predictions. NeurIPS 2017.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.learners import all_rows
from streamlearn.linear._kernels import LOSS_LOG

_SATURATION = 30.0   # the linear kernels' sigmoid saturates beyond +-30, as River's does


class NotExplainableError(TypeError):
    """The model has no additive per-feature explanation."""


@dataclass(frozen=True)
class Explanation:
    """Per event (rows) and per feature (columns): the contributions to the raw score."""

    features: tuple[str, ...]
    contributions: np.ndarray      # (n events, n features)
    intercept: float
    score: np.ndarray              # the raw score (logit of a logistic regression), (n,)
    proba: np.ndarray | None       # P(positive class) for a logistic regression, else None

    def row(self, i: int) -> dict[str, Any]:
        """Event ``i`` as a plain dict; contributions sorted by decreasing magnitude."""
        values = self.contributions[i]
        order = sorted(range(len(self.features)), key=lambda j: -abs(values[j]))
        return {"intercept": self.intercept, "score": float(self.score[i]),
                "proba": None if self.proba is None else float(self.proba[i]),
                "contributions": {self.features[j]: float(values[j]) for j in order}}


def _linear_final(model: Any) -> tuple[list[Any], Any]:
    """(transformer steps, final linear model), or a clear NotExplainableError."""
    steps = list(getattr(model, "steps", [model]))
    final = steps[-1]
    name = type(final).__name__
    from streamlearn.linear._base import OneOutputLinear

    if not isinstance(final, OneOutputLinear):
        raise NotExplainableError(
            f"{name} cannot explain its predictions: per-feature contributions need a "
            "pipeline ending in a linear model with one output (LogisticRegression, "
            "LinearRegression, LinearSVM, PAClassifier, PARegressor)")
    if hasattr(final, "hashed_weights_"):
        raise NotExplainableError(
            f"{name} learnt hashed features, which cannot be mapped back to the input "
            "features; explain a pipeline without a FeatureHasher")
    return steps[:-1], final


def _source_feature(column: str, originals: set[str]) -> str:
    """The input feature a transformed column comes from (one-hot ``"col=value"`` -> col)."""
    if column in originals:
        return column
    head, sep, _ = column.partition("=")
    if sep and head in originals:
        return head
    return column


def explain_many(model: Any, X: Any) -> Explanation:
    """Contributions of every feature to the raw score of each event of ``X``.

    ``X`` is anything a pipeline accepts (a list of dicts, a ``Batch``, a data frame).
    Raises :class:`NotExplainableError` for a model that is not linear with one output.

    >>> from streamlearn.preprocessing import OneHotEncoder, StandardScaler
    >>> from streamlearn.linear import LogisticRegression
    >>> model = OneHotEncoder() | StandardScaler() | LogisticRegression(learning_rate=0.1)
    >>> events = [({"size": 1.0, "colour": "red"}, True), ({"size": -1.0, "colour": "blue"},
    ...            False)] * 50
    >>> for x, y in events:
    ...     _ = model.learn_one(x, y)
    >>> why = explain_many(model, [{"size": 1.5, "colour": "red"}])
    >>> why.features
    ('size', 'colour')
    >>> total = why.contributions[0].sum() + why.intercept
    >>> bool(abs(total - why.score[0]) < 1e-12)
    True
    >>> p = model.predict_proba_one({"size": 1.5, "colour": "red"})[True]
    >>> bool(abs(why.proba[0] - p) < 1e-12)
    True
    """
    transformers, final = _linear_final(model)
    batch = as_batch(X)
    originals = set(batch.columns) | set(batch.categorical)
    transformed = batch
    no_learning = all_rows(len(batch), False)
    for step in transformers:
        transformed, _ = step.process_many(transformed, transformed, no_learning)
    if not isinstance(transformed, Batch):
        raise NotExplainableError("the pipeline's transformers did not produce a batch")
    if transformed.sparse is not None:
        raise NotExplainableError("hashed features cannot be mapped back to input features")
    if transformed.categorical:
        name = next(iter(transformed.categorical))
        raise NotExplainableError(f"column {name!r} reaches the linear model unencoded")
    weights = final.weights
    w = np.array([weights.get(column, 0.0) for column in transformed.columns])
    values = np.where(np.isfinite(transformed.X), transformed.X, 0.0)
    per_column = values * w
    features: list[str] = []
    index_of: dict[str, int] = {}
    target = np.empty(len(transformed.columns), dtype=np.int64)
    for j, column in enumerate(transformed.columns):
        source = _source_feature(column, originals)
        if source not in index_of:
            index_of[source] = len(features)
            features.append(source)
        target[j] = index_of[source]
    contributions = np.zeros((len(batch), len(features)))
    for j in range(len(target)):     # in column order, as the kernel sums them
        contributions[:, target[j]] += per_column[:, j]
    intercept = final.intercept
    score = intercept + per_column.sum(axis=1)
    proba = None
    if getattr(final, "_loss", None) == LOSS_LOG:   # a logistic regression
        clipped = np.clip(score, -_SATURATION, _SATURATION)
        proba = np.where(score > _SATURATION, 1.0, np.where(
            score < -_SATURATION, 0.0, 1.0 / (1.0 + np.exp(-clipped))))
    return Explanation(tuple(features), contributions, intercept, score, proba)


def explain_one(model: Any, x: dict[str, Any]) -> dict[str, Any]:
    """One event's explanation: ``{"intercept", "score", "proba", "contributions"}``, the
    contributions keyed by feature and sorted by decreasing magnitude."""
    return explain_many(model, x).row(0)
