"""Base of the transformers that keep per-feature state over numeric columns."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Transformer


class NumericTransformer(FeatureStateMixin, Transformer):
    """Transforms every numeric column in place; categorical columns pass through."""

    def _run_kernel(self, X_pred: np.ndarray, X_learn: np.ndarray, learn: np.ndarray,
                    rows: np.ndarray, arrays: dict[str, np.ndarray],
                    out_pred: np.ndarray, out_learn: np.ndarray) -> None:
        raise NotImplementedError

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        if not hasattr(self, "feature_names_"):
            self._init_feature_state()
        rows, arrays = self.align(X_learn.columns, X_learn.X, learn)
        out_pred, out_learn = np.empty_like(X_pred.X), np.empty_like(X_learn.X)
        self._run_kernel(X_pred.X, X_learn.X, learn, rows, arrays, out_pred, out_learn)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return (X_pred.with_features(out_pred, X_pred.columns, X_pred.categorical),
                X_learn.with_features(out_learn, X_learn.columns, X_learn.categorical))
