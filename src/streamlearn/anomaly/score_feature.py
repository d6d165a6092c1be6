"""`AnomalyScoreFeature`: an anomaly detector's score as a new feature for the next step."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import Transformer


class AnomalyScoreFeature(Transformer):
    """Add the anomaly score of a streaming detector as a numeric column ``name``.

    ``detector`` is a pipeline spec ending in an anomaly detector, such as
    ``"MinMaxScaler | HalfSpaceTrees(n_trees=25, height=8)"`` (Half-Space Trees wants
    features in [0, 1]). It reads the numeric columns ``on`` (all numeric columns when
    None) and learns from every learnt event without a label, so the score says how unusual
    an event is among the recent ones; the input columns pass through. A supervised model
    after it learns how much the score matters, alongside the other features (an unusual
    payment is not always a fraud).

    >>> import numpy as np
    >>> feature = AnomalyScoreFeature("HalfSpaceTrees(n_trees=5, height=4, window_size=50)",
    ...                               on=["a"], name="odd")
    >>> rng = np.random.default_rng(0)
    >>> for value in 0.5 + 0.02 * rng.normal(size=200):
    ...     _ = feature.learn_one({"a": float(value), "b": 1.0})
    >>> usual = feature.transform_one({"a": 0.5, "b": 1.0})["odd"]
    >>> unusual = feature.transform_one({"a": 0.97, "b": 1.0})["odd"]
    >>> bool(unusual > usual)
    True
    """

    def __init__(self, detector: str = "MinMaxScaler | HalfSpaceTrees",
                 on: list[str] | None = None, name: str = "anomaly_score"):
        self.detector = detector
        self.on = on
        self.name = name

    @classmethod
    def _check_instances(cls) -> list[AnomalyScoreFeature]:
        return [cls("MinMaxScaler | HalfSpaceTrees(n_trees=3, height=4, window_size=40, seed=1)",
                    on=["x0", "x1"])]

    def _build(self) -> Any:
        from streamlearn.registry import parse_pipeline

        if not isinstance(self.detector, str):
            raise ParameterError("The 'detector' parameter of AnomalyScoreFeature must be a "
                                 f"pipeline spec string. Got {self.detector!r} instead.")
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError("The 'name' parameter of AnomalyScoreFeature must be a "
                                 f"column name. Got {self.name!r} instead.")
        model = parse_pipeline(self.detector)
        if not model.tags.get("anomaly", False) and not hasattr(
                getattr(model, "final", model), "score_many"):
            raise ParameterError("The 'detector' of AnomalyScoreFeature must end with an "
                                 f"anomaly detector. Got {self.detector!r} instead.")
        return model

    def snapshot(self) -> dict[str, Any]:
        built = "detector_" in self.__dict__
        return {"class": type(self).__name__, "nested": {},
                "state": {"detector_": self.detector_.snapshot()} if built else {}}

    def restore(self, snapshot: dict[str, Any]) -> AnomalyScoreFeature:
        if snapshot.get("class") != type(self).__name__:
            raise ValueError(f"this snapshot was taken from a {snapshot.get('class')}, not "
                             f"an {type(self).__name__}")
        self.__dict__.pop("detector_", None)
        if "detector_" in snapshot["state"]:
            self.detector_ = self._build().restore(snapshot["state"]["detector_"])
        return self

    def _inputs(self, batch: Batch) -> Batch:
        if self.on is None:
            return batch.with_features(batch.X, batch.columns, {})
        position = {c: j for j, c in enumerate(batch.columns)}
        X = np.full((len(batch), len(self.on)), np.nan)
        for k, column in enumerate(self.on):
            if column in position:
                X[:, k] = batch.X[:, position[column]]
        return batch.with_features(X, tuple(self.on), {})

    def _with_score(self, batch: Batch, scores: np.ndarray) -> Batch:
        columns = [c for c in batch.columns if c != self.name]
        kept = [j for j, c in enumerate(batch.columns) if c != self.name]
        X = np.column_stack([batch.X[:, kept], scores]) if len(batch) else np.zeros(
            (0, len(columns) + 1))
        return batch.with_features(X, (*columns, self.name), dict(batch.categorical))

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        if "detector_" not in self.__dict__:
            self.detector_ = self._build()
        pred_in = self._inputs(X_pred)
        learn_in = pred_in if X_learn is X_pred else self._inputs(X_learn)
        # the detector answers each row with the state before it (the score of X_pred) and
        # learns the learnt rows; the learn stream gets the score its row had when learnt
        scores = np.asarray(self.detector_.process_many(pred_in, learn_in, learn),
                            dtype=np.float64)
        out = self._with_score(X_pred, scores)
        return out, (out if X_learn is X_pred else self._with_score(X_learn, scores))
