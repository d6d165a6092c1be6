"""The `Source` and `Sink` protocols: where events come from and where answers go.

A source hands out micro-batches of decoded events and can say where it stands, go back
there, and acknowledge what has been safely checkpointed:

- ``read(max_events, timeout_ms)`` returns a :class:`~streamlearn.core.schema.Decoded`
  (the events that decoded well as a ``Batch``, and the dead letters with their reasons and
  raw payloads) holding at most ``max_events`` events, waiting at most ``timeout_ms`` for the
  first one; an empty one when nothing arrived in time; ``None`` once a finite source is
  exhausted.
- ``position()`` is a JSON-ready value meaning "just after the last event read";
  ``seek(position)`` makes the next ``read`` continue from there (after a restart from a
  checkpoint); ``commit(position)`` tells the broker that everything up to ``position`` is
  checkpointed (Redis ``XACK``, Kafka offset commit, NATS ack), so it is never redelivered.
- Event ids are deterministic (a field named by the schema, else derived from the position),
  so that a replay after a crash produces the same ids and sinks can upsert.

A sink takes prediction records (dicts with at least ``id``) with ``write(records)``, and
``flush()`` makes them durable. ``batches(max_events)`` is the simple loop that evaluation
uses over a finite source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from streamlearn.core.schema import Decoded


class Source:
    """Base class of event sources (see the module docstring for the protocol)."""

    name: str = "source"

    @property
    def partitions(self) -> list[str]:
        return ["0"]

    def open(self) -> None:
        """Connect (idempotent)."""

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        raise NotImplementedError

    def position(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} cannot say where it stands")

    def seek(self, position: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot seek")

    def commit(self, position: Any) -> None:
        """Acknowledge everything up to ``position`` (nothing to do for files)."""

    def close(self) -> None:
        """Release connections and files (idempotent)."""

    @property
    def size_hint(self) -> int | None:
        return None

    def batches(self, max_events: int) -> Iterator[Decoded]:
        """Every remaining event of a finite source, in micro-batches."""
        self.open()
        try:
            while (decoded := self.read(max_events)) is not None:
                yield decoded
        finally:
            self.close()

    def __enter__(self) -> Source:
        self.open()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Sink:
    """Base class of sinks: ``write`` records (dicts with an ``id``), ``flush`` them."""

    name: str = "sink"

    def open(self) -> None:
        """Connect (idempotent)."""

    def write(self, records: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Make everything written so far durable."""

    def close(self) -> None:
        """Flush and release (idempotent)."""

    def __enter__(self) -> Sink:
        self.open()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
