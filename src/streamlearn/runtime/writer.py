"""The output writer: predictions to the store (and the sink) on a thread of their own.

Micro-batches of predictions wait in a bounded queue; when the store or the sink is slower
than the stream, ``submit`` blocks and the runner reads no further (back-pressure), so
memory stays bounded. ``drain`` waits until everything submitted is written (the runner calls
it before each checkpoint, which makes outputs at-least-once). An error in the writer is
raised again in the runner at its next ``submit`` or ``drain``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any


class OutputWriter:
    def __init__(self, write: Callable[[list[Any]], None], max_batches: int = 8):
        self._write = write
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_batches)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="streamlearn-writer",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            items = [self._queue.get()]
            # whatever else is already waiting goes in the same write (one transaction)
            while items[-1] is not None and not self._queue.empty():
                items.append(self._queue.get_nowait())
            stopping = items[-1] is None
            batch = items[:-1] if stopping else items
            try:
                if batch and self._error is None:
                    self._write(batch)
            except BaseException as exc:  # handed to the runner, which raises it
                self._error = exc
            finally:
                for _ in items:
                    self._queue.task_done()
            if stopping:
                return

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise RuntimeError(f"writing predictions failed: {error}") from error

    def submit(self, item: Any) -> None:
        self._raise_if_failed()
        self._queue.put(item)

    def drain(self) -> None:
        self._queue.join()
        self._raise_if_failed()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise_if_failed()
