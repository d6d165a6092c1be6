"""Datasets: synthetic drifting streams and loaders of real data shipped with installed packages.

Synthetic streams are seeded and vectorised: ``take(n)`` returns a `Dataset` of ``n`` events,
iteration yields ``(x, y)`` pairs River style. Nothing here downloads data.
"""

from streamlearn.datasets._base import Dataset
from streamlearn.datasets.agrawal import Agrawal
from streamlearn.datasets.friedman import Friedman
from streamlearn.datasets.hyperplane import RotatingHyperplane
from streamlearn.datasets.loaders import (
    load_bananas,
    load_breast_cancer,
    load_image_segments,
    load_phishing,
    load_shuttle,
)
from streamlearn.datasets.random_rbf import RandomRBF
from streamlearn.datasets.sea import SEA

__all__ = [
    "SEA",
    "Agrawal",
    "Dataset",
    "Friedman",
    "RandomRBF",
    "RotatingHyperplane",
    "load_bananas",
    "load_breast_cancer",
    "load_image_segments",
    "load_phishing",
    "load_shuttle",
]
