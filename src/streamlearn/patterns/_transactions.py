"""Transactions in, itemsets and association rules out: what the pattern miners share.

A *transaction* (a basket, the set of items one event holds) is given as:

- a collection of items: a list, tuple, set or frozenset (``["bread", "milk"]``); an item
  appearing twice counts once;
- a dict of per-item flags, like an event's features (``{"bread": 1, "milk": True,
  "eggs": 0}``): the items are the keys whose value is true and not NaN.

Items are strings or integers (what a snapshot stores safely); an item equal to a known one
counts as that one (``1.0`` as ``1``). Many transactions at once
(``learn_many``) are a sequence of such transactions, or a data frame (pandas, polars) or a
:class:`~streamlearn.core.batch.Batch`, read row by row: a numeric or boolean column is a
per-item flag (the column name is the item, present where the value is non-zero and not
NaN), a column of lists/tuples/sets holds the items themselves, and a column of strings is
an attribute whose value ``v`` in column ``c`` becomes the item ``"c=v"`` (so rules such as
``store=north -> umbrella`` come out). A delimited string is not split: split it first
(``frame["basket"].str.split(",")``).

Inside, items are coded by first appearance (``items_``) and an itemset is the sorted tuple
of its codes; answers give itemsets as tuples of items in their natural order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError


class AssociationRule(NamedTuple):
    """``antecedent -> consequent``: ``support`` is the fraction of transactions holding
    both, ``confidence`` the fraction of those holding the antecedent that hold the
    consequent too, ``lift`` the confidence over the consequent's own support."""

    antecedent: tuple
    consequent: tuple
    support: float
    confidence: float
    lift: float


_COLLECTIONS = (list, tuple, set, frozenset)


class ItemCoder:
    """Codes items by first appearance; the learned list lives on the estimator."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.codes = {item: code for code, item in enumerate(items)}

    def encode(self, transaction: Any, owner: object) -> tuple[int, ...]:
        """The sorted, de-duplicated codes of a transaction's items (new items registered)."""
        codes = self.codes
        found = set()
        for item in _items_of(transaction, owner):
            code = codes.get(item)
            if code is None:
                code = len(self.items)
                self.items.append(item)
                codes[item] = code
            found.add(code)
        return tuple(sorted(found))

    def encode_many(self, transactions: Iterable[Any], owner: object) -> list[tuple[int, ...]]:
        """:meth:`encode` of each transaction, with a fast path for collections of items
        seen before."""
        codes, encode, out = self.codes, self.encode, []
        for transaction in transactions:
            if type(transaction) in _COLLECTIONS:
                try:
                    if len(transaction) == 1 and type(transaction) in (list, tuple):
                        out.append((codes[transaction[0]],))
                        continue
                    found = {codes[item] for item in transaction}
                except (KeyError, TypeError):  # a new item (or an unhashable one)
                    out.append(encode(transaction, owner))
                    continue
                out.append(tuple(sorted(found)))
            else:
                out.append(encode(transaction, owner))
        return out

    def lookup(self, itemset: Iterable[Any], owner: object) -> tuple[int, ...] | None:
        """The key of a user-given itemset, or None if it holds an item never seen."""
        codes = []
        for item in set(_items_of(itemset, owner)):
            code = self.codes.get(item)
            if code is None:
                return None
            codes.append(code)
        return tuple(sorted(codes))

    def decode(self, key: tuple[int, ...]) -> tuple:
        return tuple(sorted((self.items[code] for code in key), key=_natural_order))


def _natural_order(item: Any) -> tuple[int, Any]:
    return (0, item) if isinstance(item, int) else (1, item)


def _plain_item(item: Any, owner: object) -> Any:
    if isinstance(item, np.generic):
        item = item.item()
    if isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool)):
        return item
    raise SchemaError(f"{type(owner).__name__} got the item {item!r}; items are strings or "
                      "integers")


def _items_of(transaction: Any, owner: object) -> Iterable[Any]:
    if isinstance(transaction, Mapping):
        return (_plain_item(item, owner) for item, flag in transaction.items()
                if flag is not None and flag == flag and bool(flag))
    if isinstance(transaction, list | tuple | set | frozenset | np.ndarray):
        return (_plain_item(item, owner) for item in transaction)
    if isinstance(transaction, str):
        raise SchemaError(
            f"{type(owner).__name__} got the string {transaction!r} as a transaction; pass "
            "the items as a list (split a delimited string first: text.split(','))")
    raise SchemaError(f"{type(owner).__name__} got a {type(transaction).__name__} as a "
                      "transaction; pass a list, tuple or set of items, or a dict of flags")


