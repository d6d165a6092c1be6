"""Feature extraction on streams: per-key windowed aggregates, calendar features of the event
time, online PCA (distinct from :mod:`streamlearn.core.features`, which aligns feature
columns)."""

from streamlearn.features.lda import OnlineLDA
from streamlearn.features.pca import OnlinePCA
from streamlearn.features.selection import SelectKBest, VarianceThreshold
from streamlearn.features.time_features import TimeFeatures
from streamlearn.features.windowed import WindowedAggregates

__all__ = ["OnlineLDA", "OnlinePCA", "SelectKBest", "TimeFeatures", "VarianceThreshold",
           "WindowedAggregates"]
