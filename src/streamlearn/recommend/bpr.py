"""Bayesian personalised ranking for implicit feedback, learnt online."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.recommend import _kernels as kernels
from streamlearn.recommend._base import Recommender

_STREAMS = {"user": 0, "item": 1}


class BPR(Recommender):
    """Bayesian personalised ranking (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009,
    "BPR: Bayesian personalized ranking from implicit feedback", UAI), learnt by SGD as
    events arrive.

    Every learnt event is a positive (user, item) interaction; its rating, if any, is ignored.
    The score of item ``i`` for user ``u`` is ``b_i + <p_u, q_i>``. For each event,
    ``n_negatives`` items ``j`` are drawn uniformly among the other items known so far, and
    for each ``ln σ(x_ui - x_uj)`` takes one gradient step (``learning_rate``) with L2
    shrinkage ``l2`` on the parameters it touches. The paper's LearnBPR draws one triple per
    step over many epochs; several negatives per event stand in for the epochs a stream does
    not have (on MovieLens-100K in time order, 5 lift the prequential hit rate@10 from 5.7%,
    popularity's and about that of 1 negative, to about 6.4%). The draws depend only on
    ``seed`` and the number of events learnt, and new factors only on ``seed`` and their
    slot, so any batching gives the same model. An unknown item scores 0; an unknown user
    gets ``b_i``, the items' overall appeal. ``recommend(user, k)`` ranks every item at once.

    >>> model = BPR(n_factors=4, learning_rate=0.1, seed=1)
    >>> clicks = [("ann", "alien"), ("ann", "aliens"), ("bob", "alien"), ("bob", "aliens"),
    ...           ("cat", "heat"), ("cat", "ronin"), ("dan", "heat"), ("dan", "ronin"),
    ...           ("eve", "alien")]
    >>> for _ in range(60):
    ...     for user, item in clicks:
    ...         _ = model.learn_one({"user": user, "item": item}, None)
    >>> model.recommend("eve", k=1)
    ['aliens']
    """

    _needs_labels = False

    @classmethod
    def _check_instances(cls) -> list[BPR]:
        return [cls(n_factors=4, n_negatives=3, seed=2)]

    def __init__(self, n_factors: int = 10, learning_rate: float = 0.05, l2: float = 0.01,
                 n_negatives: int = 1, init_std: float = 0.1, seed: int = 0,
                 user: str = "user", item: str = "item") -> None:
        self.n_factors = n_factors
        self.n_negatives = n_negatives
        self.learning_rate = learning_rate
        self.l2 = l2
        self.init_std = init_std
        self.seed = seed
        self.user = user
        self.item = item

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "n_factors", self.n_factors, low=1, integer=True)
        check_number(self, "learning_rate", self.learning_rate, low=0.0, low_inclusive=False)
        check_number(self, "l2", self.l2, low=0.0)
        check_number(self, "n_negatives", self.n_negatives, low=1, integer=True)
        check_number(self, "init_std", self.init_std, low=0.0)
        check_number(self, "seed", self.seed, low=0, integer=True)

    def _start_state(self) -> None:
        self.n_events_ = 0
        self.item_biases_ = np.zeros(0)
        self.user_factors_ = np.zeros((0, self.n_factors))
        self.item_factors_ = np.zeros((0, self.n_factors))

    def _grow(self, kind: str, old: int, new: int) -> None:
        if kind == "item":
            self.item_biases_ = np.concatenate([self.item_biases_, np.zeros(new - old)])
        factors = f"{kind}_factors_"
        grown = np.empty((new, self.n_factors))
        grown[:old] = getattr(self, factors)
        kernels.fill_normal(grown, self.seed, _STREAMS[kind], old, float(self.init_std))
        setattr(self, factors, grown)

    def _run(self, users_pred, items_pred, users_learn, items_learn, learnt, y, out) -> None:
        totals = np.array([float(self.n_events_)])
        kernels.bpr(users_pred, items_pred, users_learn, items_learn, learnt, self.user_counts_,
                    self.item_counts_, self.item_biases_, self.user_factors_,
                    self.item_factors_, totals, self.seed, self.n_negatives,
                    float(self.learning_rate),
                    float(self.l2), out)
        self.n_events_ = int(totals[0])

    def _scores(self, user_slot: int) -> np.ndarray:
        if user_slot >= 0 and self.user_counts_[user_slot] > 0:
            return self.item_biases_ + self.item_factors_ @ self.user_factors_[user_slot]
        return self.item_biases_.copy()
