"""Metrics by the names the command line uses."""

from __future__ import annotations

from collections.abc import Callable

from streamlearn.metrics._base import Metric
from streamlearn.metrics.budget import (
    AlertSavings,
    ExpectedCost,
    PrecisionAtBudget,
    RecallAtBudget,
)
from streamlearn.metrics.calibration import BrierScore, ExpectedCalibrationError
from streamlearn.metrics.classification import F1, Accuracy, Precision, Recall
from streamlearn.metrics.log_loss import LogLoss
from streamlearn.metrics.regression import MAE, MSE, R2, RMSE
from streamlearn.metrics.roc_auc import ROCAUC
from streamlearn.metrics.threshold import RecallFirstThreshold

_FACTORIES: dict[str, Callable[[], Metric]] = {
    "accuracy": Accuracy,
    "precision": Precision,
    "recall": Recall,
    "f1": F1,
    "macro-f1": lambda: F1(average="macro"),
    "micro-f1": lambda: F1(average="micro"),
    "rocauc": ROCAUC,
    "auc": ROCAUC,
    "roc_auc": ROCAUC,
    "logloss": LogLoss,
    "mae": MAE,
    "mse": MSE,
    "rmse": RMSE,
    "r2": R2,
    "precision@1%": PrecisionAtBudget,
    "recall@1%": RecallAtBudget,
    "savings@1%": AlertSavings,
    "cost(5:1)": ExpectedCost,
    "brier": BrierScore,
    "brierscore": BrierScore,
    "ece": ExpectedCalibrationError,
    "expectedcalibrationerror": ExpectedCalibrationError,
    "recallfirstprecision": lambda: RecallFirstThreshold(report="precision"),
    "recallfirstrecall": lambda: RecallFirstThreshold(report="recall"),
    "recallfirstthreshold": lambda: RecallFirstThreshold(report="threshold"),
    "recallfirstalertrate": lambda: RecallFirstThreshold(report="alert_rate"),
}


def get_metric(name: str) -> Metric:
    """A fresh metric from its command-line name (case-insensitive).

    Examples
    --------
    >>> from streamlearn.metrics import get_metric
    >>> get_metric("Macro-F1")
    F1(average='macro')
    """
    factory = _FACTORIES.get(name.strip().lower()) if isinstance(name, str) else None
    if factory is None:
        raise ValueError(
            f"unknown metric {name!r}; choose one of: {', '.join(_FACTORIES)}"
        )
    return factory()
