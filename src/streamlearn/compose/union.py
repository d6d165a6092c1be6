"""`TransformerUnion`: several transformers side by side on the same events."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch
from streamlearn.core.learners import Transformer


class TransformerUnion(Transformer):
    """Apply each transformer to the same input and join their outputs column-wise.

    When two transformers output a feature of the same name, the later one wins.

    >>> from streamlearn.compose import Select
    >>> union = TransformerUnion(Select("a"), Select("b"))
    >>> union.transform_one({"a": 1.0, "b": 2.0, "c": 3.0})
    {'a': 1.0, 'b': 2.0}
    """

    def __init__(self, *transformers: Transformer):
        self.transformers = transformers

    @classmethod
    def _check_instances(cls) -> list[TransformerUnion]:
        from streamlearn.compose.select import Select
        from streamlearn.preprocessing import StandardScaler

        return [cls(Select("colour"), StandardScaler())]

    def get_params(self) -> dict[str, Any]:
        return {"transformers": self.transformers}

    def clone(self, **overrides: Any) -> TransformerUnion:
        parts = overrides.get("transformers", [t.clone() for t in self.transformers])
        return TransformerUnion(*parts)

    def snapshot(self) -> dict[str, Any]:
        return {"class": "TransformerUnion", "state": {},
                "nested": {str(i): t.snapshot() for i, t in enumerate(self.transformers)}}

    def restore(self, snapshot: dict[str, Any]) -> TransformerUnion:
        for i, t in enumerate(self.transformers):
            t.restore(snapshot["nested"][str(i)])
        return self

    @property
    def is_fitted(self) -> bool:
        return any(t.is_fitted for t in self.transformers)

    def _dynamic_tags(self) -> dict[str, Any]:
        return {"supervised": any(t.tags["supervised"] for t in self.transformers)}

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        outputs = [t.process_many(X_pred, X_learn, learn) for t in self.transformers]
        return (_join(X_pred, [p for p, _ in outputs]), _join(X_learn, [q for _, q in outputs]))

    def __add__(self, other: Estimator) -> TransformerUnion:
        return TransformerUnion(*self.transformers, other)


def _join(template: Batch, parts: list[Batch]) -> Batch:
    position: dict[str, tuple[int, int]] = {}
    for p, part in enumerate(parts):
        for j, name in enumerate(part.columns):
            position[name] = (p, j)
    columns = list(position)
    X = np.empty((len(template), len(columns)))
    for k, name in enumerate(columns):
        p, j = position[name]
        X[:, k] = parts[p].X[:, j]
    categorical: dict[str, np.ndarray] = {}
    for part in parts:
        categorical.update(part.categorical)
    return template.with_features(X, columns, categorical)
