"""An asyncio event loop on a background thread, so that synchronous code can drive an
asyncio client (nats-py) without owning the caller's event loop.

>>> import asyncio
>>> loop = LoopThread("doctest")
>>> async def double(x):
...     await asyncio.sleep(0)
...     return 2 * x
>>> loop.run(double(21))
42
>>> loop.close()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """A private event loop running forever on a daemon thread until :meth:`close`."""

    def __init__(self, name: str):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._closed = False

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and return its result (or raise its exception).

        When ``timeout`` seconds pass first, the coroutine is cancelled and
        :class:`TimeoutError` is raised.
        """
        if self._closed:
            coroutine.close()  # never scheduled: close it so that it is not left unawaited
            raise RuntimeError("the event loop thread is closed; open the connector again")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        # wait first: the coroutine's own TimeoutError must not pass for this one
        done, _ = concurrent.futures.wait([future], timeout)
        if not done:
            future.cancel()
            raise TimeoutError(f"no answer within {timeout} s")
        return future.result()

    def close(self) -> None:
        """Cancel what is still running, stop the loop, join the thread (idempotent)."""
        if self._closed:
            return
        try:
            self.run(_cancel_other_tasks(), timeout=10)
        finally:
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()


async def _cancel_other_tasks() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
