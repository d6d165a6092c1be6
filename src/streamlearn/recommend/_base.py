"""Shared machinery of the recommenders: user and item ids as integer slots, the (user, item)
pairs already learnt, top-k recommendation, and the conformance stream.

An event names its user and its item in two columns (``user`` and ``item`` by default):
categorical columns (strings) or numeric ones (integral numbers become ints, so ``{"user": 7}``
and a data frame with an integer column name the same user). Other columns are ignored. An
id is registered, in order of first appearance, by the first learnt event that carries it;
per-user and per-item arrays grow then. An event without a user or an item (None, NaN, or no
such column) is answered but not learnt.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, ClassVar

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError, ParameterError
from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.core.params import check_number

_PAIR_SHIFT = np.int64(32)  # a learnt (user, item) pair is stored as user << 32 | item


def id_keys(batch: Batch, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The ids in column ``name`` and where they are present: an int64 array for a numeric
    column of integral numbers (the common, fast case), else an object array."""
    if name in batch.categorical:
        keys = batch.categorical[name]
        return keys, keys != None  # noqa: E711 (element-wise)
    if name not in batch.columns:
        return np.full(len(batch), None, dtype=object), np.zeros(len(batch), dtype=bool)
    column = batch.X[:, batch.columns.index(name)]
    present = np.isfinite(column)
    if np.array_equal(column[present], np.floor(column[present])):
        return np.where(present, column, 0.0).astype(np.int64), present
    keys = np.full(len(batch), None, dtype=object)
    keys[present] = [int(v) if v.is_integer() else v for v in column[present].tolist()]
    return keys, present


def check_column_names(owner: object, user: Any, item: Any) -> None:
    for name, value in (("user", user), ("item", item)):
        if not isinstance(value, str) or not value:
            raise ParameterError(f"The {name!r} parameter of {type(owner).__name__} must be "
                                 f"a non-empty str. Got {value!r} instead.")
    if user == item:
        raise ParameterError(f"The 'user' and 'item' parameters of {type(owner).__name__} "
                             f"must name different columns. Got {user!r} for both.")


