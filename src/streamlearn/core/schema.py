"""`Schema`: which field of an event is its id, time, key and label, and which are features.

Decoding validates each event once, at the boundary; an event that fails goes to the dead
letters with its reason and the stream goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamlearn.core._columnar import decode_columns
from streamlearn.core.batch import Batch


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
        numbers = (list(range(first_index, first_index + len(events))) if indices is None
                   else list(indices))
        batch, _, reasons = decode_columns(self, events, numbers, ids)
        dead = [DeadLetter(index=numbers[k], payload=events[k], reason=reason)
                for k, reason in sorted(reasons.items())]
        return Decoded(batch=batch, dead_letters=dead)
