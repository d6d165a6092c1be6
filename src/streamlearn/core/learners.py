"""The two faces of transformers, classifiers and regressors over one primitive.

``process_many(X_pred, X_learn, learn)`` walks the rows in order. For row ``i`` it first
answers with the state left by rows ``< i`` (using ``X_pred[i]``); then, if ``learn[i]``,
it learns from ``X_learn[i]`` (labels in ``X_learn.y``). A transformer returns both streams
transformed: row ``i`` of the learn stream is transformed *after* learning from it (before,
for a supervised transformer, so a label never leaks into its own features). Test-then-train
on a whole batch is therefore ``process_many(X, X, all True)``, and the same rows in batches
of any size give the same answers. Rows of the learn stream that are not learnt carry no
meaning: steps never read them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.classes import plain
from streamlearn.core.errors import SchemaError


def all_rows(n: int, value: bool = True) -> np.ndarray:
    return np.full(n, value, dtype=np.bool_)


def like_input(batch: Batch, original: Any) -> Any:
    """Return ``batch`` in the kind of container the user passed."""
    if isinstance(original, np.ndarray):
        return batch.X
    if hasattr(original, "iloc"):
        import pandas as pd

        frame = pd.DataFrame(batch.X, columns=list(batch.columns), index=original.index)
        for name, values in batch.categorical.items():
            frame[name] = values
        return frame
    return batch


class Transformer(Estimator):
    _tags = {"transformer": True}

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        raise NotImplementedError

    def learn_one(self, x: dict, y: Any = None) -> Transformer:
        batch = as_batch(x, None if y is None else [y])
        self.process_many(batch, batch, all_rows(1))
        return self

    def transform_one(self, x: dict) -> dict:
        batch = as_batch(x)
        out, _ = self.process_many(batch, batch, all_rows(1, False))
        return out.row(0)

    def learn_many(self, X: Any, y: Any = None) -> Transformer:
        batch = as_batch(X, y)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def transform_many(self, X: Any) -> Any:
        batch = as_batch(X)
        out, _ = self.process_many(batch, batch, all_rows(len(batch), False))
        return like_input(out, X)


class Model(Estimator):
    """A final estimator: ``process_many`` returns one answer per row."""

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def learn_one(self, x: dict, y: Any) -> Model:
        batch = as_batch(x, [y])
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any) -> Model:
        batch = as_batch(X, y)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def _answer(self, X: Any) -> np.ndarray:
        batch = as_batch(X)
        return self.process_many(batch, batch, all_rows(len(batch), False))


class Classifier(Model):
    """``process_many`` returns class probabilities, one column per entry of ``classes_``."""

    _tags = {"classifier": True}

    @property
    def known_classes(self) -> list[Any]:
        return list(getattr(self, "classes_", []))

    def predict_proba_many(self, X: Any) -> np.ndarray:
        """Probabilities, shape (n, len(known_classes))."""
        return self._answer(X)

    def predict_many(self, X: Any) -> np.ndarray:
        return self.labels_from_proba(self._answer(X))

    def predict_proba_one(self, x: dict) -> dict[Any, float]:
        proba = self._answer(x)[0]
        return {c: float(p) for c, p in zip(self.known_classes, proba)}

    def predict_one(self, x: dict) -> Any:
        return plain(self.labels_from_proba(self._answer(x))[0])

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The most probable class of each row (the first one on ties; None with no class)."""
        classes = self.known_classes
        if proba.shape[1] == 0 or not classes:
            return np.full(len(proba), None, dtype=object)
        if proba.shape[1] == 2:  # binary: a comparison is cheaper than argmax, same ties
            return label_array(classes)[(proba[:, 1] > proba[:, 0]).view(np.uint8)]
        return label_array(classes)[np.argmax(proba, axis=1)]


class Regressor(Model):
    _tags = {"regressor": True}

    def predict_many(self, X: Any) -> np.ndarray:
        return self._answer(X)

    def predict_one(self, x: dict) -> float:
        return float(self._answer(x)[0])


def label_array(classes: list[Any]) -> np.ndarray:
    """Classes as a numpy array of their natural dtype (bool, int, str), object if mixed, so
    that predicted labels compare fast against true ones."""
    kinds = {type(c) for c in classes}
    if len(kinds) == 1 and kinds <= {bool, int, float, str}:
        return np.asarray(classes)
    return np.asarray(classes, dtype=object)


def reject_categorical(owner: object, batch: Batch) -> None:
    """Numeric-only estimators refuse string features with a message saying what to add."""
    if batch.categorical:
        name = next(iter(batch.categorical))
        raise SchemaError(
            f"{type(owner).__name__} needs numeric features but column {name!r} is "
            "categorical; put a OneHotEncoder or FeatureHasher before it in the pipeline",
            column=name,
        )


def require_dense(owner: object, *batches: Batch) -> None:
    """Estimators over dense numeric columns refuse string features and hashed (sparse)
    ones, with a message saying what to do."""
    for batch in batches:
        reject_categorical(owner, batch)
        if batch.sparse is not None:
            raise SchemaError(f"{type(owner).__name__} takes dense features only; hashed "
                              "features (a FeatureHasher's output) are not supported")


def numeric_labels(owner: object, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
    """Regression targets as float64 (NaN where not learnt); a clear error if not numbers."""
    out = np.full(len(learn), np.nan)
    if y is None:
        if learn.any():
            raise SchemaError(f"{type(owner).__name__} needs labels to learn; none were given")
        return out
    try:
        out[learn] = np.asarray(y[learn], dtype=np.float64)
    except (TypeError, ValueError):
        raise SchemaError(f"{type(owner).__name__} needs numeric targets") from None
    if not np.isfinite(out[learn]).all():
        row = int(np.flatnonzero(learn)[~np.isfinite(out[learn])][0])
        raise SchemaError(f"the target of event {row} is not a finite number", row=row)
    return out