class Recommender(Regressor):
    """Base of the recommenders: answers one score per (user, item) event and ranks items.

    State: ``users_`` and ``items_`` (ids by slot), ``user_counts_`` and ``item_counts_``
    (learnt events per slot) and ``seen_`` (the learnt pairs, sorted, unique). Subclasses give
    ``_run`` (the kernel), ``_grow`` (new slots) and ``_scores`` (every item for one user).
    """

    _tags = {"handles_categorical": True}
    _needs_labels: ClassVar[bool] = True

    user: str
    item: str

    # ------------------------------------------------------------------ to override
    def _validate(self) -> None:
        check_column_names(self, self.user, self.item)

    def _start_state(self) -> None:
        """Subclasses create their own arrays here (empty)."""

    def _grow(self, kind: str, old: int, new: int) -> None:
        """Extend the arrays of ``kind`` ("user" or "item") from ``old`` to ``new`` slots."""

    def _run(self, users_pred: np.ndarray, items_pred: np.ndarray, users_learn: np.ndarray,
             items_learn: np.ndarray, learnt: np.ndarray, y: np.ndarray,
             out: np.ndarray) -> None:
        raise NotImplementedError

    def _scores(self, user_slot: int) -> np.ndarray:
        """The score of every item slot for ``user_slot`` (-1: an unknown user)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def _start(self) -> None:
        self._validate()
        self.users_: list[Any] = []
        self.items_: list[Any] = []
        self.user_counts_ = np.zeros(0, dtype=np.int64)
        self.item_counts_ = np.zeros(0, dtype=np.int64)
        self.seen_ = np.zeros(0, dtype=np.int64)
        self._start_state()
        self._after_restore()

    def _after_restore(self) -> None:
        self._index = {kind: {key: slot for slot, key in enumerate(ids)}
                       for kind, ids in (("user", getattr(self, "users_", [])),
                                         ("item", getattr(self, "items_", [])))}
        # small non-negative integer ids also index a table: slot = table[id], -1 if none
        self._table = {"user": np.zeros(0, dtype=np.int64), "item": np.zeros(0, dtype=np.int64)}

    def _lookup_table(self, kind: str, top: int) -> np.ndarray | None:
        """The id -> slot table covering ids up to ``top``, or None when ``top`` is too large
        for a table to pay off."""
        table = self._table[kind]
        if top < len(table):
            return table
        if top >= max(1 << 20, 8 * len(self._index[kind])):
            return None
        table = np.full(max(2 * len(table), top + 1, 1024), -1, dtype=np.int64)
        for key, slot in self._index[kind].items():
            if type(key) is int and 0 <= key < len(table):
                table[key] = slot
        self._table[kind] = table
        return table

    def _slots(self, keys: np.ndarray, present: np.ndarray, kind: str) -> np.ndarray:
        """The slot of each id (-1: absent or not registered)."""
        get = self._index[kind].get
        if keys.dtype.kind == "O":  # map(get, keys, repeat(-1)) stays in C: no Python call
            return np.fromiter(map(get, keys, repeat(-1)), dtype=np.int64, count=len(keys))
        slots = np.full(len(keys), -1, dtype=np.int64)
        if not present.any():
            return slots
        table = None
        if keys[present].min() >= 0:
            table = self._lookup_table(kind, int(keys[present].max()))
        if table is not None:
            np.copyto(slots, table[np.where(present, keys, 0)], where=present)
        else:  # integer ids: look each distinct one up once
            distinct, where = np.unique(keys[present], return_inverse=True)
            found = np.fromiter(map(get, distinct.tolist(), repeat(-1)), dtype=np.int64,
                                count=len(distinct))
            slots[present] = found[where]
        return slots

    def _register(self, keys: np.ndarray, present: np.ndarray, slots: np.ndarray,
                  rows: np.ndarray, kind: str) -> None:
        """Give a slot to the unknown ids of ``rows`` (learnt), in order of appearance, and
        fill in ``slots`` wherever these ids occur."""
        index, ids = self._index[kind], getattr(self, f"{kind}s_")
        old = len(ids)
        for key in keys[rows[slots[rows] < 0]].tolist():
            if key not in index:
                index[key] = len(ids)
                if type(key) is int and 0 <= key < len(self._table[kind]):
                    self._table[kind][key] = len(ids)
                ids.append(key)
        if len(ids) > old:
            unknown = np.flatnonzero((slots < 0) & present)
            slots[unknown] = self._slots(keys[unknown], present[unknown], kind)
            counts = f"{kind}_counts_"
            setattr(self, counts, np.concatenate(
                [getattr(self, counts), np.zeros(len(ids) - old, dtype=np.int64)]))
            self._grow(kind, old, len(ids))

    # ------------------------------------------------------------------ the primitive
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        if not hasattr(self, "users_"):
            if not learn.any():  # nothing learnt yet: every score is 0, and no state is made
                self._validate()
                return np.zeros(len(learn))
            self._start()
        user_keys, has_user = id_keys(X_learn, self.user)
        item_keys, has_item = id_keys(X_learn, self.item)
        users = self._slots(user_keys, has_user, "user")
        items = self._slots(item_keys, has_item, "item")
        learnt = learn & has_user & has_item
        y = (numeric_labels(self, X_learn.y, learnt) if self._needs_labels
             else np.zeros(len(learn)))
        rows = np.flatnonzero(learnt)
        if len(rows):
            self._register(user_keys, has_user, users, rows, "user")
            self._register(item_keys, has_item, items, rows, "item")
        if X_pred is X_learn:
            users_pred, items_pred = users, items
        else:
            users_pred = self._slots(*id_keys(X_pred, self.user), "user")
            items_pred = self._slots(*id_keys(X_pred, self.item), "item")
        out = np.zeros(len(learn))
        self._run(users_pred, items_pred, users, items, learnt, y, out)
        if len(rows):
            self._remember(users[rows], items[rows])
        return out

    def _remember(self, users: np.ndarray, items: np.ndarray) -> None:
        """Merge the learnt pairs into ``seen_`` (kept sorted and unique, so its value does
        not depend on how the stream was batched)."""
        pairs = np.sort((users << _PAIR_SHIFT) | items)
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        at = np.searchsorted(self.seen_, pairs)
        known = at < len(self.seen_)
        known[known] = self.seen_[at[known]] == pairs[known]
        if not known.all():
            self.seen_ = np.insert(self.seen_, at[~known], pairs[~known])

    # ------------------------------------------------------------------ ranking
    def seen_items(self, user: Any) -> list[Any]:
        """The items ``user`` has learnt events with, in order of their registration."""
        return [self.items_[slot] for slot in self._seen_slots(self._user_slot(user))]

    def knows_user(self, user: Any) -> bool:
        """Whether a learnt event has carried ``user`` (else ``recommend`` treats it as a
        cold start: the items best for everyone)."""
        slot = self._index["user"].get(user, -1) if hasattr(self, "users_") else -1
        return slot >= 0 and bool(self.user_counts_[slot] > 0)

    def _user_slot(self, user: Any) -> int:
        if not hasattr(self, "users_"):
            raise NotFittedError(f"{type(self).__name__} has learnt no event yet; call "
                                 "learn_one or learn_many before recommend")
        return self._index["user"].get(user, -1)

    def _seen_slots(self, slot: int) -> np.ndarray:
        if slot < 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = np.searchsorted(self.seen_, [slot << 32, (slot + 1) << 32])
        return self.seen_[lo:hi] & np.int64(0xFFFFFFFF)

    def recommend(self, user: Any, k: int = 10, exclude_seen: bool = True) -> list[Any]:
        """The ``k`` best-scored items for ``user``, best first (ties: the item registered
        first); items the user has learnt events with are left out unless ``exclude_seen``
        is False. An unknown user gets the items that are best for everyone."""
        check_number(f"{type(self).__name__}.recommend", "k", k, low=1, integer=True)
        slot = self._user_slot(user)
        scores = np.array(self._scores(slot), dtype=np.float64)
        candidates = np.flatnonzero(self.item_counts_ > 0)
        if exclude_seen:
            keep = np.ones(len(scores), dtype=bool)
            keep[self._seen_slots(slot)] = False
            candidates = candidates[keep[candidates]]
        values = scores[candidates]
        if len(values) > k:  # the k-th best score, then every candidate at least as good
            threshold = np.partition(values, len(values) - k)[len(values) - k]
            chosen = values >= threshold
            candidates, values = candidates[chosen], values[chosen]
        order = np.argsort(-values, kind="stable")[:k]
        return [self.items_[slot] for slot in candidates[order]]

    # ------------------------------------------------------------------ conformance
    @classmethod
    def _check_stream(cls, n: int, seed: int) -> Batch:
        """Ratings of a low-rank taste model: users and items that appear mid-stream, events
        without a user or an item, and a numeric column that recommenders ignore."""
        rng = np.random.default_rng(seed)
        n_users, n_items = 40, 60
        tastes, traits = rng.normal(size=(n_users, 3)), rng.normal(size=(n_items, 3))
        progress = np.arange(n) / n  # the pools of active users and items grow over time
        users = (rng.random(n) * (5 + progress * (n_users - 5))).astype(np.int64)
        items = (rng.random(n) * (8 + progress * (n_items - 8))).astype(np.int64)
        ratings = np.clip(np.round(3.0 + (tastes[users] * traits[items]).sum(axis=1)
                                   + 0.3 * rng.normal(size=n)), 1.0, 5.0)
        user_ids = np.array([f"u{u}" for u in users], dtype=object)
        item_ids = np.array([f"i{i}" for i in items], dtype=object)
        user_ids[rng.random(n) < 0.03] = None
        item_ids[rng.random(n) < 0.03] = None
        return Batch(X=rng.normal(size=(n, 1)), columns=("x0",),
                     categorical={"user": user_ids, "item": item_ids}, y=ratings,
                     ids=np.arange(n), times=np.arange(n, dtype=np.float64))
