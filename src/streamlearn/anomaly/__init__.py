"""Streaming anomaly detection: detectors answer a score per event (higher is more unusual),
filters turn a detector's scores into 0/1 alerts."""

from streamlearn.anomaly.filters import QuantileFilter, ThresholdFilter
from streamlearn.anomaly.hst import HalfSpaceTrees
from streamlearn.anomaly.isolation_forest import IsolationForestStream
from streamlearn.anomaly.loda import LODA
from streamlearn.anomaly.robust_zscore import RobustZScore
from streamlearn.anomaly.score_feature import AnomalyScoreFeature

__all__ = [
    "LODA",
    "AnomalyScoreFeature",
    "HalfSpaceTrees",
    "IsolationForestStream",
    "QuantileFilter",
    "RobustZScore",
    "ThresholdFilter",
]
