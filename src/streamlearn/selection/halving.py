"""Successive halving over candidate models, on the stream itself.

Successive halving (Karnin, Koren & Somekh 2013, "Almost optimal exploration in multi-armed
bandits"; Jamieson & Talwalkar 2016, "Non-stochastic best arm identification and
hyperparameter optimization") races the candidates on a budget of labelled events split into
rounds: every surviving candidate learns every event of a round and is scored on it
prequentially; at the end of the round only the best ``1/eta`` of them go on. With ``n``
candidates there are ``ceil(log_eta(n))`` rounds, and each round takes
``budget / (survivors * rounds)`` events, so each round costs the same in learning. When one
candidate is left it is the model: it alone learns and answers from then on. Meanwhile the
candidate with the lowest mean loss so far answers.

The selection is exact per event: the answer to event ``i`` comes from the leader after
events ``< i``, and a round ends at the same event whatever the batch sizes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.params import check_number
from streamlearn.selection._base import ClassifierSelection, RegressorSelection, Selector


class _Halving(Selector):
    def __init__(self, models: list[Any], metric: str, budget: int = 10_000, eta: int = 2):
        self.models = models
        self.metric = metric
        self.budget = budget
        self.eta = eta

    def _check(self) -> None:
        self._check_common()
        check_number(self, "budget", self.budget, low=1, integer=True)
        check_number(self, "eta", self.eta, low=2, integer=True)

    @property
    def rounds(self) -> int:
        return max(1, math.ceil(math.log(len(self.models)) / math.log(self.eta) - 1e-12))

    def _start_race(self) -> None:
        self._start()
        if not hasattr(self, "alive_"):
            n = len(self.candidates)
            self.alive_ = np.ones(n, dtype=np.bool_)
            self.loss_sums_ = np.zeros(n)
            self.scored_ = np.zeros(n, dtype=np.int64)
            self.round_ = 0
            self.round_seen_ = 0

    def _round_length(self) -> int:
        survivors = int(self.alive_.sum())
        return max(1, self.budget // (survivors * self.rounds))

    @property
    def winner(self) -> int | None:
        """The index of the last candidate standing, once the race is over."""
        alive = np.flatnonzero(getattr(self, "alive_", np.ones(0)))
        return int(alive[0]) if len(alive) == 1 else None

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        self._start_race()
        targets = self._labels(X_learn.y, learn)
        learnt_rows = np.flatnonzero(learn)
        pieces, start = [], 0
        while start < len(learn):
            stop = len(learn)
            if self.winner is None:   # the round ends at its last labelled event
                remaining = self._round_length() - self.round_seen_
                later = learnt_rows[learnt_rows >= start]
                if len(later) >= remaining:
                    stop = int(later[remaining - 1]) + 1
            part = slice(start, stop)
            pieces.append(self._segment(X_pred.take(part), X_learn.take(part), learn[part],
                                        targets[part]))
            start = stop
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]

    def _segment(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray,
                 targets: np.ndarray) -> np.ndarray:
        """Rows within one round (or after the race): all survivors answer and learn."""
        alive = np.flatnonzero(self.alive_)
        answers = [self._answers(self.candidates[k], X_pred, X_learn, learn) for k in alive]
        if len(alive) == 1:
            return answers[0]
        rows = np.flatnonzero(learn)
        losses = np.zeros((len(alive), len(learn)))
        for j, answer in enumerate(answers):
            losses[j, rows] = self._losses_of(answer[rows], targets[rows])
        # running sums added one event at a time from the stored ones, as batches of one
        # would add them: the same sums to the last bit whatever the batch size
        running = np.cumsum(np.hstack([self.loss_sums_[alive, None], losses]), axis=1)
        # the leader of row i: lowest mean loss over the labelled events before i
        before_counts = self.scored_[alive, None] + np.cumsum(learn) - learn
        means = np.where(before_counts > 0,
                         running[:, :-1] / np.maximum(before_counts, 1), 0.0)
        leader = np.argmin(means, axis=0)
        out = np.stack(answers)[leader, np.arange(len(learn))]
        self.loss_sums_[alive] = running[:, -1]
        self.scored_[alive] += len(rows)
        self.round_seen_ += len(rows)
        if self.round_seen_ >= self._round_length():
            self._end_round(alive)
        return out

    def _end_round(self, alive: np.ndarray) -> None:
        keep = max(1, math.ceil(len(alive) / self.eta))
        means = self.loss_sums_[alive] / np.maximum(self.scored_[alive], 1)
        best = alive[np.argsort(means, kind="stable")[:keep]]
        self.alive_[:] = False
        self.alive_[best] = True
        self.round_ += 1
        self.round_seen_ = 0
        if keep == 1:
            # the losers learn no more: free what they hold
            for k in np.flatnonzero(~self.alive_):
                self.candidates[k].restore(self.candidates[k].clone().snapshot())


class SuccessiveHalvingClassifier(ClassifierSelection, _Halving):
    """Successive halving among classifiers; ``metric`` is ``"accuracy"`` (errors count) or
    ``"log_loss"``.

    >>> from streamlearn.datasets import SEA
    >>> from streamlearn.selection import SuccessiveHalvingClassifier
    >>> race = SuccessiveHalvingClassifier(
    ...     ["StandardScaler | LogisticRegression", "StandardScaler | PAClassifier(C=0.001)",
    ...      "StandardScaler | LinearSVM"], budget=3000)
    >>> data = SEA(seed=1).take(5000)
    >>> _ = race.learn_many(data.X, data.y)
    >>> race.winner is not None, int(race.round_)
    (True, 2)
    """

    def __init__(self, models: list[Any], metric: str = "accuracy", budget: int = 10_000,
                 eta: int = 2):
        super().__init__(models, metric, budget, eta)

    @classmethod
    def _check_instances(cls) -> list[SuccessiveHalvingClassifier]:
        return [cls(["StandardScaler | LogisticRegression", "StandardScaler | PAClassifier",
                     "StandardScaler | LinearSVM"], budget=300),
                cls(["StandardScaler | SoftmaxRegression",
                     "StandardScaler | SoftmaxRegression(learning_rate=0.1)"],
                    metric="log_loss", budget=200)]


class SuccessiveHalvingRegressor(RegressorSelection, _Halving):
    """Successive halving among regressors; ``metric`` is ``"mae"`` or ``"mse"``."""

    def __init__(self, models: list[Any], metric: str = "mae", budget: int = 10_000,
                 eta: int = 2):
        super().__init__(models, metric, budget, eta)

    @classmethod
    def _check_instances(cls) -> list[SuccessiveHalvingRegressor]:
        return [cls(["StandardScaler | LinearRegression", "StandardScaler | PARegressor",
                     "StandardScaler | LinearRegression(l2=0.1)"], budget=300)]
