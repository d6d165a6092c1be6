"""Alert latency per episode and false alerts per patient-day, against hand-counted values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from streamlearn.datasets import VitalSigns
from streamlearn.metrics import AlertLatency

NAN = math.nan


def test_latency_false_alarms_and_runs_counted_once():
    keys = ["a"] * 6 + ["b"] * 6
    times = [0, 600, 1200, 1800, 2400, 3000] * 2
    # a: an alarm of two readings before its episode (one false alarm), then detected
    #    600 s after the onset at 1800; b: episode from 1200 never alerted
    alerts = [True, True, False, False, True, True, False, False, False, False, False, True]
    onsets = [NAN, NAN, 1800, 1800, 1800, 1800, NAN, NAN, 1200, 1200, NAN, NAN]
    metric = AlertLatency()
    for start in range(0, 12, 5):          # any cut into batches gives the same counts
        part = slice(start, start + 5)
        metric.update_many(keys[part], times[part], alerts[part], onsets[part])
    assert metric.episodes == 2 and metric.detected == 1 and metric.detection_rate == 0.5
    assert metric.latencies_seconds == [600.0]
    assert metric.median_latency_hours == pytest.approx(600 / 3600)
    assert metric.false_alerts == 2                        # a's first run, b's last reading
    assert metric.patient_days == pytest.approx(2 * 3000 / 86400)


def test_a_perfect_alarm_on_generated_vitals():
    data = VitalSigns(n_patients=40, days=3, seed=2).generate()
    oracle = AlertLatency().update_many(data.patient, data.time, data.y == 1, data.onset)
    assert oracle.episodes == len(data.episodes) and oracle.detection_rate == 1.0
    assert oracle.median_latency_hours == pytest.approx(-2.0, abs=1 / 6)  # 2 h ahead
    assert oracle.false_alerts == 0
    silent = AlertLatency().update_many(data.patient, data.time, np.zeros(len(data), bool),
                                        data.onset)
    assert silent.detected == 0 and math.isnan(silent.median_latency_hours)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        AlertLatency().update_many(["a"], [0.0, 1.0], [True], [NAN])
