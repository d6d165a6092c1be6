"""Drift watch: a detector over the live model's errors, as their labels arrive.

A job's ``drift:`` section names a detector of :mod:`streamlearn.drift` (ADWIN by default)
and an action. Each scored label gives an error (1 for a wrong class and 0 for a right one;
the absolute error of a regressor) and the detector reads them in order. A drift becomes an
event, with the number of the label at which it was detected and whether the model got worse
or better: counted, kept in the store, listed by the server's metrics and the dashboard.
With ``action: reset`` a model that got worse starts over (at the end of the micro-batch in
which the drift was detected), the way a model is retrained when the world it learnt has
gone; ``report`` only tells.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from streamlearn.core.errors import ParameterError

ACTIONS = ("report", "reset")
RECENT_EVENTS = 100
RECENT_ERRORS = 100


class DriftWatch:
    def __init__(self, detector: str = "ADWIN", params: dict[str, Any] | None = None,
                 action: str = "report"):
        from streamlearn import drift

        if action not in ACTIONS:
            raise ParameterError(f"drift action must be one of {', '.join(ACTIONS)}; "
                                 f"got {action!r}")
        detector_class = getattr(drift, detector, None)
        if detector_class is None or detector not in drift.__all__ or detector == \
                "DriftDetector":
            known = ", ".join(n for n in drift.__all__ if n != "DriftDetector")
            raise ParameterError(f"unknown drift detector {detector!r}; known: {known}")
        self.detector = detector_class(**(params or {}))
        self.name = detector
        self.action = action
        self.scored = 0                       # labels read so far
        self.events: list[dict[str, Any]] = []  # the most recent ones
        self.since = (0.0, 0)                 # sum and count of the errors since the last drift
        self.recent = np.zeros(0)             # the last RECENT_ERRORS errors

    def observe(self, errors: np.ndarray) -> list[dict[str, Any]]:
        """Read the errors of the labels just scored, in order; returns the drift events
        they complete. A detector sees any change of the errors' mean: an event says
        whether the model got ``worse`` (the mean of the last ``RECENT_ERRORS`` errors
        above the mean since the previous drift) or ``better``; only ``worse`` resets."""
        found = self.detector.update_many(errors)
        now, events, start = time.time(), [], 0
        for k in found.tolist():
            part = errors[start:k + 1]
            self.since = (self.since[0] + float(part.sum()), self.since[1] + len(part))
            self.recent = np.concatenate([self.recent, part])[-RECENT_ERRORS:]
            worse = float(self.recent.mean()) > self.since[0] / self.since[1]
            events.append({"label": self.scored + k + 1, "time": now, "detector": self.name,
                           "direction": "worse" if worse else "better",
                           "action": self.action if worse else "report"})
            self.since, start = (0.0, 0), k + 1
        rest = errors[start:]
        self.since = (self.since[0] + float(rest.sum()), self.since[1] + len(rest))
        self.recent = np.concatenate([self.recent, rest])[-RECENT_ERRORS:]
        self.scored += len(errors)
        if events:
            self.events = (self.events + events)[-RECENT_EVENTS:]
        return events

    def state(self) -> dict[str, Any]:
        return {"detector": self.detector.snapshot(), "scored": self.scored,
                "events": list(self.events), "since": list(self.since),
                "recent": self.recent.copy()}

    def restore(self, state: dict[str, Any]) -> None:
        self.detector.restore(state["detector"])
        self.scored = int(state["scored"])
        self.events = list(state["events"])
        self.since = (float(state["since"][0]), int(state["since"][1]))
        self.recent = np.asarray(state["recent"], dtype=np.float64)


def errors_of(model: Any, classifier: bool, y_true: np.ndarray,
              answers: np.ndarray) -> np.ndarray:
    """Per scored label: 1.0 for a wrong class (0.0 for a right one), or |error|."""
    if classifier:
        predicted = model.labels_from_proba(answers)
        return (predicted != y_true).astype(np.float64)
    return np.abs(np.asarray(answers, dtype=np.float64) - np.asarray(y_true, dtype=np.float64))
