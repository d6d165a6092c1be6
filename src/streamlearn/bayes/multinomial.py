"""Multinomial naive Bayes, learnt online."""

from __future__ import annotations

import numpy as np

from streamlearn.bayes import _kernels as kernels
from streamlearn.bayes._base import NaiveBayes
from streamlearn.core.params import check_number


class MultinomialNB(NaiveBayes):
    """Naive Bayes for counts (multinomial naive Bayes; McCallum & Nigam 1998, "A
    comparison of event models for naive Bayes text classification", AAAI workshop).

    Per class, the number of events and the total of the feature values learnt; per class
    and feature, the total of that feature. The probability of feature ``f`` in class ``c``
    is ``(total_fc + alpha) / (total_c + alpha * n_features)`` (Laplace smoothing for
    ``alpha = 1``, over the features learnt so far), and an event scores
    ``log P(c) + sum_f x_f log P(f | c)``. Values are counts (or tf-idf weights): a negative
    value counts as 0, an absent one (NaN) is skipped. The arithmetic is River's
    (``naive_bayes.MultinomialNB``).

    >>> model = MultinomialNB()
    >>> docs = [({"ball": 2.0, "goal": 1.0}, "sport"), ({"vote": 2.0, "law": 1.0}, "politics"),
    ...         ({"goal": 3.0, "team": 1.0}, "sport"), ({"law": 2.0, "court": 1.0}, "politics")]
    >>> for x, y in docs:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"goal": 1.0, "law": 0.0}), model.predict_one({"court": 2.0})
    ('sport', 'politics')
    """

    _feature_arrays = {"feature_counts_": 0.0}
    _class_arrays = ("class_counts_", "class_totals_")

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def _validate(self) -> None:
        check_number(self, "alpha", self.alpha, low=0, low_inclusive=False)

    def _run(self, X_p, X_l, learn, codes, rows, arrays, known_before, first_seen,
             column_of_row, out) -> None:
        kernels.multinomial_nb(X_p, X_l, learn, codes, rows, self.class_counts_,
                               self.class_totals_, arrays["feature_counts_"], known_before,
                               first_seen, float(self.alpha), out, np.empty(len(self.classes_)))
