"""Hoeffding trees and adaptive random forests, on flat arrays walked by numba kernels."""

from streamlearn.trees.adaptive_random_forest_classifier import AdaptiveRandomForestClassifier
from streamlearn.trees.adaptive_random_forest_regressor import AdaptiveRandomForestRegressor
from streamlearn.trees.hoeffding_adaptive_tree import HoeffdingAdaptiveTreeClassifier
from streamlearn.trees.hoeffding_tree_classifier import HoeffdingTreeClassifier
from streamlearn.trees.hoeffding_tree_regressor import HoeffdingTreeRegressor

__all__ = [
    "AdaptiveRandomForestClassifier",
    "AdaptiveRandomForestRegressor",
    "HoeffdingAdaptiveTreeClassifier",
    "HoeffdingTreeClassifier",
    "HoeffdingTreeRegressor",
]
