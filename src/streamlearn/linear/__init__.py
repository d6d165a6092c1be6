"""Online linear models: regression, logistic, softmax, hinge, passive-aggressive.

Each model takes one optimizer step per event (``SGD``, ``Adam`` or ``FTRL``), runs in a
numba kernel over whole micro-batches, and accepts dense features and hashed (sparse) ones.
"""

from streamlearn.linear.linear_regression import LinearRegression
from streamlearn.linear.logistic import LogisticRegression
from streamlearn.linear.optimizers import FTRL, SGD, Adam, Optimizer
from streamlearn.linear.pa import PAClassifier, PARegressor
from streamlearn.linear.softmax import SoftmaxRegression
from streamlearn.linear.svm import LinearSVM

__all__ = [
    "FTRL",
    "SGD",
    "Adam",
    "LinearRegression",
    "LinearSVM",
    "LogisticRegression",
    "Optimizer",
    "PAClassifier",
    "PARegressor",
    "SoftmaxRegression",
]
