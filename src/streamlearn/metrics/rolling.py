"""Any metric over the last ``window_size`` events only."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.metrics._base import Metric, Records


class Rolling(Metric):
    """The value ``metric`` would have on the last ``window_size`` events, exactly.

    The records of the last events (class codes, scores, losses, values) sit in a ring buffer.
    Counting metrics (accuracy, precision, recall, F1, confusion matrix) add the new events and
    take back the ones leaving the window, so an event costs O(1); the other metrics are
    recomputed from the window when ``get()`` is called (O(window) for means, O(window log
    window) for ROC AUC), and the value is cached until the next update.

    Examples
    --------
    >>> from streamlearn.metrics import Accuracy, Rolling
    >>> metric = Rolling(Accuracy(), window_size=3)
    >>> _ = metric.update_many([1, 1, 0, 0, 1], y_pred=[0, 0, 0, 0, 1])
    >>> metric.get()
    1.0
    >>> print(metric)
    Rolling Accuracy(3): 100.00%
    """

    def __init__(self, metric: Metric, window_size: int = 1000) -> None:
        self.metric = metric
        self.window_size = window_size

    # ------------------------------------------------------------------ description
    @property
    def name(self) -> str:  # type: ignore[override]
        return f"Rolling {self.metric.name}({self.window_size})"

    @property
    def needs_proba(self) -> bool:  # type: ignore[override]
        return self.metric.needs_proba

    @property
    def task(self) -> str:  # type: ignore[override]
        return self.metric.task

    @property
    def bigger_is_better(self) -> bool:  # type: ignore[override]
        return self.metric.bigger_is_better

    @property
    def _as_percent(self) -> bool:  # type: ignore[override]
        return self.metric._as_percent

    def _check_params(self) -> None:
        if not isinstance(self.metric, Metric):
            raise ValueError(
                f"The 'metric' parameter of Rolling must be a Metric. Got {self.metric!r} "
                "instead."
            )
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        if "metric_" not in self.__dict__:
            # The inner metric turns inputs into records; for counting metrics it also
            # holds the counts of the window.
            self.metric_ = self.metric.clone()
            self.buffers_: list[np.ndarray] = []
            self.head_ = 0  # where the next record goes
            self.size_ = 0  # how many records the window holds
        self.metric_._check_params()

    # ------------------------------------------------------------------ records
    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[Any, ...]:
        return self.metric_._record_one(y_true, y_pred)

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        return self.metric_._records_many(y_true, y_pred, y_proba, classes)

    def _learn_one(self, record: tuple[Any, ...]) -> None:
        if not self.buffers_ or not self.metric_._revertible:
            self._learn_many(tuple(np.asarray([value]) for value in record))
            return
        # The scalar path of the counting metrics: no numpy call per event.
        self.__dict__.pop("_cached", None)
        if self.size_ == self.window_size:  # the oldest record sits where the next one goes
            self.metric_._unlearn_one(tuple(b[self.head_] for b in self.buffers_))
        self.metric_._learn_one(record)
        for buffer, value in zip(self.buffers_, record):
            buffer[self.head_] = value
        self.head_ = (self.head_ + 1) % self.window_size
        self.size_ = min(self.window_size, self.size_ + 1)

    def _learn_many(self, records: Records) -> None:
        self.__dict__.pop("_cached", None)
        window = self.window_size
        records = tuple(r[-window:] for r in records)
        m = len(records[0])
        if not m:
            return
        if not self.buffers_:
            self.buffers_ = [np.empty(window, dtype=r.dtype) for r in records]
        evicted = max(0, self.size_ + m - window)
        if evicted and self.metric_._revertible:
            start = (self.head_ - self.size_) % window
            self.metric_._unlearn_many(tuple(_ring_read(b, start, evicted)
                                             for b in self.buffers_))
        if self.metric_._revertible:
            self.metric_._learn_many(records)
        for buffer, values in zip(self.buffers_, records):
            _ring_write(buffer, self.head_, values)
        self.head_ = int((self.head_ + m) % window)
        self.size_ = min(window, self.size_ + m)

    def window_records(self) -> Records:
        """The records of the events in the window, oldest first."""
        if not self.buffers_:
            return ()
        start = (self.head_ - self.size_) % self.window_size
        positions = (start + np.arange(self.size_)) % self.window_size
        return tuple(b[positions] for b in self.buffers_)

    # ------------------------------------------------------------------ state
    def snapshot(self) -> dict[str, Any]:
        """As :meth:`Estimator.snapshot`, with the inner metric as its own plain snapshot."""
        inner = self.__dict__.pop("metric_", None)
        try:
            snap = super().snapshot()
        finally:
            if inner is not None:
                self.metric_ = inner
        if inner is not None:
            snap["state"]["metric_"] = inner.snapshot()
        return snap

    def _after_restore(self) -> None:
        self.__dict__.pop("_cached", None)
        if isinstance(self.__dict__.get("metric_"), dict):
            self.metric_ = self.metric.clone().restore(self.metric_)

    # ------------------------------------------------------------------ value
    def get(self) -> float:
        if "metric_" not in self.__dict__:
            return self.metric.clone().get()
        if self.metric_._revertible:
            return self.metric_.get()
        cached = self.__dict__.get("_cached")
        if cached is None:
            fresh = self.metric_.clone()
            if self.size_:
                fresh._learn_many(self.window_records())
            cached = self._cached = fresh.get()
        return cached


def _ring_read(buffer: np.ndarray, start: int, count: int) -> np.ndarray:
    """``count`` entries of a ring buffer from ``start``, wrapping around (two slices)."""
    stop = start + count
    if stop <= len(buffer):
        return buffer[start:stop]
    return np.concatenate([buffer[start:], buffer[: stop - len(buffer)]])


def _ring_write(buffer: np.ndarray, start: int, values: np.ndarray) -> None:
    """Write ``values`` (at most the buffer's length) into a ring buffer from ``start``."""
    first = min(len(values), len(buffer) - start)
    buffer[start:start + first] = values[:first]
    buffer[: len(values) - first] = values[first:]
