"""The baseline predictor: global mean plus user and item biases, learnt online."""

from __future__ import annotations

from streamlearn.recommend._factorization import Factorization


class Baseline(Factorization):
    """The baseline predictor ``mean + b_u + b_i`` (Koren 2010, "Factor in the neighbors:
    scalable and accurate collaborative filtering", ACM TKDD 4(1), §2.1), learnt by SGD.

    The mean of the ratings learnt so far, plus how much a user rates above it and how much
    an item is rated above it. Learning an event updates the mean, then takes one step on
    ``(prediction - rating)²`` plus ``l2_bias * b²`` for both biases. It is
    :class:`BiasedMF` without latent factors, and the yardstick it should beat. An unknown
    user or item contributes no bias.

    >>> model = Baseline(bias_learning_rate=0.1)
    >>> ratings = [("ann", "alien", 5), ("bob", "alien", 4), ("ann", "heat", 3),
    ...            ("bob", "notebook", 1), ("cat", "alien", 5)]
    >>> for _ in range(50):
    ...     for user, item, rating in ratings:
    ...         _ = model.learn_one({"user": user, "item": item}, rating)
    >>> round(model.global_mean_, 2)
    3.6
    >>> model.recommend("cat", k=2)
    ['heat', 'notebook']
    """

    def __init__(self, bias_learning_rate: float = 0.01, l2_bias: float = 0.0,
                 clip_gradient: float = 1e12, user: str = "user", item: str = "item"
                 ) -> None:
        self.bias_learning_rate = bias_learning_rate
        self.l2_bias = l2_bias
        self.clip_gradient = clip_gradient
        self.user = user
        self.item = item
