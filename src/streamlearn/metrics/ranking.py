"""Top-k ranking metrics: precision@k, recall@k and NDCG@k of recommended lists.

Each event is one recommendation: the ranked list that was shown (``y_pred``, best first) and
the items that turned out to be relevant (``y_true``, any collection: in a prequential
evaluation, the items the user rates next). Relevance is binary. The metrics average the
per-list scores over the events; before any event they are 0.0.

- precision@k = hits in the first k / k (a list shorter than k is not excused: what was not
  recommended cannot be a hit);
- recall@k = hits in the first k / number of relevant items (0 when nothing is relevant);
- NDCG@k = DCG@k / ideal DCG@k with DCG@k = Σ_{rank r < k, hit} 1 / log2(r + 2) and the ideal
  putting the ``min(k, |relevant|)`` relevant items first (Järvelin & Kekäläinen 2002,
  "Cumulated gain-based evaluation of IR techniques", ACM TOIS 20(4)).

They are not named in job files: a job scores each event's answer against its label, while a
ranking metric needs the list and the future items, which
:func:`streamlearn.evaluate.prequential_ranking` provides.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.metrics._base import Metric, Records
from streamlearn.metrics._kernels import sequential_sum


def _hits(recommended: Sequence[Any], relevant: Collection[Any], k: int) -> list[bool]:
    relevant = relevant if isinstance(relevant, set | frozenset | dict) else set(relevant)
    return [item in relevant for item in list(recommended)[:k]]


def precision_at_k(recommended: Sequence[Any], relevant: Collection[Any], k: int = 10) -> float:
    """The share of the first ``k`` recommended items that are relevant.

    >>> precision_at_k(["a", "b", "c", "d"], {"b", "d", "z"}, k=4)
    0.5
    """
    check_number("precision_at_k", "k", k, low=1, integer=True)
    return sum(_hits(recommended, relevant, k)) / k


def recall_at_k(recommended: Sequence[Any], relevant: Collection[Any], k: int = 10) -> float:
    """The share of the relevant items found in the first ``k`` recommended (0 when none is
    relevant).

    >>> recall_at_k(["a", "b", "c", "d"], {"b", "d", "z"}, k=4)
    0.6666666666666666
    """
    check_number("recall_at_k", "k", k, low=1, integer=True)
    n_relevant = len(set(relevant))
    return sum(_hits(recommended, relevant, k)) / n_relevant if n_relevant else 0.0


def ndcg_at_k(recommended: Sequence[Any], relevant: Collection[Any], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` items, binary relevance
    (0 when none is relevant).

    >>> round(ndcg_at_k(["a", "b", "c"], {"a", "c"}, k=3), 4)   # (1 + 1/2) / (1 + 1/log2(3))
    0.9197
    """
    check_number("ndcg_at_k", "k", k, low=1, integer=True)
    n_relevant = len(set(relevant))
    if n_relevant == 0:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2)
              for rank, hit in enumerate(_hits(recommended, relevant, k)) if hit)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, n_relevant)))
    return dcg / ideal


class _TopKMetric(Metric):
    """The mean of a per-list score; records are the scores, one float per list."""

    task = "ranking"

    def __init__(self, k: int = 10) -> None:
        self.k = k
        self.n_ = 0
        self.score_sum_ = 0.0

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self._label}@{self.k}"

    _label = "TopK"

    def _check_params(self) -> None:
        check_number(self, "k", self.k, low=1, integer=True)

    def _score(self, recommended: Sequence[Any], relevant: Collection[Any]) -> float:
        raise NotImplementedError

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[float]:
        return (self._score(y_pred, y_true),)

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        if y_pred is None or len(y_pred) != len(y_true):
            raise ValueError(f"{type(self).__name__}.update_many needs y_pred: one ranked "
                             f"list per event ({len(y_true)})")
        return (np.array([self._score(ranked, relevant)
                          for ranked, relevant in zip(y_pred, y_true)], dtype=np.float64),)

    def update_many(self, y_true: Any, y_pred: Any = None, y_proba: Any = None,
                    classes: Sequence[Hashable] | None = None) -> Metric:
        """Account for many lists: ``y_true`` one collection of relevant items per list,
        ``y_pred`` one ranked list per event."""
        self._check_params()
        relevant = np.empty(len(y_true), dtype=object)
        relevant[:] = [set(items) for items in y_true]
        self._learn_many(self._records_many(relevant, y_pred, y_proba, classes))
        return self

    def _learn_one(self, record: tuple[float]) -> None:
        self.n_ += 1
        self.score_sum_ += record[0]

    def _learn_many(self, records: Records) -> None:
        self.n_ += len(records[0])
        self.score_sum_ = sequential_sum(self.score_sum_, records[0])

    def get(self) -> float:
        return self.score_sum_ / self.n_ if self.n_ else 0.0


class PrecisionAtK(_TopKMetric):
    """Mean precision@k of recommended lists.

    >>> from streamlearn.metrics import PrecisionAtK
    >>> metric = PrecisionAtK(k=2)
    >>> _ = metric.update({"a"}, ["a", "b"]).update({"c", "d"}, ["c", "d"])
    >>> metric.get(), metric.name
    (0.75, 'Precision@2')
    """

    _label = "Precision"

    def _score(self, recommended: Sequence[Any], relevant: Collection[Any]) -> float:
        return precision_at_k(recommended, relevant, self.k)


class RecallAtK(_TopKMetric):
    """Mean recall@k of recommended lists.

    >>> from streamlearn.metrics import RecallAtK
    >>> RecallAtK(k=2).update({"a", "b", "c", "d"}, ["a", "x"]).get()
    0.25
    """

    _label = "Recall"

    def _score(self, recommended: Sequence[Any], relevant: Collection[Any]) -> float:
        return recall_at_k(recommended, relevant, self.k)


class NDCGAtK(_TopKMetric):
    """Mean NDCG@k (binary relevance) of recommended lists.

    >>> from streamlearn.metrics import NDCGAtK
    >>> NDCGAtK(k=2).update({"b"}, ["a", "b"]).get()   # 1/log2(3) over the ideal 1
    0.6309297535714575
    """

    _label = "NDCG"

    def _score(self, recommended: Sequence[Any], relevant: Collection[Any]) -> float:
        return ndcg_at_k(recommended, relevant, self.k)
