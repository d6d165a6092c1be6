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
    load_german_credit,
    load_image_segments,
    load_movielens_100k,
    load_phishing,
    load_shuttle,
)
from streamlearn.datasets.random_rbf import RandomRBF
from streamlearn.datasets.sea import SEA
from streamlearn.datasets.transactions import CardTransactions, Transactions
from streamlearn.datasets.vitals import VitalSigns, VitalSignsData

__all__ = [
    "SEA",
    "Agrawal",
    "CardTransactions",
    "Dataset",
    "Friedman",
    "RandomRBF",
    "RotatingHyperplane",
    "Transactions",
    "VitalSigns",
    "VitalSignsData",
    "load_bananas",
    "load_breast_cancer",
    "load_german_credit",
    "load_image_segments",
    "load_movielens_100k",
    "load_phishing",
    "load_shuttle",
]
