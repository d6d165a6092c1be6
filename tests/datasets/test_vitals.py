"""The vital-signs generator: seeded, labelled from known onsets, physiologically shaped."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.datasets import VitalSigns

HOUR = 3600.0


def test_same_seed_same_readings_and_time_order():
    a = VitalSigns(n_patients=30, days=3, seed=5).generate()
    b = VitalSigns(n_patients=30, days=3, seed=5).generate()
    c = VitalSigns(n_patients=30, days=3, seed=6).generate()
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X[:100], c.X[:100])
    assert np.all(np.diff(a.time) >= 0)
    assert np.all(np.diff(a.time)[np.diff(a.time) > 0] == 600.0)   # one tick every 10 min


def test_labels_follow_the_onsets_and_patients_leave_after_the_episode():
    data = VitalSigns(n_patients=50, days=4, horizon_hours=2, ramp_hours=6, plateau_hours=2,
                      seed=1).generate()
    assert len(data.episodes) == 16                       # about 30% of 50 patients
    for patient, onset, end in data.episodes:
        mine = data.patient == patient
        times, labels = data.time[mine], data.y[mine]
        assert times.max() < end                                 # no reading after the end
        assert np.array_equal(labels == 1, times >= onset - 2 * HOUR)
        assert np.all(data.onset[mine][labels == 1] == onset)
    healthy = ~np.isin(data.patient, [p for p, _, _ in data.episodes])
    assert data.y[healthy].sum() == 0 and np.isnan(data.onset[healthy]).all()
    assert data.X.shape[1] == 6 and data.feature_names[0] == "heart_rate"


def test_an_episode_moves_the_vitals_the_sepsis_way():
    data = VitalSigns(n_patients=200, days=4, seed=3).generate()
    before, during = [], []
    for patient, onset, end in data.episodes:
        mine = data.patient == patient
        before.append(data.X[mine & (data.time < onset - 2 * HOUR)].mean(axis=0))
        during.append(data.X[mine & (data.time >= end - 2 * HOUR)].mean(axis=0))
    change = np.mean(during, axis=0) - np.mean(before, axis=0)
    heart, systolic, diastolic, spo2, temperature, respiration = change
    assert heart > 20 and respiration > 5 and temperature > 1.0
    assert systolic < -15 and diastolic < -8 and spo2 < -3


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="'n_patients' parameter of VitalSigns must be >= 1"):
        VitalSigns(n_patients=0).generate()
    with pytest.raises(ValueError, match="'days' parameter of VitalSigns must leave room"):
        VitalSigns(days=0.5).generate()
