"""`Pipeline`: transformers followed by an optional final model, composed with ``|``."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.classes import plain
from streamlearn.core.learners import (
    Classifier,
    Model,
    Transformer,
    all_rows,
    like_input,
)


class Pipeline(Estimator):
    """Chain of steps; every step but the last is a transformer.

    Order of operations per event, as in River: to predict, each transformer transforms the
    event with its current state and the final model predicts; to learn, each unsupervised
    transformer first learns from the event and then transforms it (a supervised one
    transforms first and learns after), and the final model learns last. The batch path
    (``process_many``) reproduces that order row by row.

    >>> from streamlearn.preprocessing import StandardScaler
    >>> from streamlearn.linear import LogisticRegression
    >>> model = StandardScaler() | LogisticRegression()
    >>> for x, y in [({"a": 1.0}, True), ({"a": -1.0}, False)] * 20:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"a": 0.8}), round(model.predict_proba_one({"a": 0.8})[True], 3)
    (True, 0.536)
    """

    def __init__(self, *steps: Estimator):
        flat: list[Estimator] = []
        for step in steps:
            if isinstance(step, Pipeline):
                flat.extend(step.steps)
            elif isinstance(step, type) and issubclass(step, Estimator):
                flat.append(step())
            elif isinstance(step, Estimator):
                flat.append(step)
            else:
                raise TypeError(f"a pipeline step must be an estimator, got {step!r}")
        for step in flat[:-1]:
            if not isinstance(step, Transformer | Pipeline):
                raise TypeError(
                    f"{type(step).__name__} cannot come before the last step of a pipeline: "
                    "only transformers can")
        self.steps = tuple(flat)

    @classmethod
    def _check_instances(cls) -> list[Pipeline]:
        """Instances the conformance suite runs on (this class needs arguments)."""
        from streamlearn.linear import LogisticRegression
        from streamlearn.preprocessing import StandardScaler

        return [StandardScaler() | LogisticRegression()]

    # ------------------------------------------------------------------ estimator protocol
    def get_params(self) -> dict[str, Any]:
        return {"steps": self.steps}

    def clone(self, **overrides: Any) -> Pipeline:
        steps = overrides.get("steps", [step.clone() for step in self.steps])
        return Pipeline(*steps)

    def snapshot(self) -> dict[str, Any]:
        return {"class": "Pipeline", "state": {},
                "nested": {str(i): step.snapshot() for i, step in enumerate(self.steps)}}

    def restore(self, snapshot: dict[str, Any]) -> Pipeline:
        for i, step in enumerate(self.steps):
            step.restore(snapshot["nested"][str(i)])
        return self

    @property
    def is_fitted(self) -> bool:
        return any(step.is_fitted for step in self.steps)

    def _dynamic_tags(self) -> dict[str, Any]:
        final = self.steps[-1].tags
        return {key: final[key] for key in ("classifier", "regressor", "transformer",
                                            "binary_only", "mini_batch", "clusterer")}

    def __repr__(self) -> str:
        return " | ".join(repr(step) for step in self.steps)

    def __getitem__(self, index: int) -> Estimator:
        return self.steps[index]

    def __len__(self) -> int:
        return len(self.steps)

    # ------------------------------------------------------------------ the batch primitive
    @property
    def final(self) -> Estimator:
        return self.steps[-1]

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> Any:
        for step in self.steps[:-1]:
            X_pred, X_learn = step.process_many(X_pred, X_learn, learn)
        return self.final.process_many(X_pred, X_learn, learn)

    # ------------------------------------------------------------------ per-event and batch faces
    def learn_one(self, x: dict, y: Any = None) -> Pipeline:
        batch = as_batch(x, None if y is None else [y])
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any = None) -> Pipeline:
        batch = as_batch(X, y)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def _answer(self, X: Any) -> Any:
        batch = as_batch(X)
        return self.process_many(batch, batch, all_rows(len(batch), False))

    def _model(self) -> Model:
        if not isinstance(self.final, Model | Pipeline):
            raise TypeError("this pipeline ends with a transformer: it transforms, it does not "
                            "predict")
        return self.final  # type: ignore[return-value]

    @property
    def known_classes(self) -> list[Any]:
        return self._model().known_classes  # type: ignore[attr-defined]

    @property
    def classes_(self) -> list[Any]:
        return self.known_classes

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        return self._model().labels_from_proba(proba)  # type: ignore[attr-defined]

    def predict_many(self, X: Any) -> np.ndarray:
        answer = self._answer(X)
        return self.labels_from_proba(answer) if self.tags["classifier"] else answer

    def predict_proba_many(self, X: Any) -> np.ndarray:
        self._require_classifier()
        return self._answer(X)

    def predict_one(self, x: dict) -> Any:
        value = self.predict_many(x)[0]
        return plain(value) if self.tags["classifier"] else float(value)

    def predict_proba_one(self, x: dict) -> dict[Any, float]:
        proba = self.predict_proba_many(x)[0]
        return {c: float(p) for c, p in zip(self.known_classes, proba)}

    def transform_one(self, x: dict) -> dict:
        return self.transform_many(as_batch(x)).row(0)

    def transform_many(self, X: Any) -> Any:
        batch = as_batch(X)
        learn = all_rows(len(batch), False)
        for step in self.steps if self.tags["transformer"] else self.steps[:-1]:
            batch, _ = step.process_many(batch, batch, learn)
        return like_input(batch, X)

    def explain_one(self, x: dict) -> dict[str, Any]:
        """Each input feature's contribution to the score of ``x`` (a linear final step;
        see :mod:`streamlearn.compose.explain`)."""
        from streamlearn.compose.explain import explain_one

        return explain_one(self, x)

    def explain_many(self, X: Any) -> Any:
        """The contributions for a batch of events, as an ``Explanation``."""
        from streamlearn.compose.explain import explain_many

        return explain_many(self, X)

    def _require_classifier(self) -> None:
        if not isinstance(self.final, Classifier | Pipeline) or not self.tags["classifier"]:
            raise TypeError(f"{type(self.final).__name__} is not a classifier")
