"""Biased matrix factorisation, learnt online by stochastic gradient descent."""

from __future__ import annotations

from streamlearn.core.params import check_number
from streamlearn.recommend._factorization import Factorization


class BiasedMF(Factorization):
    """Biased matrix factorisation (Koren, Bell & Volinsky 2009, "Matrix factorization
    techniques for recommender systems", IEEE Computer 42(8)), one SGD step per rating.

    A rating is predicted as ``mean + b_u + b_i + <p_u, q_i>``: the mean of the ratings learnt
    so far, the user's and the item's biases, and the dot product of their ``n_factors``
    latent factors. Learning an event updates the mean, then takes one step on
    ``(prediction - rating)²`` (gradient clipped to ``clip_gradient``) plus
    ``l2_bias * b²`` and ``l2_latent * |p|²`` penalties, with separate learning rates for
    biases and factors; all gradients use the values before the step. This is the model and
    the update order of River's ``reco.BiasedMF`` with plain SGD and a squared loss.

    Users and items appear mid-stream: a new one starts with a zero bias and factors drawn
    from N(0, ``init_std``²), a function of ``seed`` and its slot only. A user or item that
    no event has taught yet contributes nothing (no bias, no dot product). Events name their
    user and item in the columns ``user`` and ``item`` (see :mod:`streamlearn.recommend`).
    ``recommend(user, k)`` scores every item at once (one matrix-vector product).

    >>> model = BiasedMF(n_factors=4, bias_learning_rate=0.05, latent_learning_rate=0.05)
    >>> ratings = [("ann", "alien", 5), ("ann", "heat", 4), ("bob", "alien", 5),
    ...            ("bob", "notebook", 1), ("cat", "notebook", 5), ("cat", "heat", 2)]
    >>> for _ in range(30):
    ...     for user, item, rating in ratings:
    ...         _ = model.learn_one({"user": user, "item": item}, rating)
    >>> round(model.predict_one({"user": "ann", "item": "alien"}), 2)
    5.1
    >>> model.recommend("bob", k=2)
    ['heat']
    """

    def __init__(self, n_factors: int = 10, bias_learning_rate: float = 0.01,
                 latent_learning_rate: float = 0.01, l2_bias: float = 0.0,
                 l2_latent: float = 0.0, init_std: float = 0.1, clip_gradient: float = 1e12,
                 seed: int = 0, user: str = "user", item: str = "item") -> None:
        self.n_factors = n_factors
        self.bias_learning_rate = bias_learning_rate
        self.latent_learning_rate = latent_learning_rate
        self.l2_bias = l2_bias
        self.l2_latent = l2_latent
        self.init_std = init_std
        self.clip_gradient = clip_gradient
        self.seed = seed
        self.user = user
        self.item = item

    @classmethod
    def _check_instances(cls) -> list[BiasedMF]:
        return [cls(n_factors=4, seed=3, l2_latent=0.01)]

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "n_factors", self.n_factors, low=1, integer=True)
        check_number(self, "latent_learning_rate", self.latent_learning_rate, low=0.0,
                     low_inclusive=False)
        check_number(self, "l2_latent", self.l2_latent, low=0.0)
        check_number(self, "init_std", self.init_std, low=0.0)
        check_number(self, "seed", self.seed, low=0, integer=True)
