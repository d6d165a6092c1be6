"""Column selection: keep or drop features by name. Stateless."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Transformer


class Select(Transformer):
    """Keep only the named features (numeric or categorical); others are dropped.

    >>> Select("a", "colour").transform_one({"a": 1.0, "b": 2.0, "colour": "red"})
    {'a': 1.0, 'colour': 'red'}
    """

    def __init__(self, *columns: str):
        self.columns = columns

    @classmethod
    def _check_instances(cls) -> list[Select]:
        return [cls("x0", "x3", "colour")]

    def get_params(self) -> dict:
        return {"columns": self.columns}

    def clone(self, **overrides):
        return type(self)(*overrides.get("columns", self.columns))

    def _keeps(self, name: str) -> bool:
        return name in self.columns

    def _apply(self, batch: Batch) -> Batch:
        kept = [j for j, name in enumerate(batch.columns) if self._keeps(name)]
        return batch.with_features(
            np.ascontiguousarray(batch.X[:, kept]),
            [batch.columns[j] for j in kept],
            {k: v for k, v in batch.categorical.items() if self._keeps(k)},
        )

    def process_many(self, X_pred, X_learn, learn):
        out = self._apply(X_pred)
        return out, (out if X_learn is X_pred else self._apply(X_learn))


class Discard(Select):
    """Drop the named features and keep the others.

    >>> Discard("b").transform_one({"a": 1.0, "b": 2.0})
    {'a': 1.0}
    """

    def _keeps(self, name: str) -> bool:
        return name not in self.columns
