"""Online linear models: regression, logistic, softmax, hinge, passive-aggressive."""

from streamlearn.linear.logistic import LogisticRegression

__all__ = ["LogisticRegression"]
