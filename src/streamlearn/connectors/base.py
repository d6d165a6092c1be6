"""The `Source` protocol: where events come from, a micro-batch at a time."""

from __future__ import annotations

from collections.abc import Iterator

from streamlearn.core.schema import Decoded


class Source:
    """A stream of events read in micro-batches.

    ``batches(max_events)`` yields :class:`~streamlearn.core.schema.Decoded` items: the
    events that decoded well as a :class:`~streamlearn.core.batch.Batch`, and the dead
    letters (events that did not, with the reason). ``size_hint`` is the number of events
    when it is known (for progress bars), else ``None``.
    """

    name: str = "source"

    def batches(self, max_events: int) -> Iterator[Decoded]:
        raise NotImplementedError

    @property
    def size_hint(self) -> int | None:
        return None
