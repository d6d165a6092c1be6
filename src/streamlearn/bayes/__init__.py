"""Naive Bayes classifiers learnt online: Gaussian, multinomial and Bernoulli.

Each keeps counts per class (and per class and feature) in numpy arrays and runs one numba
loop per micro-batch; classes and features may appear mid-stream, absent features (NaN)
are skipped. The arithmetic is River's (``naive_bayes``), so the same stream gives the same
predictions.
"""

from streamlearn.bayes.bernoulli import BernoulliNB
from streamlearn.bayes.gaussian import GaussianNB
from streamlearn.bayes.multinomial import MultinomialNB

__all__ = ["BernoulliNB", "GaussianNB", "MultinomialNB"]
