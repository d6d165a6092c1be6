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
import struct
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, combinations
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.patterns._kernels import canonical_transactions


class AssociationRule(NamedTuple):
    """``antecedent -> consequent``: ``support`` is the fraction of transactions holding
    both, ``confidence`` the fraction of those holding the antecedent that hold the
    consequent too, ``lift`` the confidence over the consequent's own support."""

    antecedent: tuple
    consequent: tuple
    support: float
    confidence: float
    lift: float


_COLLECTIONS = frozenset((list, tuple, set, frozenset))


class _Codes(dict):
    """Item -> code, where looking up a new item by ``[]`` gives -1 instead of raising."""

    def __missing__(self, item: Any) -> int:
        return -1


class ItemCoder:
    """Codes items by first appearance; the learned list lives on the estimator."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.codes = _Codes((item, code) for code, item in enumerate(items))
        # encode_one's arrays, reused
        self._one_offsets = np.array((0, 1), dtype=np.int64)
        self._one_code = np.zeros(1, dtype=np.int32)
        self._many_offsets = np.zeros(2, dtype=np.int64)
        self._codes_buffer = np.zeros(16, dtype=np.int32)

    def encode(self, transaction: Any, owner: object) -> tuple[int, ...]:
        """The sorted, de-duplicated codes of a transaction's items (new items registered)."""
        items = _items_of(transaction, owner, self.codes)
        return tuple(sorted({self._register(item) for item in items}))

    def encode_one(self, transaction: Any, owner: object) -> tuple[np.ndarray, np.ndarray, int]:
        """:meth:`encode_batch` of one transaction, in arrays reused from call to call (the
        codes array may be longer than the transaction): read them before the next call."""
        key = self._known_codes(transaction) if type(transaction) in _COLLECTIONS else None
        if key is None:
            key = self.encode(transaction, owner)
        if len(key) == 1:
            self._one_code[0] = key[0]
            return self._one_offsets, self._one_code, 1
        if len(key) > len(self._codes_buffer):
            self._codes_buffer = np.zeros(2 * len(key), dtype=np.int32)
        self._codes_buffer[:len(key)] = key
        self._many_offsets[1] = len(key)
        return self._many_offsets, self._codes_buffer, len(key)

    def _known_codes(self, transaction: Any) -> tuple[int, ...] | None:
        """The sorted codes of a collection of known items; None if one is new (or
        unhashable)."""
        try:
            found = {self.codes[item] for item in transaction}
        except TypeError:
            return None
        return None if -1 in found else tuple(sorted(found))

    def encode_batch(self, transactions: list[Any], owner: object
                     ) -> tuple[np.ndarray, np.ndarray, int]:
        """The transactions as CSR arrays ``(offsets, codes)`` (int64, int32), each one's
        codes sorted and de-duplicated, and the length of the longest; new items are
        registered in order of first appearance.

        Collections of known items (the usual case) are coded by a few calls that loop in
        C, one dict lookup per item; anything else goes item by item."""
        if _COLLECTIONS.issuperset(map(type, transactions)):
            flat: list[Any] = []
            deque(map(flat.extend, transactions), maxlen=0)  # extends in C
            codes = self._codes_of(flat)
            if codes is not None:
                if len(flat) == len(transactions) and all(transactions):  # one item each
                    return np.arange(len(codes) + 1, dtype=np.int64), codes, min(1, len(codes))
                return canonical_transactions(_offsets(list(map(len, transactions))), codes)
        encoded = [self.encode(transaction, owner) for transaction in transactions]
        codes = np.array(list(chain.from_iterable(encoded)), dtype=np.int32)
        return canonical_transactions(_offsets(list(map(len, encoded))), codes)

    def _codes_of(self, flat: list[Any]) -> np.ndarray | None:
        """The codes of ``flat`` (int32), new items (strings or integers) registered in order
        of first appearance; None when an item is neither equal to a known item nor a
        string or integer."""
        if not flat:
            return np.zeros(0, dtype=np.int32)
        try:  # one lookup per item, in C; a new item gives -1 (_Codes.__missing__)
            found = itemgetter(*flat)(self.codes)
        except TypeError:  # an unhashable item
            return None
        codes = _int32(found if len(flat) > 1 else (found,))
        new_positions = np.flatnonzero(codes < 0)
        if len(new_positions):
            new_items = [flat[position] for position in new_positions.tolist()]
            for item in dict.fromkeys(new_items):  # distinct, in order of first appearance
                if not _is_plain(item) and item not in self.codes:
                    return None
                self._register(item)
            codes[new_positions] = [self.codes[item] for item in new_items]
        return codes

    def _register(self, item: Any) -> int:
        code = self.codes.get(item)
        if code is None:
            code = len(self.items)
            self.items.append(item)
            self.codes[item] = code
        return code

    def lookup(self, itemset: Iterable[Any], owner: object) -> tuple[int, ...] | None:
        """The key of a user-given itemset, or None if it holds an item never seen."""
        codes = []
        for item in set(_items_of(itemset, owner, self.codes)):
            code = self.codes.get(item)
            if code is None:
                return None
            codes.append(code)
        return tuple(sorted(codes))

    def decode(self, key: tuple[int, ...]) -> tuple:
        return tuple(sorted((self.items[code] for code in key), key=_natural_order))


def _int32(values: Sequence[int]) -> np.ndarray:
    """Python ints as a writable int32 array (``struct`` converts them fastest)."""
    return np.frombuffer(bytearray(struct.pack(f"{len(values)}i", *values)), dtype=np.int32)


def _offsets(lengths: list[int]) -> np.ndarray:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _is_plain(item: Any) -> bool:
    return isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool))


def _natural_order(item: Any) -> tuple[int, Any]:
    return (0, item) if isinstance(item, int) else (1, item)


def _plain_item(item: Any, owner: object, known: Mapping[Any, int]) -> Any:
    if isinstance(item, np.generic):
        item = item.item()
    if _is_plain(item):
        return item
    try:
        if item in known:  # equal to a known item (1.0 to 1): that one
            return item
    except TypeError:  # unhashable
        pass
    raise SchemaError(f"{type(owner).__name__} got the item {item!r}; items are strings or "
                      "integers")


def _items_of(transaction: Any, owner: object, known: Mapping[Any, int]) -> Iterable[Any]:
    if isinstance(transaction, Mapping):
        return (_plain_item(item, owner, known) for item, flag in transaction.items()
                if flag is not None and flag == flag and bool(flag))
    if isinstance(transaction, list | tuple | set | frozenset | np.ndarray):
        return (_plain_item(item, owner, known) for item in transaction)
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
    return data if type(data) is list else list(data)  # read, never changed


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
