"""`DelayedLabels`: a labels source that reveals each event's label a fixed number of events
after the event, for testing late-label joins without a broker."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.connectors.base import Source
from streamlearn.core.batch import Batch
from streamlearn.core.schema import Decoded


class DelayedLabels(Source):
    """Labels ``{id, label}`` of the events of ``events`` (a source whose ``position()`` is
    the number of events read), the label of event ``i`` being readable once event
    ``i + delay`` is due: River's ``progressive_val_score(delay=...)`` schedule, at the
    granularity of the runner's micro-batches. When ``events`` has ended (its position
    reached its ``size_hint``) every remaining label arrives.

    >>> from streamlearn.connectors import ArraySource
    >>> events = ArraySource(np.zeros((10, 1)))
    >>> labels = DelayedLabels(events, np.arange(10), np.arange(10) % 2 == 0, delay=3)
    >>> _ = events.read(6)
    >>> labels.read(100).batch.ids.tolist()      # events 0-3: their reveal event (3-6) is due
    [0, 1, 2, 3]
    """

    name = "delayed-labels"

    def __init__(self, events: Source, ids: Any, labels: Any, delay: int):
        self.events = events
        self.ids = np.asarray(ids)
        self.labels = np.asarray(labels)
        self.delay = delay
        self._next = 0

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        read = int(self.events.position())
        size = self.events.size_hint
        # once the events are exhausted, every label arrives (as River does at the end)
        ended = size is not None and read >= size
        due = len(self.ids) if ended else min(len(self.ids), read - max(self.delay, 1) + 1)
        stop = min(due, self._next + max_events)
        if self._next >= len(self.ids):
            return None
        rows = slice(self._next, max(stop, self._next))
        self._next = max(stop, self._next)
        count = rows.stop - rows.start
        batch = Batch(X=np.zeros((count, 0)), columns=(), y=self.labels[rows],
                      ids=self.ids[rows])
        return Decoded(batch, [])

    def position(self) -> int:
        return self._next

    def seek(self, position: int) -> None:
        self._next = int(position)
