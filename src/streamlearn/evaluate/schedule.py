"""When does a label arrive? The order of predict and learn steps under a label delay.

Events are numbered over the whole stream. The label of event ``i`` is learnt (and its
prediction scored) just before the first event ``j > i`` such that:

- ``delay=None``, ``0`` or ``1``: ``j = i + 1`` (test-then-train);
- ``delay=d`` (an int, in events): ``j = i + d``: the label is revealed ``d`` events after
  its question, counting the question, which is River's convention
  (``progressive_val_score(..., delay=d)`` gives the same numbers);
- ``delay=timedelta(...)``: ``time[j] >= time[i] + delay``, times read as a watermark (the
  running maximum of event times, so late events do not move time backwards).

Labels still pending when the stream ends are learnt and scored at the end.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from streamlearn.core.errors import ParameterError


def validate_delay(delay: Any) -> None:
    if delay is None:
        return
    if isinstance(delay, timedelta):
        if delay.total_seconds() < 0:
            raise ParameterError(f"delay must not be negative; got {delay}")
        return
    if isinstance(delay, bool) or not isinstance(delay, int | np.integer) or delay < 0:
        raise ParameterError("delay must be a number of events (an int >= 0) or a "
                             f"datetime.timedelta; got {delay!r}")


def arrival_events(candidates: np.ndarray, due_times: np.ndarray | None, delay: Any,
                   first_event: int, watermark: np.ndarray | None) -> np.ndarray:
    """For each candidate label (its event number), the event before which it arrives.

    Arrivals beyond this batch are returned as ``first_event + len(batch)`` or more and stay
    pending. ``watermark`` is the running maximum of this batch's event times.
    """
    if not isinstance(delay, timedelta):
        return candidates + max(int(delay or 0), 1)
    if watermark is None:
        raise ParameterError("a time delay needs event times: give the source a time column")
    first_reached = np.searchsorted(watermark, due_times, side="left") + first_event
    return np.maximum(first_reached, candidates + 1)


def interleave(predict_events: np.ndarray, learn_events: np.ndarray, arrivals: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Order of operations: each label is learnt just before the event it arrives before,
    labels in event order. Returns (is_learn, operand position) per operation, where the
    operand indexes ``learn_events`` for learn steps and ``predict_events`` otherwise."""
    kind = np.concatenate([np.zeros(len(learn_events), np.int8),
                           np.ones(len(predict_events), np.int8)])
    when = np.concatenate([arrivals, predict_events])
    tie = np.concatenate([learn_events, predict_events])
    order = np.lexsort((tie, kind, when))
    is_learn = kind[order] == 0
    operand = np.concatenate([np.arange(len(learn_events)), np.arange(len(predict_events))])
    return is_learn, operand[order]