def transactions_of(data: Any, owner: object) -> list[Any]:
    """The transactions held by ``data`` (see the module docstring), one per row."""
    if isinstance(data, Batch):
        return _from_batch(data)
    if hasattr(data, "columns") and (hasattr(data, "iloc") or hasattr(data, "to_pandas")):
        return _from_frame(data)
    if isinstance(data, str | Mapping) or not isinstance(data, Iterable):
        raise SchemaError(f"{type(owner).__name__}.learn_many takes a sequence of "
                          "transactions or a data frame; use learn_one for a single one")
    return list(data)


def _from_batch(batch: Batch) -> list[list[Any]]:
    rows: list[list[Any]] = [[] for _ in range(len(batch))]
    present = (batch.X != 0) & ~np.isnan(batch.X)
    for j, name in enumerate(batch.columns):
        for i in np.flatnonzero(present[:, j]):
            rows[i].append(name)
    for name, values in batch.categorical.items():
        _add_object_column(rows, name, values)
    return rows


def _from_frame(frame: Any) -> list[list[Any]]:
    if not hasattr(frame, "iloc"):
        frame = frame.to_pandas()
    rows: list[list[Any]] = [[] for _ in range(len(frame))]
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "biuf":
            values = column.to_numpy(dtype=np.float64)
            for i in np.flatnonzero((values != 0) & ~np.isnan(values)):
                rows[i].append(str(name))
        else:
            _add_object_column(rows, str(name), column.to_numpy(dtype=object))
    return rows


def _add_object_column(rows: list[list[Any]], name: str, values: np.ndarray) -> None:
    for i, value in enumerate(values):
        if isinstance(value, list | tuple | set | frozenset | np.ndarray):
            rows[i].extend(value)
        elif value is not None and value == value:  # a string or other value, not missing
            rows[i].append(f"{name}={value}")


def count_threshold(fraction: float, n: int) -> int:
    """The smallest count reaching ``fraction * n``, forgiving the rounding of the product
    (0.28 * 25 is 7.000000000000001 in floating point, yet 7 of 25 is 28%)."""
    return math.ceil(fraction * n - 1e-9)


def check_max_size(owner: object, value: Any, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        requirement = "an int >= 1" + (" or None" if allow_none else "")
        raise ParameterError(f"The 'max_size' parameter of {type(owner).__name__} must be "
                             f"{requirement}. Got {value!r} instead.")


def itemsets_answer(counts: Mapping[tuple[int, ...], int], coder: ItemCoder
                    ) -> dict[tuple, int]:
    """Itemsets as item tuples, most frequent first (then smaller, then first seen)."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
    return {coder.decode(key): count for key, count in ordered}


def rules_from_counts(counts: Mapping[tuple[int, ...], int], n: int, min_confidence: float,
                      coder: ItemCoder) -> list[AssociationRule]:
    """Association rules from a downward-closed table of itemset counts over ``n``
    transactions: every split of every itemset of two or more items whose confidence
    reaches ``min_confidence``, by decreasing confidence, then lift, then support."""
    found = []
    for key, count in counts.items():
        if len(key) < 2:
            continue
        support = count / n
        for size in range(1, len(key)):
            for antecedent in combinations(key, size):
                consequent = tuple(code for code in key if code not in antecedent)
                confidence = count / counts[antecedent]
                if confidence < min_confidence:
                    continue
                lift = confidence / (counts[consequent] / n)
                found.append((antecedent, consequent, support, confidence, lift))
    found.sort(key=lambda r: (-r[3], -r[4], -r[2], len(r[0]) + len(r[1]), r[0], r[1]))
    return [AssociationRule(coder.decode(a), coder.decode(c), s, conf, lift)
            for a, c, s, conf, lift in found]


def check_confidence(owner: object, value: Any) -> None:
    if (isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value)
            or not 0 < value <= 1):
        raise ParameterError(f"The 'min_confidence' parameter of {type(owner).__name__}.rules "
                             f"must be a number in (0, 1]. Got {value!r} instead.")
