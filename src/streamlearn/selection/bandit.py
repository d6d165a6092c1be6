"""A bandit among candidate models: each labelled event teaches one of them.

Each candidate is an arm. For each labelled event the policy picks an arm; that candidate
answers the event, is rewarded by how good the answer was (1 for a right class, 0 for a
wrong one; ``1 / (1 + |error|)`` for a regressor), then learns it. The other candidates do
not learn it: learning costs one model per event, however many candidates there are, and
the candidates that keep paying off get the events. The candidate with the best mean reward
answers predictions.

Policies: ``"ucb"`` (UCB1, Auer, Cesa-Bianchi & Fischer 2002, "Finite-time analysis of the
multiarmed bandit problem": the arm with the highest mean reward plus
``c * sqrt(2 ln t / n_arm)``, each arm once first) and ``"epsilon_greedy"`` (a random arm with
probability ``epsilon``, the best one otherwise; Sutton & Barto 2018, ch. 2).

Exact per event, so any batch size gives the same answers: a labelled event's arm depends on
the rewards of the events before it, so labelled events are taken one at a time; runs of
unlabelled events (pure prediction) are answered in one call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.params import check_choice, check_number
from streamlearn.selection._base import ClassifierSelection, RegressorSelection, Selector

_MULTIPLIER = np.uint64(6364136223846793005)
_INCREMENT = np.uint64(1442695040888963407)


class _Bandit(Selector):
    def __init__(self, models: list[Any], metric: str, policy: str = "ucb",
                 epsilon: float = 0.1, c: float = 1.0, seed: int = 0):
        self.models = models
        self.metric = metric
        self.policy = policy
        self.epsilon = epsilon
        self.c = c
        self.seed = seed

    def _check(self) -> None:
        self._check_common()
        check_choice(self, "policy", self.policy, ("ucb", "epsilon_greedy"))
        check_number(self, "epsilon", self.epsilon, low=0.0, high=1.0)
        check_number(self, "c", self.c, low=0.0)
        check_number(self, "seed", self.seed, low=0, integer=True)

    def _start_arms(self) -> None:
        self._start()
        if not hasattr(self, "pulls_"):
            n = len(self.candidates)
            self.pulls_ = np.zeros(n, dtype=np.int64)
            self.rewards_ = np.zeros(n)
            # a small generator kept in the state: a snapshot resumes the same draws
            self.random_state_ = np.array([self.seed], dtype=np.uint64)

    def _uniform(self) -> float:
        with np.errstate(over="ignore"):
            state = self.random_state_[0] * _MULTIPLIER + _INCREMENT
        self.random_state_[0] = state
        return float(state >> np.uint64(11)) / float(1 << 53)

    @property
    def best(self) -> int:
        """The arm with the best mean reward (the first one before any reward)."""
        pulls = getattr(self, "pulls_", None)
        if pulls is None or not pulls.any():
            return 0
        means = np.where(pulls > 0, self.rewards_ / np.maximum(pulls, 1), -np.inf)
        return int(np.argmax(means))

    def _pick(self) -> int:
        pulls = self.pulls_
        if self.policy == "ucb":
            unpulled = np.flatnonzero(pulls == 0)
            if len(unpulled):
                return int(unpulled[0])
            total = pulls.sum()
            scores = self.rewards_ / pulls + self.c * np.sqrt(2.0 * np.log(total) / pulls)
            return int(np.argmax(scores))
        if self._uniform() < self.epsilon:
            return min(int(self._uniform() * len(pulls)), len(pulls) - 1)
        return self.best

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        self._start_arms()
        targets = self._labels(X_learn.y, learn)
        pieces, start = [], 0
        for row in np.flatnonzero(learn).tolist():
            if row > start:   # unlabelled events before it: the best arm answers them all
                part = slice(start, row)
                pieces.append(self._answers(self.candidates[self.best], X_pred.take(part),
                                            X_learn.take(part), learn[part]))
            pieces.append(self._pull(X_pred.take(slice(row, row + 1)),
                                     X_learn.take(slice(row, row + 1)), targets[row:row + 1]))
            start = row + 1
        if start < len(learn) or not pieces:
            part = slice(start, len(learn))
            pieces.append(self._answers(self.candidates[self.best], X_pred.take(part),
                                        X_learn.take(part), learn[part]))
        return self._stack(pieces)

    def _pull(self, X_pred: Batch, X_learn: Batch, target: np.ndarray) -> np.ndarray:
        """One labelled event: the best arm's answer is returned; the picked arm is
        rewarded on its own answer, then learns."""
        best, arm = self.best, self._pick()
        answer = None
        if best != arm:
            answer = self._answers(self.candidates[best], X_pred, X_learn, np.zeros(1, bool))
        own = self._answers(self.candidates[arm], X_pred, X_learn, np.ones(1, bool))
        self.pulls_[arm] += 1
        self.rewards_[arm] += self._reward(own, target)
        return own if answer is None else answer

    def _stack(self, pieces: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


class BanditClassifier(ClassifierSelection, _Bandit):
    """A bandit among classifiers: the reward is 1 for a right answer, 0 otherwise (with
    ``metric="log_loss"``, the probability the answer gave the right class).

    >>> from streamlearn.datasets import SEA
    >>> from streamlearn.selection import BanditClassifier
    >>> bandit = BanditClassifier(["StandardScaler | LogisticRegression(learning_rate=1e-5)",
    ...                            "StandardScaler | LogisticRegression"])
    >>> for x, y in SEA(seed=2).take(2000):
    ...     _ = bandit.learn_one(x, y)
    >>> bandit.pulls_.tolist(), bandit.best
    ([118, 1882], 1)
    """

    def __init__(self, models: list[Any], metric: str = "accuracy", policy: str = "ucb",
                 epsilon: float = 0.1, c: float = 1.0, seed: int = 0):
        super().__init__(models, metric, policy, epsilon, c, seed)

    def _reward(self, proba: np.ndarray, code: np.ndarray) -> float:
        return 1.0 - float(self._losses_of(proba, code)[0]) if self.metric == "accuracy" \
            else float(proba[0, code[0]]) if proba.shape[1] else 0.0

    def _labels(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        """Labels become classes one event at a time (in :meth:`_pull`), so classes are
        listed in the same order whatever the batch size."""
        return np.zeros(len(learn), dtype=np.int64) if y is None else y

    def _pull(self, X_pred: Batch, X_learn: Batch, target: np.ndarray) -> np.ndarray:
        return super()._pull(X_pred, X_learn, self.encode_labels(target, np.ones(1, bool)))

    def _stack(self, pieces: list[np.ndarray]) -> np.ndarray:
        width = len(self.classes_)
        return np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1]))) for p in pieces])

    @classmethod
    def _check_instances(cls) -> list[BanditClassifier]:
        return [cls(["StandardScaler | LogisticRegression", "StandardScaler | PAClassifier"]),
                cls(["StandardScaler | SoftmaxRegression",
                     "StandardScaler | SoftmaxRegression(learning_rate=0.1)"],
                    metric="log_loss"),
                cls(["StandardScaler | LogisticRegression", "StandardScaler | LinearSVM"],
                    policy="epsilon_greedy", epsilon=0.3, seed=7)]


class BanditRegressor(RegressorSelection, _Bandit):
    """A bandit among regressors: the reward is ``1 / (1 + |error|)``."""

    def __init__(self, models: list[Any], metric: str = "mae", policy: str = "ucb",
                 epsilon: float = 0.1, c: float = 1.0, seed: int = 0):
        super().__init__(models, metric, policy, epsilon, c, seed)

    def _reward(self, answer: np.ndarray, target: np.ndarray) -> float:
        return 1.0 / (1.0 + abs(float(answer[0]) - float(target[0])))

    @classmethod
    def _check_instances(cls) -> list[BanditRegressor]:
        return [cls(["StandardScaler | LinearRegression", "StandardScaler | PARegressor"],
                    policy="epsilon_greedy", seed=3)]
