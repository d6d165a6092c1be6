"""`Schema`: which field of an event is its id, time, key and label, and which are features.

Decoding validates each event once, at the boundary; an event that fails goes to the dead
letters with its reason and the stream goes on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError


@dataclass(frozen=True)
class DeadLetter:
    """An event that could not be used, with why."""

    index: int
    payload: Any
    reason: str


@dataclass(frozen=True)
class Decoded:
    batch: Batch
    dead_letters: list[DeadLetter]


@dataclass(frozen=True)
class Schema:
    """Roles of an event's fields.

    ``numeric`` and ``categorical`` list the feature columns; when both are ``None`` every
    field other than id/time/key/target is a feature, numeric if it holds a number. Fields in
    ``optional`` may be absent; any other declared feature missing from an event is an error.

    >>> schema = Schema(target="y", numeric=["amount"], categorical=["country"])
    >>> decoded = schema.decode([{"amount": 3.5, "country": "FR", "y": 1},
    ...                          {"amount": "oops", "country": "DE", "y": 0}])
    >>> decoded.batch.X.tolist(), decoded.batch.y.tolist()
    ([[3.5]], [1])
    >>> decoded.dead_letters[0].reason
    "column 'amount' of event 1 holds 'oops', which is not a number"
    """

    id: str | None = None
    time: str | None = None
    key: str | None = None
    target: str | None = None
    numeric: Sequence[str] | None = None
    categorical: Sequence[str] | None = None
    optional: Sequence[str] = field(default_factory=tuple)
    require_target: bool = False

    @property
    def roles(self) -> set[str]:
        return {f for f in (self.id, self.time, self.key, self.target) if f is not None}

    def decode(self, events: Sequence[Mapping[str, Any]], first_index: int = 0, *,
               ids: Sequence[Any] | None = None,
               indices: Sequence[int] | None = None) -> Decoded:
        """Validate and convert events to a :class:`Batch`; bad ones become dead letters.

        Event ``k`` is numbered ``indices[k]`` (default ``first_index + k``) in messages; its
        id is its ``id`` field, else ``ids[k]``, else its number.
        """
        good: list[dict[str, Any]] = []
        labels: list[Any] = []
        event_ids: list[Any] = []
        times: list[float] = []
        keys: list[Any] = []
        dead: list[DeadLetter] = []
        positions: list[int] = []
        originals: list[Mapping[str, Any]] = []
        for offset, event in enumerate(events):
            index = first_index + offset if indices is None else indices[offset]
            try:
                features, label = self._validate(event, index)
                event_id = event.get(self.id) if self.id else None
                if event_id is None:
                    event_id = index if ids is None else ids[offset]
                event_ids.append(event_id)
                times.append(_as_time(event.get(self.time), index) if self.time else math.nan)
                keys.append(event.get(self.key) if self.key else None)
            except SchemaError as exc:
                dead.append(DeadLetter(index=index, payload=event, reason=str(exc)))
                continue
            good.append(features)
            labels.append(label)
            positions.append(index)
            originals.append(event)
        while True:
            try:
                batch = Batch.from_dicts(good, y=labels if self.target else None)
                break
            except SchemaError as exc:  # a feature that is a number in one event only
                if exc.row is None:
                    raise
                k = exc.row
                dead.append(DeadLetter(index=positions[k], payload=originals[k],
                                       reason=str(exc).replace(f"event {k}",
                                                               f"event {positions[k]}")))
                for column in (good, labels, event_ids, times, keys, positions, originals):
                    del column[k]
        dead.sort(key=lambda d: d.index)
        batch = _with_roles(batch, event_ids, times if self.time else None,
                            keys if self.key else None)
        return Decoded(batch=batch, dead_letters=dead)

    def _validate(self, event: Mapping[str, Any], index: int) -> tuple[dict[str, Any], Any]:
        if not isinstance(event, Mapping):
            raise SchemaError(f"event {index} is a {type(event).__name__}, not a mapping",
                              row=index)
        label = None
        if self.target is not None:
            label = event.get(self.target)
            if label is None and self.require_target:
                raise SchemaError(
                    f"event {index} has no target {self.target!r}; send it or set "
                    "require_target=False", row=index, column=self.target)
            if isinstance(label, float) and not math.isfinite(label):
                raise SchemaError(f"the target of event {index} is {label}", row=index,
                                  column=self.target)
        if self.numeric is None and self.categorical is None:
            roles = self.roles
            features = {k: v for k, v in event.items() if k not in roles}
            for name, value in features.items():
                if value is not None and not isinstance(value, str | bool | int | float):
                    raise SchemaError(
                        f"column {name!r} of event {index} holds a {type(value).__name__}; "
                        "features are numbers or strings", row=index, column=name)
                if isinstance(value, float) and math.isinf(value):
                    raise SchemaError(f"column {name!r} of event {index} is infinite",
                                      row=index, column=name)
            return features, label
        features = {}
        for name in self.numeric or ():
            features[name] = self._number(event, name, index)
        for name in self.categorical or ():
            value = event.get(name)
            if value is None and name not in self.optional:
                raise self._missing(name, index)
            features[name] = None if value is None else str(value)
        return features, label

    def _number(self, event: Mapping[str, Any], name: str, index: int) -> float | None:
        value = event.get(name)
        if value is None:
            if name in self.optional:
                return None
            raise self._missing(name, index)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise SchemaError(f"column {name!r} of event {index} holds {value!r}, which is "
                              "not a number", row=index, column=name) from None
        if math.isinf(number) or (math.isnan(number) and name not in self.optional):
            raise SchemaError(f"column {name!r} of event {index} is {number}; send a finite "
                              "number or declare the column optional", row=index, column=name)
        return None if math.isnan(number) else number

    @staticmethod
    def _missing(name: str, index: int) -> SchemaError:
        return SchemaError(f"column {name!r} is missing from event {index}; declare it optional "
                           "in the schema or send it", row=index, column=name)


def _as_time(value: Any, index: int) -> float:
    if value is None:
        return math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        raise SchemaError(f"the time of event {index} is {value!r}, neither epoch seconds nor "
                          "an ISO 8601 date", row=index) from None


def _with_roles(batch: Batch, ids: list, times: list | None, keys: list | None) -> Batch:
    from dataclasses import replace

    return replace(
        batch,
        ids=np.array(ids, dtype=object),
        times=None if times is None else np.array(times, dtype=np.float64),
        keys=None if keys is None else np.array(keys, dtype=object),
    )
