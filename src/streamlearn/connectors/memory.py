"""In-memory sources: arrays, data frames, iterables of ``(dict, label)`` pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

import numpy as np

from streamlearn.connectors.base import Source
from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError
from streamlearn.core.schema import Decoded, Schema


class ArraySource(Source):
    """Rows of a numeric matrix ``X`` with labels ``y``.

    >>> source = ArraySource(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0]))
    >>> [len(d.batch) for d in source.batches(2)]
    [2, 1]
    """

    name = "array"

    def __init__(self, X: Any, y: Any = None, columns: Sequence[str] | None = None):
        batch = Batch.from_array(X, columns=columns, y=y)
        # event ids are row numbers: deterministic, so replays and late labels find them
        self.batch = replace(batch, ids=np.arange(len(batch)))
        if np.isinf(self.batch.X).any():
            row, col = np.argwhere(np.isinf(self.batch.X))[0]
            raise SchemaError(
                f"column {self.batch.columns[col]!r} of event {row} is infinite",
                row=int(row), column=self.batch.columns[col])

    _next_row = 0

    @property
    def size_hint(self) -> int:
        return len(self.batch)

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        start = self._next_row
        if start >= len(self.batch):
            return None
        self._next_row = min(len(self.batch), start + max_events)
        return Decoded(self.batch.take(slice(start, self._next_row)), [])

    def position(self) -> int:
        return self._next_row

    def seek(self, position: int) -> None:
        self._next_row = int(position)

    def batches(self, max_events: int) -> Iterator[Decoded]:
        # evaluation reads the whole stream from the start, whatever was read before
        for start in range(0, len(self.batch), max_events):
            yield Decoded(self.batch.take(slice(start, start + max_events)), [])


class FrameSource(ArraySource):
    """Rows of a pandas or polars data frame; ``target`` names the label column."""

    name = "frame"

    def __init__(self, frame: Any, target: str | None = None):
        batch = Batch.from_frame(frame, target=target)
        self.batch = replace(batch, ids=np.arange(len(batch)))


class IterableSource(Source):
    """``(features dict, label)`` pairs, River style, decoded against a schema."""

    name = "iterable"

    def __init__(self, events: Iterable[tuple[dict, Any]], schema: Schema | None = None,
                 size: int | None = None):
        self.events = events
        self.schema = schema or Schema()
        self.size = size if size is not None else _length(events)

    @property
    def size_hint(self) -> int | None:
        return self.size

    _iterator: Iterator[tuple[dict, Any]] | None = None
    _seen = 0

    def open(self) -> None:
        if self._iterator is None:
            self._iterator = iter(self.events)
            self._seen = 0

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        chunk = list(islice(self._iterator, max_events))  # type: ignore[arg-type]
        if not chunk:
            return None
        seen = self._seen
        decoded = self.schema.decode([x for x, _ in chunk], first_index=seen)
        dead = {d.index - seen for d in decoded.dead_letters}
        labels = [y for k, (_, y) in enumerate(chunk) if k not in dead]
        batch = decoded.batch.with_labels(np.array(labels, dtype=_label_dtype(labels)))
        self._seen += len(chunk)
        return Decoded(batch, decoded.dead_letters)

    def position(self) -> int:
        return self._seen

    def seek(self, position: int) -> None:
        """Start again and skip ``position`` events (the iterable must be re-iterable)."""
        self._iterator = iter(self.events)
        self._seen = 0
        for _ in islice(self._iterator, int(position)):
            self._seen += 1

    def close(self) -> None:
        self._iterator = None


def _length(events: Any) -> int | None:
    try:
        return len(events)
    except TypeError:
        return None


def _label_dtype(labels: list) -> Any:
    if any(label is None or isinstance(label, str) for label in labels):
        return object
    return None


def as_source(data: Any, target: str | None = None) -> Source:
    """Coerce what ``evaluate.prequential`` accepts to a :class:`Source`."""
    if isinstance(data, Source):
        return data
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        return ArraySource(data[0], data[1])
    if hasattr(data, "X") and hasattr(data, "y") and hasattr(data, "feature_names"):
        return ArraySource(data.X, data.y, columns=data.feature_names)  # a Dataset
    if hasattr(data, "columns") and hasattr(data, "shape"):
        return FrameSource(data, target=target)
    if isinstance(data, Iterable):
        return IterableSource(data)
    raise TypeError(f"cannot read events from a {type(data).__name__}; pass a Source, "
                    "(X, y) arrays, a data frame or an iterable of (dict, label) pairs")
