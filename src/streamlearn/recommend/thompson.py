"""Linear Thompson sampling with one Gaussian posterior per arm."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.recommend.linucb import LinearBandit


class ThompsonSampling(LinearBandit):
    """Thompson sampling for contextual bandits with linear payoffs (Agrawal & Goyal 2013,
    "Thompson sampling for contextual bandits with linear payoffs", ICML), one model per arm.

    Each arm ``a`` keeps the ridge regression of :class:`LinUCB` (``B_a = ridge·I + Σ x xᵀ``,
    ``μ_a = B_a⁻¹ Σ reward·x``, ``B_a⁻¹`` updated by Sherman–Morrison). ``select(x)`` draws
    ``θ̃_a ~ N(μ_a, v² B_a⁻¹)`` for every candidate arm and plays the arm of largest
    ``θ̃_a·x``. Only ``θ̃_a·x`` matters, and it is distributed as ``N(μ_a·x, v² xᵀ B_a⁻¹ x)``,
    so one standard normal draw per arm is taken instead of a d-dimensional one (the same
    policy, at the cost of a quadratic form). ``v`` scales the exploration (the paper's
    ``v = R·sqrt(24 d ln(1/δ) / ε)``; in practice the reward noise's standard deviation or a
    small multiple of it). An arm never learnt samples from the prior ``N(0, v² I / ridge)``.

    The draws of the ``t``-th call to ``select`` or ``rank`` come from
    ``numpy.random.default_rng((seed, t))``; ``t`` is kept in ``selections_``, so a snapshot
    continues with the same draws. The answer to an event (``predict_one``, ``predict_many``)
    is the posterior mean ``μ·x`` of its own arm and never draws. Arms and features may appear
    mid-stream (see :class:`~streamlearn.recommend.linucb.LinearBandit`).

    >>> model = ThompsonSampling(v=0.1, seed=1)
    >>> for _ in range(20):
    ...     _ = model.learn_one({"hour": 9.0, "arm": "news"}, 1.0)
    ...     _ = model.learn_one({"hour": 9.0, "arm": "sport"}, 0.0)
    ...     _ = model.learn_one({"hour": 20.0, "arm": "news"}, 0.0)
    ...     _ = model.learn_one({"hour": 20.0, "arm": "sport"}, 1.0)
    >>> model.select({"hour": 8.0}), model.select({"hour": 21.0})
    ('news', 'sport')
    >>> model.rank({"hour": 21.0}, k=2)
    ['sport', 'news']
    >>> round(model.predict_one({"hour": 20.0, "arm": "sport"}), 2)
    0.97
    """

    def __init__(self, v: float = 1.0, ridge: float = 1.0, fit_intercept: bool = True,
                 seed: int = 0, arm: str = "arm") -> None:
        self.v = v
        self.ridge = ridge
        self.fit_intercept = fit_intercept
        self.seed = seed
        self.arm = arm

    @classmethod
    def _check_instances(cls) -> list[LinearBandit]:
        return [cls(v=0.5, seed=3)]

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "v", self.v, low=0.0)
        check_number(self, "seed", self.seed, low=0, integer=True)

    def _exploration(self) -> float:
        return float(self.v)

    def _noise(self, count: int) -> np.ndarray:
        draws = getattr(self, "selections_", 0)
        self.selections_ = draws + 1
        return np.random.default_rng((self.seed, draws)).standard_normal(count)
