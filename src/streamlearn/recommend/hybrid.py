"""A served recommender: biased MF for ratings, BPR and popularity for lists, a bandit between
the lists."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError
from streamlearn.core.learners import Regressor
from streamlearn.core.params import check_number
from streamlearn.recommend._base import check_column_names, id_keys
from streamlearn.recommend.biased_mf import BiasedMF
from streamlearn.recommend.bpr import BPR
from streamlearn.recommend.popularity import Popularity
from streamlearn.recommend.thompson import ThompsonSampling

SOURCES = ("bpr", "mf", "popular")


class HybridRecommender(Regressor):
    """Biased MF answers ratings; BPR, MF and popularity each propose a top-k list, and linear
    Thompson sampling learns which list to serve to which user.

    Every learnt (user, item, rating) event teaches the three parts: :class:`BiasedMF`
    (Koren, Bell & Volinsky 2009) learns the rating, and its prediction is the answer to every
    event (so a job scores RMSE on it); :class:`BPR` (Rendle et al. 2009) and
    :class:`Popularity` learn the event as an implicit interaction. Every ``feedback_every``-th
    learnt event is also an impression for the bandit, a :class:`ThompsonSampling` (Agrawal &
    Goyal 2013) over the arms ``"bpr"``, ``"mf"`` and ``"popular"``: in the context
    ``activity = ln(1 + ratings the user gave so far)``, it draws the arm to show, that arm's
    top-``k`` list for the user is computed from the parts as they stand before the event,
    and the reward is 1 if the rated item is in it, else 0. Only the list shown is rewarded
    (bandit feedback), so the choice is learnt by exploring, as a live system would learn it
    from clicks; a replayed log has one rating per impression, which stands in for the
    click (Li, Chu, Langford & Wang 2011, "Unbiased offline evaluation of
    contextual-bandit-based news article recommendation algorithms", WSDM).

    ``recommend(user, k)`` serves the list of the arm with the best expected reward in the
    user's context (the posterior mean: answering never draws nor changes the model);
    ``recommend_explained`` also says which list was served and whether the user is a cold
    start. A user never learnt (cold start, ``activity = 0``) gets a non-personal list: every
    part answers an unknown user with the items best for everyone (BPR: its item biases,
    the items that won the recent pairwise comparisons, i.e. what is popular now;
    popularity: the all-time counts; MF: the item biases), and the bandit, taught by the
    impressions of users' first ratings, picks among them. A new item enters the lists once
    an event has carried it (popularity counts it at once; BPR and MF learn its place).

    The impressions are chosen by the event count, and all draws depend only on ``seed`` and
    counters, so the same stream gives the same model in batches of any size.

    >>> model = HybridRecommender(feedback_every=1, seed=1)
    >>> ratings = [("ann", "alien", 5), ("ann", "heat", 4), ("bob", "alien", 5),
    ...            ("bob", "notebook", 1), ("cat", "notebook", 5), ("cat", "heat", 2)]
    >>> for _ in range(20):
    ...     for user, item, rating in ratings:
    ...         _ = model.learn_one({"user": user, "item": item}, rating)
    >>> round(model.predict_one({"user": "ann", "item": "alien"}), 1)
    5.0
    >>> model.recommend_explained("dan", k=2)
    (['alien', 'heat'], 'popular', True)
    >>> model.recommend("ann", k=2, exclude_seen=False)[0] in ("alien", "heat", "notebook")
    True
    """

    _tags = {"handles_categorical": True}
    _needs_labels = True

    def __init__(self, n_factors: int = 10, bias_learning_rate: float = 0.025,
                 latent_learning_rate: float = 0.05, bpr_factors: int = 10,
                 bpr_learning_rate: float = 0.05, bpr_negatives: int = 5,
                 feedback_every: int = 10, k: int = 10, exploration: float = 0.25,
                 seed: int = 0, user: str = "user", item: str = "item") -> None:
        self.n_factors = n_factors
        self.bias_learning_rate = bias_learning_rate
        self.latent_learning_rate = latent_learning_rate
        self.bpr_factors = bpr_factors
        self.bpr_learning_rate = bpr_learning_rate
        self.bpr_negatives = bpr_negatives
        self.feedback_every = feedback_every
        self.k = k
        self.exploration = exploration
        self.seed = seed
        self.user = user
        self.item = item

    @classmethod
    def _check_instances(cls) -> list[HybridRecommender]:
        return [cls(n_factors=3, bpr_factors=3, bpr_negatives=2, feedback_every=3, k=5,
                    seed=4)]

    @classmethod
    def _check_stream(cls, n: int, seed: int) -> Batch:
        from streamlearn.recommend._base import Recommender

        return Recommender._check_stream(n, seed)

    # ------------------------------------------------------------------ parts
    def _validate(self) -> None:
        check_column_names(self, self.user, self.item)
        for name in ("n_factors", "bpr_factors", "bpr_negatives", "feedback_every", "k"):
            check_number(self, name, getattr(self, name), low=1, integer=True)
        for name in ("bias_learning_rate", "latent_learning_rate", "bpr_learning_rate"):
            check_number(self, name, getattr(self, name), low=0.0, low_inclusive=False)
        check_number(self, "exploration", self.exploration, low=0.0)
        check_number(self, "seed", self.seed, low=0, integer=True)

    def _build_parts(self) -> dict[str, Any]:
        columns = {"user": self.user, "item": self.item}
        return {
            "mf": BiasedMF(n_factors=self.n_factors, bias_learning_rate=self.bias_learning_rate,
                           latent_learning_rate=self.latent_learning_rate, seed=self.seed,
                           **columns),
            "bpr": BPR(n_factors=self.bpr_factors, learning_rate=self.bpr_learning_rate,
                       n_negatives=self.bpr_negatives, seed=self.seed + 1, **columns),
            "popular": Popularity(**columns),
            "bandit": ThompsonSampling(v=self.exploration, seed=self.seed + 2),
        }

    def _start(self) -> None:
        self._validate()
        self.n_learnt_ = 0
        self._parts = self._build_parts()

    def snapshot(self) -> dict[str, Any]:
        state = super().snapshot()
        parts = getattr(self, "_parts", None)
        state["parts"] = None if parts is None else {
            name: part.snapshot() for name, part in parts.items()}
        return state

    def restore(self, snapshot: dict[str, Any]) -> HybridRecommender:
        super().restore(snapshot)
        if snapshot.get("parts") is None:
            self.__dict__.pop("_parts", None)
        else:
            self._parts = self._build_parts()
            for name, part in self._parts.items():
                part.restore(snapshot["parts"][name])
        return self

    # ------------------------------------------------------------------ learning
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        if not hasattr(self, "n_learnt_"):
            if not learn.any():
                self._validate()
                return np.zeros(len(learn))
            self._start()
        # the impressions: learnt events whose number is a multiple of feedback_every
        numbers = self.n_learnt_ + np.cumsum(learn) - 1
        impressions = np.flatnonzero(learn & (numbers % self.feedback_every == 0)).tolist()
        pieces, start = [], 0
        for row in [*impressions, len(learn)]:
            if row > start:
                pieces.append(self._learn_rows(X_pred, X_learn, learn, slice(start, row)))
                start = row
            if row < len(learn):
                self._impression(X_learn.take(slice(row, row + 1)))
        self.n_learnt_ += int(learn.sum())
        return np.concatenate(pieces) if pieces else np.zeros(0)

    def _learn_rows(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray,
                    rows: slice) -> np.ndarray:
        whole = rows.start == 0 and rows.stop == len(learn)
        pred = X_pred if whole else X_pred.take(rows)
        taught = X_learn if whole else X_learn.take(rows)
        answers = self._parts["mf"].process_many(pred, taught, learn[rows])
        for name in ("bpr", "popular"):
            self._parts[name].process_many(taught, taught, learn[rows])
        return answers

    def _impression(self, event: Batch) -> None:
        """One event as an impression: the bandit picks a list, rewarded by a hit."""
        user_keys, has_user = id_keys(event, self.user)
        item_keys, has_item = id_keys(event, self.item)
        if not (has_user[0] and has_item[0]):
            return
        user, item = _plain(user_keys[0]), _plain(item_keys[0])
        context = {"activity": self._activity(user)}
        bandit = self._parts["bandit"]
        arm = bandit.select(context, arms=SOURCES)
        hit = item in self._list(arm, user, self.k, exclude_seen=True)
        bandit.learn_one({**context, "arm": arm}, 1.0 if hit else 0.0)

    # ------------------------------------------------------------------ ranking
    def _activity(self, user: Any) -> float:
        popular = self._parts["popular"]
        slot = popular._index["user"].get(user, -1) if hasattr(popular, "users_") else -1
        return math.log1p(float(popular.user_counts_[slot]) if slot >= 0 else 0.0)

    def _list(self, source: str, user: Any, k: int, exclude_seen: bool) -> list[Any]:
        try:
            return self._parts[source].recommend(user, k, exclude_seen=exclude_seen)
        except NotFittedError:
            return []

    def knows_user(self, user: Any) -> bool:
        """Whether a learnt event has carried ``user`` (else it is a cold start)."""
        return hasattr(self, "n_learnt_") and self._parts["popular"].knows_user(user)

    def best_source(self, user: Any) -> str:
        """The list served to ``user``: the arm of best posterior mean reward in the user's
        context (a cold start has ``activity = 0``); ``"popular"`` before any impression."""
        bandit = self._parts["bandit"] if hasattr(self, "_parts") else None
        if bandit is None or not hasattr(bandit, "arms_"):
            return "popular"
        context = {"activity": self._activity(user)}
        expected = [bandit.predict_one({**context, "arm": arm}) for arm in SOURCES]
        return SOURCES[int(np.argmax(expected))]

    def recommend_explained(self, user: Any, k: int = 10, exclude_seen: bool = True
                            ) -> tuple[list[Any], str, bool]:
        """(the ``k`` items served to ``user``, the list they come from, whether ``user``
        is a cold start)."""
        check_number(f"{type(self).__name__}.recommend", "k", k, low=1, integer=True)
        if not hasattr(self, "n_learnt_"):
            raise NotFittedError(f"{type(self).__name__} has learnt no event yet; call "
                                 "learn_one or learn_many before recommend")
        source = self.best_source(user)
        return (self._list(source, user, k, exclude_seen), source,
                not self.knows_user(user))

    def recommend(self, user: Any, k: int = 10, exclude_seen: bool = True) -> list[Any]:
        """The ``k`` items served to ``user``, best first (see ``recommend_explained``)."""
        return self.recommend_explained(user, k, exclude_seen)[0]

    def seen_items(self, user: Any) -> list[Any]:
        """The items ``user`` has learnt events with."""
        if not hasattr(self, "n_learnt_"):
            raise NotFittedError(f"{type(self).__name__} has learnt no event yet")
        return self._parts["popular"].seen_items(user)

    def bandit_arms(self) -> dict[str, int]:
        """How many impressions each list was shown in while learning."""
        bandit = self._parts["bandit"] if hasattr(self, "_parts") else None
        if bandit is None or not hasattr(bandit, "arms_"):
            return dict.fromkeys(SOURCES, 0)
        counts = dict(zip(bandit.arms_, bandit.counts_.tolist()))
        return {arm: int(counts.get(arm, 0)) for arm in SOURCES}


def _plain(key: Any) -> Any:
    if isinstance(key, np.integer):
        return int(key)
    if isinstance(key, np.floating):
        return float(key)
    return key

