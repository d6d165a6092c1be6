"""Streaming and rolling metrics, updated one event at a time or one batch at a time."""

from streamlearn.metrics._base import Metric
from streamlearn.metrics._registry import get_metric
from streamlearn.metrics.alerts import AlertLatency
from streamlearn.metrics.budget import (
    AlertSavings,
    ExpectedCost,
    PrecisionAtBudget,
    RecallAtBudget,
)
from streamlearn.metrics.calibration import BrierScore, ExpectedCalibrationError
from streamlearn.metrics.classification import F1, Accuracy, Precision, Recall
from streamlearn.metrics.confusion import ConfusionMatrix
from streamlearn.metrics.log_loss import LogLoss
from streamlearn.metrics.ranking import NDCGAtK, PrecisionAtK, RecallAtK
from streamlearn.metrics.regression import MAE, MSE, R2, RMSE
from streamlearn.metrics.roc_auc import ROCAUC
from streamlearn.metrics.rolling import Rolling
from streamlearn.metrics.threshold import RecallFirstThreshold

__all__ = [
    "F1",
    "MAE",
    "MSE",
    "R2",
    "RMSE",
    "ROCAUC",
    "Accuracy",
    "AlertLatency",
    "AlertSavings",
    "BrierScore",
    "ConfusionMatrix",
    "ExpectedCalibrationError",
    "ExpectedCost",
    "LogLoss",
    "Metric",
    "NDCGAtK",
    "Precision",
    "PrecisionAtBudget",
    "PrecisionAtK",
    "Recall",
    "RecallAtBudget",
    "RecallAtK",
    "RecallFirstThreshold",
    "Rolling",
    "get_metric",
]
