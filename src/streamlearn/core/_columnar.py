"""Column-at-a-time decoding of events (dicts) into a `Batch`, for `Schema.decode`.

Each column is pulled out of the events with one list comprehension and converted by numpy
in one call; only a column that fails to convert is walked value by value, to name the
events at fault. Events that fail any check become dead letters; the first failing check
of an event gives its reason (target first, then the features in order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from streamlearn.core.batch import Batch

if TYPE_CHECKING:
    from streamlearn.core.schema import Schema


class _Reasons(dict):
    """First reason per event position."""

    def flag(self, rows: Any, make_reason: Any) -> None:
        for k in rows:
            k = int(k)
            if k not in self:
                self[k] = make_reason(k)


def decode_columns(schema: Schema, events: Sequence[Any], numbers: Sequence[int],
                   fallback_ids: Sequence[Any] | None) -> tuple[Batch, np.ndarray, _Reasons]:
    """Returns (batch of the good events, their positions in ``events``, reasons of the
    bad ones by position). ``numbers[k]`` is event ``k``'s number in messages."""
    reasons = _Reasons()
    rows = list(events)
    for k, event in enumerate(rows):
        if not isinstance(event, Mapping):
            reasons[k] = f"event {numbers[k]} is a {type(event).__name__}, not a mapping"
            rows[k] = {}
    labels = _labels(schema, rows, numbers, reasons)
    numeric, categorical = _feature_names(schema, rows)
    X = np.empty((len(rows), len(numeric)))
    for j, name in enumerate(numeric):
        X[:, j] = _numeric(name, [e.get(name) for e in rows], numbers, reasons,
                           required=schema.numeric is not None and name not in schema.optional)
    cats = {name: _categorical(name, [e.get(name) for e in rows], numbers, reasons,
                               required=(schema.categorical is not None
                                         and name not in schema.optional))
            for name in categorical}
    times = _times(schema, rows, numbers, reasons) if schema.time else None
    keep = np.ones(len(rows), dtype=bool)
    keep[list(reasons)] = False
    kept = np.flatnonzero(keep)
    ids = _ids(schema, rows, numbers, fallback_ids)
    batch = Batch(
        X=np.ascontiguousarray(X[kept]), columns=tuple(numeric),
        categorical={name: values[kept] for name, values in cats.items()},
        y=None if labels is None else _label_array([labels[k] for k in kept]),
        ids=ids[kept], times=None if times is None else times[kept],
        keys=(np.array([rows[k].get(schema.key) for k in kept], dtype=object)
              if schema.key else None),
    )
    return batch, kept, reasons


def _labels(schema: Schema, rows: list[Any], numbers: Sequence[int],
            reasons: _Reasons) -> list[Any] | None:
    if schema.target is None:
        return None
    target = schema.target
    labels = [e.get(target) for e in rows]
    for k, label in enumerate(labels):
        if label is None:
            if schema.require_target:
                reasons.setdefault(k, f"event {numbers[k]} has no target {target!r}; send it "
                                      "or set require_target=False")
        elif label.__class__ is float and not math.isfinite(label):
            reasons.setdefault(k, f"the target of event {numbers[k]} is {label}")
    return labels


def _feature_names(schema: Schema, rows: list[Any]) -> tuple[list[str], list[str]]:
    if schema.numeric is not None or schema.categorical is not None:
        return list(schema.numeric or ()), list(schema.categorical or ())
    roles = schema.roles
    names: dict[str, None] = {}
    first_keys = rows[0].keys() if rows else {}
    for event in rows:  # usually every event has the same keys: one comparison each
        if event.keys() != first_keys or not names:
            names.update(dict.fromkeys(event))
    numeric: list[str] = []
    categorical: list[str] = []
    for name in names:
        if name in roles:
            continue
        first = next((e[name] for e in rows if e.get(name) is not None), None)
        (categorical if isinstance(first, str) else numeric).append(name)
    return numeric, categorical


def _numeric(name: str, values: list[Any], numbers: Sequence[int], reasons: _Reasons,
             required: bool) -> np.ndarray:
    try:
        column = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):  # some value is not a number: find which
        column = np.full(len(values), np.nan)
        for k, value in enumerate(values):
            if value is None:
                continue
            try:
                column[k] = float(value)
            except (TypeError, ValueError):
                reasons.setdefault(k, f"column {name!r} of event {numbers[k]} holds "
                                      f"{value!r}, which is not a number")
    infinite = np.isinf(column)
    if infinite.any():
        reasons.flag(np.flatnonzero(infinite), lambda k: (
            f"column {name!r} of event {numbers[k]} is infinite; send a finite number or "
            "leave it out"))
        column[infinite] = np.nan
    if required:
        reasons.flag(np.flatnonzero(np.isnan(column)), lambda k: _missing(name, numbers[k]))
    return column


def _categorical(name: str, values: list[Any], numbers: Sequence[int], reasons: _Reasons,
                 required: bool) -> np.ndarray:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    for k, value in enumerate(values):
        if value is None or value.__class__ is str:
            if value is None and required:
                reasons.setdefault(k, _missing(name, numbers[k]))
            continue
        if isinstance(value, list | dict | tuple | set):
            reasons.setdefault(k, f"column {name!r} of event {numbers[k]} holds a "
                                  f"{type(value).__name__}; features are numbers or strings")
        else:
            column[k] = str(value)
    return column


def _missing(name: str, number: int) -> str:
    return (f"column {name!r} is missing from event {number}; declare it optional in the "
            "schema or send it")


def _times(schema: Schema, rows: list[Any], numbers: Sequence[int],
           reasons: _Reasons) -> np.ndarray:
    values = [e.get(schema.time) for e in rows]
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    times = np.full(len(values), np.nan)
    for k, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            times[k] = float(value)
            continue
        try:
            stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            times[k] = stamp.timestamp()
        except ValueError:
            reasons.setdefault(k, f"the time of event {numbers[k]} is {value!r}, neither "
                                  "epoch seconds nor an ISO 8601 date")
    return times


def _ids(schema: Schema, rows: list[Any], numbers: Sequence[int],
         fallback_ids: Sequence[Any] | None) -> np.ndarray:
    ids = np.empty(len(rows), dtype=object)
    fallback = numbers if fallback_ids is None else fallback_ids
    if schema.id is None:
        ids[:] = list(fallback)
        return ids
    ids[:] = [e.get(schema.id) for e in rows]
    for k, value in enumerate(ids):
        if value is None:
            ids[k] = fallback[k]
    return ids


def _label_array(labels: list[Any]) -> np.ndarray:
    array = np.asarray(labels) if labels else np.zeros(0)
    if array.dtype.kind in "US":  # keep text labels as Python strings
        array = np.asarray(labels, dtype=object)
    return array
