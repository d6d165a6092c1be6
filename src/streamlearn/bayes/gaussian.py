"""Gaussian naive Bayes, learnt online."""

from __future__ import annotations

import numpy as np

from streamlearn.bayes import _kernels as kernels
from streamlearn.bayes._base import NaiveBayes


class GaussianNB(NaiveBayes):
    """Naive Bayes with a Gaussian per class and feature (Gaussian naive Bayes; see e.g.
    John & Langley 1995, "Estimating continuous distributions in Bayesian classifiers",
    UAI).

    Per class, the number of events; per class and feature, the count, mean and sum of
    squared deviations of the values learnt (Welford's update). An event's joint
    log-likelihood for a class is ``log P(class) + sum_f log(1e-9 + pdf_f(x_f))`` over its
    present features, with the (population) variance of the class's values; a feature the
    class has no spread for scores ``log(1e-9)``. Probabilities are the softmax of these.
    The arithmetic is River's (``naive_bayes.GaussianNB``), so the same stream gives the same
    predictions. Absent features (NaN) are skipped, features and classes may appear
    mid-stream; a class not seen yet has probability 0.

    >>> model = GaussianNB()
    >>> for x, y in [({"size": 1.0}, "small"), ({"size": 1.2}, "small"),
    ...              ({"size": 3.0}, "large"), ({"size": 3.4}, "large")]:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"size": 1.5}), model.predict_one({"size": 2.8})
    ('small', 'large')
    >>> {c: round(p, 3) for c, p in model.predict_proba_one({"size": 2.1}).items()}
    {'small': 0.002, 'large': 0.998}
    """

    _feature_arrays = {"counts_": 0.0, "means_": 0.0, "deviations_": 0.0}

    def __init__(self) -> None:
        pass

    def _run(self, X_p, X_l, learn, codes, rows, arrays, known_before, first_seen,
             column_of_row, out) -> None:
        kernels.gaussian_nb(X_p, X_l, learn, codes, rows, self.class_counts_,
                            arrays["counts_"], arrays["means_"], arrays["deviations_"], out,
                            np.empty(len(self.classes_)))

    def means(self) -> dict:
        """The mean of each feature, per class."""
        return self._per_class("means_", lambda array: array)

    def variances(self) -> dict:
        """The (population) variance of each feature, per class."""
        counts = getattr(self, "counts_", np.zeros((0, 0)))
        return self._per_class("deviations_", lambda array: np.divide(
            array, counts, out=np.zeros_like(array), where=counts > 0))

    def _per_class(self, name: str, transform) -> dict:
        values = transform(getattr(self, name, np.zeros((0, 0))))
        names = getattr(self, "feature_names_", [])
        return {c: {f: float(v) for f, v in zip(names, values[:, k])}
                for k, c in enumerate(getattr(self, "classes_", []))}
