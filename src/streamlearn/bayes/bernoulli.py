"""Bernoulli naive Bayes, learnt online."""

from __future__ import annotations

import numpy as np

from streamlearn.bayes import _kernels as kernels
from streamlearn.bayes._base import NaiveBayes
from streamlearn.core.params import check_number


class BernoulliNB(NaiveBayes):
    """Naive Bayes for binary features (the multivariate Bernoulli event model; McCallum &
    Nigam 1998, "A comparison of event models for naive Bayes text classification").

    A feature is *on* when its value is above ``true_threshold``. Per class, the number of
    events and, per feature, how many of them had it on; ``P(f on | c)`` is
    ``(on_fc + alpha) / (events_c + 2 alpha)``. An event scores
    ``log P(c) + sum_f log P(f on | c)`` or ``log(1 - P(f on | c))`` over *every* feature
    learnt so far, each floored at ``1e-9`` (an absent feature, NaN, is off). The arithmetic
    is River's (``naive_bayes.BernoulliNB``).

    >>> model = BernoulliNB()
    >>> emails = [({"free": 1.0, "win": 1.0}, "spam"), ({"meeting": 1.0}, "ham"),
    ...           ({"free": 1.0, "offer": 1.0}, "spam"), ({"meeting": 1.0, "notes": 1.0}, "ham")]
    >>> for x, y in emails:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"free": 1.0}), model.predict_one({"notes": 1.0})
    ('spam', 'ham')
    """

    _feature_arrays = {"feature_counts_": 0.0}

    def __init__(self, alpha: float = 1.0, true_threshold: float = 0.0):
        self.alpha = alpha
        self.true_threshold = true_threshold

    def _validate(self) -> None:
        check_number(self, "alpha", self.alpha, low=0)
        check_number(self, "true_threshold", self.true_threshold)

    def _run(self, X_p, X_l, learn, codes, rows, arrays, known_before, first_seen,
             column_of_row, out) -> None:
        kernels.bernoulli_nb(X_p, X_l, learn, codes, rows, self.class_counts_,
                             arrays["feature_counts_"], known_before, first_seen,
                             column_of_row, float(self.alpha), float(self.true_threshold), out,
                             np.empty(len(self.classes_)))
