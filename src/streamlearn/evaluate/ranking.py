"""Prequential evaluation of recommenders: top-k lists scored against what users rate next.

A stream of (user, item, rating) events is cut into micro-batches of ``batch_size`` events,
as a server learns them. Before a micro-batch is learnt, every user who appears in it gets
the top-``k`` list of the model as it stands (items they rated before excluded, as
``recommend`` does by default); the list is compared with the items that user rates next
(the ``horizon`` items from their first event in the micro-batch on: the future, never the
past). Then the micro-batch is learnt, and a model that predicts ratings has its answers,
given before learning, scored by RMSE. With ``batch_size=1`` every rating is one test, as
in the textbook test-then-train; larger micro-batches test each user once per batch, as a
model copy published every so often would answer them.

A user never learnt gets the model's answer for an unknown user (the popular items, for
every recommender of :mod:`streamlearn.recommend`): cold-start users are part of the scores.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError
from streamlearn.core.params import check_number
from streamlearn.metrics import RMSE, NDCGAtK, PrecisionAtK, RecallAtK


@dataclass
class RankingReport:
    """What :func:`prequential_ranking` measured for one model.

    ``metrics``: Precision@k, Recall@k, NDCG@k (mean over the lists), RMSE (for a model that
    predicts ratings), ``cold_start_lists`` (lists given to users never learnt) and ``lists``.
    ``history``: per window of ``history_every`` events, the same metrics over the lists
    and ratings of that window alone (``events`` holds each window's end).
    """

    model: str
    events: int
    seconds: float
    metrics: dict[str, float]
    history: dict[str, list[float]] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def next_items(users: np.ndarray, items: np.ndarray, horizon: int) -> list[np.ndarray]:
    """For each event, the items its user rates from that event on (it included), at most
    ``horizon`` of them, in stream order."""
    order = np.argsort(users, kind="stable")
    result: list[np.ndarray] = [np.zeros(0, dtype=items.dtype)] * len(users)
    bounds = np.flatnonzero(np.diff(users[order])) + 1
    for group in np.split(order, bounds):
        sequence = items[group]
        for position, event in enumerate(group.tolist()):
            result[event] = sequence[position:position + horizon]
    return result


def _recommend(model: Any, user: Any, k: int) -> tuple[list[Any], bool]:
    try:
        return list(model.recommend(user, k)), not model.knows_user(user)
    except NotFittedError:
        return [], True


def _predicts_ratings(model: Any) -> bool:
    return bool(getattr(model, "_needs_labels", False))


def prequential_ranking(users: np.ndarray, items: np.ndarray, ratings: np.ndarray,
                        model: Any, k: int = 10, horizon: int = 10, batch_size: int = 100,
                        history_every: int = 10_000, name: str | None = None) -> RankingReport:
    """Replay (user, item, rating) events through ``model`` (a recommender of
    :mod:`streamlearn.recommend`, learnt in place) and score its top-``k`` lists against
    each user's next ``horizon`` items; see the module's docstring for the protocol.

    >>> import numpy as np
    >>> from streamlearn.recommend import Popularity
    >>> users = np.array([1, 2, 3, 3, 4, 4])
    >>> items = np.array([10, 10, 20, 10, 10, 20])
    >>> report = prequential_ranking(users, items, np.ones(6), Popularity(), k=1, horizon=2,
    ...                              batch_size=2)
    >>> report.metrics["Precision@1"], report.metrics["lists"]  # users 1, 2: nothing learnt
    (0.5, 4.0)
    """
    for parameter, value in (("k", k), ("horizon", horizon), ("batch_size", batch_size),
                             ("history_every", history_every)):
        check_number("prequential_ranking", parameter, value, low=1, integer=True)
    users, items = np.asarray(users), np.asarray(items)
    ratings = np.asarray(ratings, dtype=np.float64)
    if not len(users) == len(items) == len(ratings):
        raise ValueError(f"users, items and ratings must have one value per event; got "
                         f"{len(users)}, {len(items)} and {len(ratings)}")
    relevant = next_items(users, items, horizon)
    totals = _Scores(k)
    window = _Scores(k)
    history: dict[str, list[float]] = {"events": []}
    scores_ratings = _predicts_ratings(model)
    columns = np.column_stack([users, items]).astype(np.float64)
    started = time.perf_counter()
    for start in range(0, len(users), batch_size):
        stop = min(start + batch_size, len(users))
        _, first = np.unique(users[start:stop], return_index=True)
        for event in (start + np.sort(first)).tolist():
            ranked, cold = _recommend(model, users[event].item(), k)
            wanted = set(relevant[event].tolist())
            totals.add_list(ranked, wanted, cold)
            window.add_list(ranked, wanted, cold)
        batch = Batch(X=columns[start:stop], columns=("user", "item"), y=ratings[start:stop])
        answers = model.process_many(batch, batch, np.ones(stop - start, dtype=bool))
        if scores_ratings:
            totals.rmse.update_many(ratings[start:stop], y_pred=answers)
            window.rmse.update_many(ratings[start:stop], y_pred=answers)
        if stop // history_every > start // history_every or stop == len(users):
            history["events"].append(float(stop))
            for metric, value in window.values(scores_ratings).items():
                history.setdefault(metric, []).append(value)
            window = _Scores(k)
    seconds = time.perf_counter() - started
    return RankingReport(name or type(model).__name__, len(users), seconds,
                         totals.values(scores_ratings), history)


class _Scores:
    def __init__(self, k: int) -> None:
        self.ranking = [PrecisionAtK(k), RecallAtK(k), NDCGAtK(k)]
        self.rmse = RMSE()
        self.lists = 0
        self.cold = 0

    def add_list(self, ranked: list[Any], relevant: set[Any], cold: bool) -> None:
        for metric in self.ranking:
            metric.update(relevant, ranked)
        self.lists += 1
        self.cold += cold

    def values(self, with_rmse: bool) -> dict[str, float]:
        values = {metric.name: metric.get() for metric in self.ranking}
        if with_rmse:
            values["RMSE"] = self.rmse.get()
        values["lists"] = float(self.lists)
        values["cold_start_lists"] = float(self.cold)
        return values
