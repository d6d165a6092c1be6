"""Early-warning quality: how soon alerts follow deterioration onsets, and how many are false."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class AlertLatency:
    """Per episode, the time from its onset to the first alert; false alerts per patient-day.

    Fed reading by reading, in time order, with each reading's patient (``keys``), time
    (seconds), whether the model alerted and ``onsets``: the onset time of the episode the
    reading belongs to (its labelled window, which may start before the onset), NaN for a
    reading outside any episode. An episode is detected by the first alert among its
    readings; its latency is that alert's time minus the onset (negative when the alert came
    before the onset). An alert outside any episode is *false* when it starts an alarm (the
    patient's previous reading did not alert): a run of alerting readings counts once, as a
    monitor's alarm would. Patient-days are the time between each patient's first and last
    reading. Unlike the label-by-label metrics, this one needs the patient and the time, so it
    is fed from the predictions (see ``examples/medical``), not named in a job's metrics.

    >>> metric = AlertLatency()
    >>> nan = float("nan")
    >>> _ = metric.update_many(["a", "a", "a", "b", "b"], [0, 3600, 7200, 0, 86400],
    ...                        [False, False, True, True, True], [nan, 3600, 3600, nan, nan])
    >>> metric.episodes, metric.detected, metric.latencies_seconds, metric.false_alerts
    (1, 1, [3600.0], 1)
    >>> round(metric.false_alerts_per_patient_day, 4)   # 1 false alarm in 1 + 1/12 days
    0.9231
    """

    def __init__(self) -> None:
        self.first_alert_: dict[tuple[Any, float], float | None] = {}
        self.alerting_: dict[Any, bool] = {}
        self.first_time_: dict[Any, float] = {}
        self.last_time_: dict[Any, float] = {}
        self.false_alerts = 0

    def update_many(self, keys: Any, times: Any, alerts: Any, onsets: Any) -> AlertLatency:
        """Account for readings given in time order (four sequences of the same length)."""
        keys = list(keys.tolist() if isinstance(keys, np.ndarray) else keys)
        times = np.asarray(times, dtype=np.float64)
        alerts = np.asarray(alerts, dtype=bool)
        onsets = np.asarray(onsets, dtype=np.float64)
        if not len(keys) == len(times) == len(alerts) == len(onsets):
            raise ValueError(f"keys, times, alerts and onsets must have the same length; got "
                             f"{len(keys)}, {len(times)}, {len(alerts)} and {len(onsets)}")
        for key, time, alert, onset in zip(keys, times.tolist(), alerts.tolist(),
                                           onsets.tolist()):
            self.first_time_.setdefault(key, time)
            self.last_time_[key] = time
            was_alerting = self.alerting_.get(key, False)
            self.alerting_[key] = alert
            if onset == onset:     # inside an episode's window
                episode = (key, onset)
                if self.first_alert_.get(episode) is None:
                    self.first_alert_[episode] = time if alert else None
            elif alert and not was_alerting:
                self.false_alerts += 1
        return self

    @property
    def episodes(self) -> int:
        return len(self.first_alert_)

    @property
    def detected(self) -> int:
        return sum(t is not None for t in self.first_alert_.values())

    @property
    def detection_rate(self) -> float:
        return self.detected / self.episodes if self.episodes else 0.0

    @property
    def latencies_seconds(self) -> list[float]:
        """Onset to first alert of each detected episode, in the order episodes began."""
        return [t - onset for (_, onset), t in self.first_alert_.items() if t is not None]

    @property
    def median_latency_hours(self) -> float:
        """NaN before any detection."""
        latencies = self.latencies_seconds
        return float(np.median(latencies)) / 3600.0 if latencies else math.nan

    @property
    def patient_days(self) -> float:
        return sum(self.last_time_[k] - self.first_time_[k] for k in self.first_time_) / 86400.0

    @property
    def false_alerts_per_patient_day(self) -> float:
        days = self.patient_days
        return self.false_alerts / days if days > 0 else 0.0

    def summary(self) -> dict[str, float]:
        return {"episodes": self.episodes, "detected": self.detected,
                "detection_rate": self.detection_rate,
                "median_latency_hours": self.median_latency_hours,
                "false_alerts": self.false_alerts, "patient_days": self.patient_days,
                "false_alerts_per_patient_day": self.false_alerts_per_patient_day}
