"""The live status line of ``streamlearn run``: throughput, lag, counters, rolling metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def status_text(runner: Any, previous: tuple[float, int]) -> tuple[str, tuple[float, int]]:
    counters = runner.counters
    now = time.monotonic()
    rate = (counters.events_in - previous[1]) / max(now - previous[0], 1e-9)
    parts = [f"{counters.events_in:,} events", f"{rate:,.0f}/s",
             f"{counters.dead_lettered:,} dead", f"{len(runner.pending):,} pending"]
    if counters.last_event_time is not None:
        parts.append(f"lag {max(0.0, time.time() - counters.last_event_time):,.1f}s")
    for name, value in runner.scorer.rolling_values().items():
        parts.append(f"{name} {value:.4f}")
    return " | ".join(parts), (now, counters.events_in)


@contextmanager
def live_status(job: Any, console: Any, enabled: bool = True,
                every_seconds: float = 0.5) -> Iterator[None]:
    """Refresh a status line from a background thread while the job runs."""
    if not enabled:
        yield
        return
    from rich.live import Live

    done = threading.Event()

    def refresh(live: Live) -> None:
        previous = (time.monotonic(), 0)
        while not done.wait(every_seconds):
            if job.runner is not None:
                text, previous = status_text(job.runner, previous)
                live.update(text)

    with Live("starting...", console=console, refresh_per_second=4, transient=True) as live:
        thread = threading.Thread(target=refresh, args=(live,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
