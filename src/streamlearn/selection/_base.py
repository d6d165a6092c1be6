"""What the online model selectors share: the candidates, their answers on the selector's
classes, per-event losses, and state that snapshots the candidates with the selector."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin, plain
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import Classifier, Model, Regressor, numeric_labels
from streamlearn.core.params import check_choice

CLASSIFIER_LOSSES = ("accuracy", "log_loss")
REGRESSOR_LOSSES = ("mae", "mse")


class Selector(Model):
    """Base of the selectors: ``models`` are estimators or pipeline specs (text such as
    ``"StandardScaler | LogisticRegression"``, as in job files)."""

    _losses: tuple[str, ...] = ()

    def _check_common(self) -> None:
        if not isinstance(self.models, list | tuple) or len(self.models) < 2:
            raise ParameterError(f"The 'models' parameter of {type(self).__name__} must be a "
                                 f"list of at least two models. Got {self.models!r} instead.")
        check_choice(self, "metric", self.metric, self._losses)

    @property
    def candidates(self) -> list[Estimator]:
        """The candidate models (built from their specs the first time)."""
        built = self.__dict__.get("_candidates")
        if built is None:
            from streamlearn.registry import parse_pipeline

            self._check()
            built = [m if isinstance(m, Estimator) else parse_pipeline(m) for m in self.models]
            kind = "classifier" if isinstance(self, Classifier) else "regressor"
            for model in built:
                if not model.tags[kind]:
                    raise ParameterError(f"{type(self).__name__} selects among {kind}s; "
                                         f"{model!r} is not one")
            self.__dict__["_candidates"] = built
        return built

    def _check(self) -> None:
        self._check_common()

    def _dynamic_tags(self) -> dict[str, Any]:
        tags = [model.tags for model in self.candidates]
        return {"binary_only": any(t.get("binary_only", False) for t in tags),
                "mini_batch": any(t.get("mini_batch", False) for t in tags)}

    # ------------------------------------------------------------------ state
    def clone(self, **overrides: Any) -> Selector:
        params = self.get_params()
        params["models"] = [m.clone() if isinstance(m, Estimator) else m
                            for m in self.models]
        params.update(overrides)
        return type(self)(**params)

    def snapshot(self) -> dict[str, Any]:
        own = super().snapshot()
        own["nested"] = {str(i): m.snapshot() for i, m in enumerate(self.candidates)}
        return own

    def restore(self, snapshot: dict[str, Any]) -> Selector:
        for i, model in enumerate(self.candidates):
            model.restore(snapshot["nested"][str(i)])
        super().restore({**snapshot, "nested": {}})
        return self

    @property
    def is_fitted(self) -> bool:
        return bool(self._state_names()) or any(m.is_fitted for m in self.candidates)

    # ------------------------------------------------------------------ answers and losses
    def _start(self) -> None:
        raise NotImplementedError

    def _labels(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        """What the losses compare answers with: class codes, or numeric targets."""
        raise NotImplementedError

    def _answers(self, model: Estimator, X_pred: Batch, X_learn: Batch,
                 learn: np.ndarray) -> np.ndarray:
        return model.process_many(X_pred, X_learn, learn)

    def _losses_of(self, answers: np.ndarray, targets: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class ClassifierSelection(ClassesMixin, Selector, Classifier):
    """Answers are probabilities over the selector's classes (first seen, first listed);
    each candidate's columns are mapped onto them by class."""

    _losses = CLASSIFIER_LOSSES

    def _start(self) -> None:
        if not hasattr(self, "classes_"):
            self._init_classes()

    def _labels(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        return self.encode_labels(y, learn)

    def _answers(self, model: Estimator, X_pred: Batch, X_learn: Batch,
                 learn: np.ndarray) -> np.ndarray:
        proba = model.process_many(X_pred, X_learn, learn)
        out = np.zeros((len(proba), len(self.classes_)))
        if proba.shape[1]:
            where = {c: k for k, c in enumerate(self.classes_)}
            for c in model.known_classes:   # a class the model has without a label of it
                if plain(c) not in where:    # (a binary model's positive class) comes last
                    where[plain(c)] = len(self.classes_)
                    self.classes_.append(plain(c))
            out = np.zeros((len(proba), len(self.classes_)))
            out[:, [where[plain(c)] for c in model.known_classes]] = proba
        return out  # a model that knows no class yet has no opinion: all zeros

    def _losses_of(self, answers: np.ndarray, codes: np.ndarray) -> np.ndarray:
        rows = np.arange(len(codes))
        if self.metric == "log_loss":
            return -np.log(np.clip(answers[rows, codes], 1e-15, 1.0))
        predicted = np.argmax(answers, axis=1) if answers.shape[1] else np.full(len(codes), -1)
        return (predicted != codes).astype(np.float64)


class RegressorSelection(Selector, Regressor):
    _losses = REGRESSOR_LOSSES

    def _start(self) -> None:
        pass

    def _labels(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        return numeric_labels(self, y, learn)

    def _losses_of(self, answers: np.ndarray, targets: np.ndarray) -> np.ndarray:
        errors = np.abs(answers - targets)
        return errors if self.metric == "mae" else errors ** 2
