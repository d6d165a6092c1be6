"""Nearest-neighbour models over a sliding window of the last learnt events.

:class:`KNNClassifier` and :class:`KNNRegressor` keep the window as an array (one row per
feature) and compute the distances from each event to the whole window in one compiled
loop; features and classes may appear mid-stream.
"""

from streamlearn.neighbors.knn_classifier import KNNClassifier
from streamlearn.neighbors.knn_regressor import KNNRegressor

__all__ = ["KNNClassifier", "KNNRegressor"]
