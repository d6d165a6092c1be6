"""Base of the numeric imputers: which columns to impute, per-feature state, assembly."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Transformer
from streamlearn.preprocessing._validation import check_columns


class NumericImputer(FeatureStateMixin, Transformer):
    """Imputes the numeric columns of the batch and every feature learnt before (added when
    a batch lacks it), or only the ``columns`` listed (always added); NaN and ±inf count as
    missing. Other columns pass through."""

    columns: list[str] | None

    def _check_params(self) -> None:
        """Validate the hyper-parameters other than ``columns``."""

    def _run_kernel(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray,
                    targets: tuple[str, ...], values_pred: np.ndarray,
                    values_learn: np.ndarray, out_pred: np.ndarray,
                    out_learn: np.ndarray) -> None:
        raise NotImplementedError

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        listed = check_columns(self, "columns", self.columns)
        self._check_params()
        targets = listed
        if listed is None:  # the batch's columns, and the features learnt before
            present = set(X_learn.columns)
            known = [c for c in getattr(self, "feature_names_", ()) if c not in present]
            targets = X_learn.columns + tuple(known)
        values_learn = _gather(X_learn, targets)
        values_pred = values_learn if X_pred is X_learn else _gather(X_pred, targets)
        out_pred, out_learn = np.empty_like(values_pred), np.empty_like(values_learn)
        fresh = not hasattr(self, "feature_names_")
        if fresh:
            self._init_feature_state()
        self._run_kernel(X_pred, X_learn, learn, targets, values_pred, values_learn,
                         out_pred, out_learn)
        if fresh and not learn.any():  # prediction leaves an unfitted imputer unfitted
            for name in self._state_names():
                delattr(self, name)
        return _assemble(X_pred, targets, out_pred), _assemble(X_learn, targets, out_learn)


def _gather(batch: Batch, names: tuple[str, ...]) -> np.ndarray:
    if names == batch.columns:
        return batch.X
    position = {c: j for j, c in enumerate(batch.columns)}
    out = np.full((len(batch), len(names)), np.nan)
    for k, name in enumerate(names):
        if name in position:
            out[:, k] = batch.X[:, position[name]]
    return out


def _assemble(batch: Batch, names: tuple[str, ...], imputed: np.ndarray) -> Batch:
    if names == batch.columns:
        return batch.with_features(imputed, names, batch.categorical)
    X = batch.X.copy()
    position = {c: j for j, c in enumerate(batch.columns)}
    present = [k for k, name in enumerate(names) if name in position]
    X[:, [position[names[k]] for k in present]] = imputed[:, present]
    absent = [k for k, name in enumerate(names) if name not in position]
    if absent:
        X = np.hstack([X, imputed[:, absent]])
    columns = list(batch.columns) + [names[k] for k in absent]
    return batch.with_features(np.ascontiguousarray(X), columns, batch.categorical)
