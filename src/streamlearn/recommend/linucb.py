"""LinUCB with disjoint linear models, and the machinery it shares with linear Thompson
sampling (:mod:`streamlearn.recommend.thompson`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError, ParameterError, SchemaError
from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.core.params import check_number
from streamlearn.recommend import _bandit_kernels as kernels
from streamlearn.recommend._base import id_keys


class LinearBandit(Regressor):
    """Base of the linear contextual bandits: one ridge regression per arm, updated exactly.

    Events carry a context (their numeric features), the arm that was played (the column
    named by ``arm``: strings or integral numbers) and the reward (the label). Learning an
    event updates the played arm's ``A⁻¹`` (Sherman–Morrison) and ``b``; the answer to an
    event is the expected reward of its arm, ``θ_arm · x`` (0 for an arm never learnt or an
    event without an arm), so the model is a regressor of rewards. ``select`` and ``rank``
    apply the policy (subclasses give ``_exploration`` and ``_noise``).

    Arms register in order of first appearance in learnt events. Features register when a
    learnt event first carries a finite value for them (several in one event: by name); every
    arm's ``A⁻¹`` then grows by an identity block ``I / ridge`` and ``b`` by zeros, exactly as
    if the feature had always been there with value 0. Absent (NaN) and non-finite values
    count as 0; categorical columns other than ``arm`` are ignored (one-hot encode them
    first) and hashed features are refused. A context given to ``select`` with a feature not
    registered yet is scored as the grown model would score it: no effect on ``θ·x``, and
    ``x_f² / ridge`` added to ``xᵀ A⁻¹ x``.

    State: ``arms_`` (ids by slot), ``feature_names_``, ``inverses_`` (n_arms, d, d),
    ``targets_`` (``b``, n_arms × d), ``weights_`` (``θ``, n_arms × d), ``counts_`` (learnt
    events per arm), where ``d`` counts the intercept when ``fit_intercept``.
    """

    _tags = {"handles_categorical": True}

    arm: str
    ridge: float
    fit_intercept: bool

    # ------------------------------------------------------------------ to override
    def _validate(self) -> None:
        if not isinstance(self.arm, str) or not self.arm:
            raise ParameterError(f"The 'arm' parameter of {type(self).__name__} must be a "
                                 f"non-empty str. Got {self.arm!r} instead.")
        check_number(self, "ridge", self.ridge, low=0.0, low_inclusive=False)
        if not isinstance(self.fit_intercept, bool):
            raise ParameterError(f"The 'fit_intercept' parameter of {type(self).__name__} "
                                 f"must be a bool. Got {self.fit_intercept!r} instead.")

    def _exploration(self) -> float:
        raise NotImplementedError

    def _noise(self, count: int) -> np.ndarray:
        """The multipliers of each candidate's standard deviation in one policy call."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def _start(self) -> None:
        self._validate()
        self.arms_: list[Any] = []
        self.feature_names_: list[str] = []
        d = int(self.fit_intercept)
        self.inverses_ = np.zeros((0, d, d))
        self.targets_ = np.zeros((0, d))
        self.weights_ = np.zeros((0, d))
        self.counts_ = np.zeros(0, dtype=np.int64)
        self._after_restore()

    def _after_restore(self) -> None:
        self._arm_index = {key: slot for slot, key in enumerate(getattr(self, "arms_", []))}
        self._feature_index = {name: j for j, name in
                               enumerate(getattr(self, "feature_names_", []))}

    @property
    def _offset(self) -> int:
        return int(self.fit_intercept)

    def _add_arms(self, count: int) -> None:
        d = self.weights_.shape[1]
        fresh = np.broadcast_to(np.eye(d) / self.ridge, (count, d, d))
        self.inverses_ = np.concatenate([self.inverses_, fresh])
        self.targets_ = np.concatenate([self.targets_, np.zeros((count, d))])
        self.weights_ = np.concatenate([self.weights_, np.zeros((count, d))])
        self.counts_ = np.concatenate([self.counts_, np.zeros(count, dtype=np.int64)])

    def _add_features(self, names: list[str]) -> None:
        n_arms, d = self.weights_.shape
        grown = d + len(names)
        inverses = np.zeros((n_arms, grown, grown))
        inverses[:, :d, :d] = self.inverses_
        inverses[:, np.arange(d, grown), np.arange(d, grown)] = 1.0 / self.ridge
        self.inverses_ = inverses
        self.targets_ = np.pad(self.targets_, ((0, 0), (0, len(names))))
        self.weights_ = np.pad(self.weights_, ((0, 0), (0, len(names))))
        for name in names:
            self._feature_index[name] = len(self.feature_names_)
            self.feature_names_.append(name)

    # ------------------------------------------------------------------ inputs
    def _context_columns(self, batch: Batch) -> tuple[list[int], list[str]]:
        if batch.sparse is not None:
            raise SchemaError(f"{type(self).__name__} takes dense features only; hashed "
                              "features (a FeatureHasher's output) are not supported")
        picked = [(j, name) for j, name in enumerate(batch.columns) if name != self.arm]
        return [j for j, _ in picked], [name for _, name in picked]

    def _register_features(self, batch: Batch, learnt: np.ndarray) -> None:
        positions, names = self._context_columns(batch)
        new = [k for k, name in enumerate(names) if name not in self._feature_index]
        rows = np.flatnonzero(learnt)
        if not new or not len(rows):
            return
        values = batch.X[np.ix_(rows, [positions[k] for k in new])]
        present = np.isfinite(values)
        first = np.where(present.any(axis=0), present.argmax(axis=0), -1)
        order = sorted((int(f), names[new[k]]) for k, f in enumerate(first) if f >= 0)
        if order:
            self._add_features([name for _, name in order])

    def _dense(self, batch: Batch) -> np.ndarray:
        """The contexts in the model's dimensions: intercept, then known features (absent
        and non-finite values as 0); unknown features are dropped."""
        positions, names = self._context_columns(batch)
        Z = np.zeros((len(batch), self.weights_.shape[1]))
        if self.fit_intercept:
            Z[:, 0] = 1.0
        known = [(j, self._offset + self._feature_index[name])
                 for j, name in zip(positions, names) if name in self._feature_index]
        if known:
            values = batch.X[:, [j for j, _ in known]]
            Z[:, [r for _, r in known]] = np.where(np.isfinite(values), values, 0.0)
        return Z

    def _arm_slots(self, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys, present = id_keys(batch, self.arm)
        # map(get, ..., repeat(-1)) stays in C: no Python call per event
        slots = np.fromiter(map(self._arm_index.get, keys.tolist(), repeat(-1)),
                            dtype=np.int64, count=len(keys))
        slots[~present] = -1
        return keys, present, slots

    # ------------------------------------------------------------------ the primitive
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        if not hasattr(self, "arms_"):
            if not learn.any():  # nothing learnt yet: every expected reward is 0
                self._validate()
                self._context_columns(X_pred)
                return np.zeros(len(learn))
            self._start()
        keys, present, arms_learn = self._arm_slots(X_learn)
        learnt = learn & present
        rewards = numeric_labels(self, X_learn.y, learnt)
        rows = np.flatnonzero(learnt)
        if len(rows):
            new = 0
            for key in keys[rows[arms_learn[rows] < 0]].tolist():
                if key not in self._arm_index:
                    self._arm_index[key] = len(self.arms_)
                    self.arms_.append(key)
                    new += 1
            if new:
                self._add_arms(new)
                arms_learn = self._arm_slots(X_learn)[2]
            self._register_features(X_learn, learnt)
        Z_learn = self._dense(X_learn)
        if X_pred is X_learn:
            Z_pred, arms_pred = Z_learn, arms_learn
        else:
            Z_pred, arms_pred = self._dense(X_pred), self._arm_slots(X_pred)[2]
        out = np.zeros(len(learn))
        kernels.linear_bandit(Z_pred, arms_pred, Z_learn, arms_learn, learnt,
                              np.where(learnt, rewards, 0.0), self.inverses_, self.targets_,
                              self.weights_, self.counts_, out,
                              np.empty(self.weights_.shape[1]))
        return out

    # ------------------------------------------------------------------ the policy
    def _policy(self, x: Mapping[str, Any], arms: Sequence[Any] | None
                ) -> tuple[list[Any], np.ndarray]:
        if not isinstance(x, Mapping):
            raise SchemaError(f"{type(self).__name__}.select takes one context as a dict of "
                              f"features; got a {type(x).__name__}")
        fitted = hasattr(self, "arms_")
        if arms is None:
            if not fitted or not self.arms_:
                raise NotFittedError(f"{type(self).__name__} has learnt no arm yet; pass the "
                                     "candidate arms with arms=[...]")
            candidates = list(self.arms_)
        else:
            candidates = list(arms)
            if not candidates:
                raise ParameterError(f"The 'arms' parameter of {type(self).__name__}.select "
                                     "must be None or a non-empty list of arms. Got [] "
                                     "instead.")
        if not fitted:
            self._validate()
        d = self.weights_.shape[1] if fitted else self._offset
        context = np.zeros(d)
        if self.fit_intercept:
            context[0] = 1.0
        unknown_squares = 0.0
        index = self._feature_index if fitted else {}
        for name, value in x.items():
            if name == self.arm or isinstance(value, str) or value is None:
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise SchemaError(f"feature {name!r} of the context holds {value!r}, which "
                                  "is not a number") from None
            if not np.isfinite(value):
                continue
            if name in index:
                context[self._offset + index[name]] = value
            else:
                unknown_squares += value * value
        arm_index = self._arm_index if fitted else {}
        slots = np.array([arm_index.get(arm, -1) for arm in candidates], dtype=np.int64)
        inverses = self.inverses_ if fitted else np.zeros((0, d, d))
        weights = self.weights_ if fitted else np.zeros((0, d))
        scores = np.empty(len(candidates))
        kernels.policy_scores(context, unknown_squares, slots, inverses, weights,
                              float(self.ridge), float(self._exploration()),
                              self._noise(len(candidates)), scores)
        return candidates, scores

    def select(self, x: Mapping[str, Any], arms: Sequence[Any] | None = None) -> Any:
        """The arm to play in context ``x`` (a dict of features) among ``arms`` (default:
        every arm learnt so far; an arm never learnt is scored with the prior). Ties go to
        the first candidate."""
        candidates, scores = self._policy(x, arms)
        return candidates[int(np.argmax(scores))]

    def rank(self, x: Mapping[str, Any], k: int = 10, arms: Sequence[Any] | None = None
             ) -> list[Any]:
        """The ``k`` best arms for context ``x`` by the policy's scores, best first (ties:
        the earlier candidate)."""
        check_number(f"{type(self).__name__}.rank", "k", k, low=1, integer=True)
        candidates, scores = self._policy(x, arms)
        order = np.argsort(-scores, kind="stable")[:k]
        return [candidates[j] for j in order]

    # ------------------------------------------------------------------ conformance
    @classmethod
    def _check_instances(cls) -> list[LinearBandit]:
        return [cls()]

    @classmethod
    def _check_stream(cls, n: int, seed: int) -> Batch:
        """Rewards linear in the context per arm: arms that appear mid-stream, events
        without an arm, a feature that appears half-way, missing and infinite values."""
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(n, 4))
        X[: n // 2, 3] = np.nan
        X[rng.random((n, 4)) < 0.08] = np.nan
        X[[40, 41], 1] = np.inf
        X[350, 3] = -np.inf
        thetas = rng.normal(size=(6, 4))
        progress = np.arange(n) / n
        arms = (rng.random(n) * (2 + progress * 4)).astype(np.int64)
        finite = np.where(np.isfinite(X), X, 0.0)
        rewards = (finite * thetas[arms]).sum(axis=1) + 0.1 * rng.normal(size=n)
        names = np.array([f"a{a}" for a in arms], dtype=object)
        names[rng.random(n) < 0.03] = None
        return Batch(X=X, columns=("x0", "x1", "x2", "x3"), categorical={"arm": names},
                     y=rewards, ids=np.arange(n), times=np.arange(n, dtype=np.float64))


class LinUCB(LinearBandit):
    """LinUCB with disjoint linear models (Li, Chu, Langford & Schapire 2010, "A
    contextual-bandit approach to personalized news article recommendation", WWW,
    Algorithm 1).

    Each arm ``a`` is a ridge regression of the reward on the context: ``A_a = ridge·I +
    Σ x xᵀ``, ``b_a = Σ reward·x``, ``θ_a = A_a⁻¹ b_a`` over the events where ``a`` was
    played. ``select(x)`` plays the arm of highest upper confidence bound ``θ_a·x + alpha ·
    sqrt(xᵀ A_a⁻¹ x)``; an arm never learnt has the prior's bound ``alpha · |x| /
    sqrt(ridge)``, so new arms get tried. ``A_a⁻¹`` is kept directly, by one Sherman–Morrison
    update per learnt event (no matrix inversion). With ``fit_intercept`` the context carries
    a constant 1 (the paper's constant feature). The answer to an event (``predict_one``,
    ``predict_many``) is the expected reward ``θ·x`` of its own arm. Arms and features may
    appear mid-stream (see :class:`LinearBandit`).

    >>> model = LinUCB(alpha=0.5)
    >>> for _ in range(20):
    ...     _ = model.learn_one({"hour": 9.0, "arm": "news"}, 1.0)
    ...     _ = model.learn_one({"hour": 9.0, "arm": "sport"}, 0.0)
    ...     _ = model.learn_one({"hour": 20.0, "arm": "news"}, 0.0)
    ...     _ = model.learn_one({"hour": 20.0, "arm": "sport"}, 1.0)
    >>> model.select({"hour": 8.0}), model.select({"hour": 21.0})
    ('news', 'sport')
    >>> model.select({"hour": 8.0}, arms=["news", "sport", "music"])  # an untried arm
    'music'
    >>> round(model.predict_one({"hour": 9.0, "arm": "news"}), 2)
    0.86
    """

    def __init__(self, alpha: float = 1.0, ridge: float = 1.0, fit_intercept: bool = True,
                 arm: str = "arm") -> None:
        self.alpha = alpha
        self.ridge = ridge
        self.fit_intercept = fit_intercept
        self.arm = arm

    @classmethod
    def _check_instances(cls) -> list[LinearBandit]:
        return [cls(alpha=0.5, ridge=2.0)]

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "alpha", self.alpha, low=0.0)

    def _exploration(self) -> float:
        return float(self.alpha)

    def _noise(self, count: int) -> np.ndarray:
        return np.ones(count)
