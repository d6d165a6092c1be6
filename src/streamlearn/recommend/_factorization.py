"""What the baseline predictor and biased matrix factorisation share: the global mean, user
and item biases, latent factors (none for the baseline), one SGD kernel."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.recommend import _kernels as kernels
from streamlearn.recommend._base import Recommender

_STREAMS = {"user": 0, "item": 1}  # each kind draws its initial factors from its own stream


class Factorization(Recommender):
    """Predicts ``mean + b_u + b_i + <p_u, q_i>`` and learns it by SGD on the squared error.

    State beyond the base's: ``global_mean_`` and ``n_ratings_``, ``user_biases_``,
    ``item_biases_``, ``user_factors_`` and ``item_factors_`` (one row per slot).
    """

    n_factors: int = 0
    bias_learning_rate: float
    latent_learning_rate: float = 0.0
    l2_bias: float
    l2_latent: float = 0.0
    init_std: float = 0.0
    clip_gradient: float
    seed: int = 0

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "bias_learning_rate", self.bias_learning_rate, low=0.0,
                     low_inclusive=False)
        check_number(self, "l2_bias", self.l2_bias, low=0.0)
        check_number(self, "clip_gradient", self.clip_gradient, low=0.0, low_inclusive=False)

    def _start_state(self) -> None:
        self.global_mean_ = 0.0
        self.n_ratings_ = 0
        self.user_biases_ = np.zeros(0)
        self.item_biases_ = np.zeros(0)
        self.user_factors_ = np.zeros((0, self.n_factors))
        self.item_factors_ = np.zeros((0, self.n_factors))

    def _grow(self, kind: str, old: int, new: int) -> None:
        biases, factors = f"{kind}_biases_", f"{kind}_factors_"
        setattr(self, biases, np.concatenate([getattr(self, biases), np.zeros(new - old)]))
        grown = np.empty((new, self.n_factors))
        grown[:old] = getattr(self, factors)
        kernels.fill_normal(grown, self.seed, _STREAMS[kind], old, float(self.init_std))
        setattr(self, factors, grown)

    def _run(self, users_pred, items_pred, users_learn, items_learn, learnt, y, out) -> None:
        totals = np.array([float(self.n_ratings_), self.global_mean_])
        kernels.factorization(
            users_pred, items_pred, users_learn, items_learn, learnt, y, self.user_counts_,
            self.item_counts_, self.user_biases_, self.item_biases_, self.user_factors_,
            self.item_factors_, totals, float(self.bias_learning_rate),
            float(self.latent_learning_rate), float(self.l2_bias), float(self.l2_latent),
            float(self.clip_gradient), out)
        self.n_ratings_, self.global_mean_ = int(totals[0]), float(totals[1])

    def _scores(self, user_slot: int) -> np.ndarray:
        scores = self.global_mean_ + self.item_biases_
        if user_slot >= 0 and self.user_counts_[user_slot] > 0:
            scores = scores + self.user_biases_[user_slot]
            scores = scores + self.item_factors_ @ self.user_factors_[user_slot]
        return scores
