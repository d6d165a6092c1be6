"""Replaying a file at a given rate, as if its events were arriving live."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from streamlearn.core.errors import ParameterError


class RateLimiter:
    """Hands out events at ``rate`` per second at most: the cumulative count handed out never
    runs ahead of ``rate × elapsed`` (elapsed from the first call of :meth:`take`).

    ``take(max_events, timeout_ms)`` says how many events may be read now, sleeping first if
    needed. It waits for as many as ``max_events`` when they become due within
    ``timeout_ms``; otherwise it hands out those due by then, and at least one (waiting for it
    if need be), so that a caller asking with ``timeout_ms=0`` still makes progress.

    >>> now = [0.0]
    >>> limiter = RateLimiter(100, clock=lambda: now[0],
    ...                       sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> limiter.take(50, timeout_ms=1000), round(now[0], 3)  # 50 events are due at 0.5 s
    (50, 0.5)
    >>> limiter.take(50, timeout_ms=200), round(now[0], 3)   # only 20 more are due by 0.7 s
    (20, 0.7)
    >>> limiter.take(50), round(now[0], 3)                   # none due now: wait for one
    (1, 0.71)
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if not rate > 0 or not math.isfinite(rate):
            raise ParameterError(f"The 'rate' parameter must be a finite number of events per "
                                 f"second > 0. Got {rate!r} instead.")
        self.rate = float(rate)
        self.clock = clock
        self.sleep = sleep
        self.reset()

    def reset(self) -> None:
        """Start over: the next :meth:`take` starts the clock again (after a seek)."""
        self._start: float | None = None
        self._handed_out = 0

    def take(self, max_events: int, timeout_ms: int = 0) -> int:
        now = self.clock()
        if self._start is None:
            self._start = now
        # the epsilon keeps 100/s × 0.7 s from rounding down to 69 events
        due_by_deadline = math.floor(self.rate * (now + timeout_ms / 1000 - self._start) + 1e-9)
        count = max(1, min(max_events, due_by_deadline - self._handed_out))
        self._handed_out += count
        wait = self._start + self._handed_out / self.rate - now
        if wait > 0:
            self.sleep(wait)
        return count


def rate_limiter(rate: float | None) -> RateLimiter | None:
    """A limiter for ``rate`` events per second, or None for "as fast as possible"."""
    return None if rate is None else RateLimiter(rate)


def check_position(owner: object, position: object, unit: str) -> int:
    """A file source's position: a count of ``unit`` (lines, rows) >= 0, or a clear error."""
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ParameterError(f"a {type(owner).__name__} position is a {unit} number >= 0. "
                             f"Got {position!r} instead.")
    return position
