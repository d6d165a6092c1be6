"""Streaming and rolling metrics, updated one event at a time or one batch at a time."""

from streamlearn.metrics._base import Metric
from streamlearn.metrics._registry import get_metric
from streamlearn.metrics.classification import F1, Accuracy, Precision, Recall
from streamlearn.metrics.confusion import ConfusionMatrix
from streamlearn.metrics.log_loss import LogLoss
from streamlearn.metrics.regression import MAE, MSE, R2, RMSE
from streamlearn.metrics.roc_auc import ROCAUC
from streamlearn.metrics.rolling import Rolling

__all__ = [
    "F1",
    "MAE",
    "MSE",
    "R2",
    "RMSE",
    "ROCAUC",
    "Accuracy",
    "ConfusionMatrix",
    "LogLoss",
    "Metric",
    "Precision",
    "Recall",
    "Rolling",
    "get_metric",
]
