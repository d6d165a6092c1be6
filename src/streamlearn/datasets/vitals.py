"""Vital signs of ward patients, with sepsis-like deterioration episodes at known onsets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.datasets._stream import spawn_generators

VITALS = ("heart_rate", "systolic_bp", "diastolic_bp", "spo2", "temperature", "respiration")
# population mean and spread of each patient's baseline
_BASELINE_MEAN = np.array([75.0, 122.0, 78.0, 97.0, 36.8, 15.0])
_BASELINE_SPREAD = np.array([8.0, 12.0, 8.0, 1.0, 0.25, 2.0])
# day-night swing (peak in the late afternoon), reading-to-reading noise
_CIRCADIAN = np.array([5.0, 6.0, 4.0, 0.3, 0.3, 1.0])
_NOISE = np.array([3.0, 5.0, 4.0, 0.7, 0.12, 1.2])
# a fully developed episode: tachycardia, tachypnoea, hypotension, desaturation, fever
_EPISODE = np.array([35.0, -30.0, -18.0, -6.0, 1.8, 10.0])
_LIMITS = np.array([[30.0, 220.0], [50.0, 230.0], [25.0, 140.0], [60.0, 100.0],
                    [33.0, 42.0], [4.0, 50.0]])


@dataclass(frozen=True)
class VitalSignsData:
    """Readings in time order (every patient at each tick), as columns.

    ``onset`` is, for a reading inside an episode's labelled window (from ``horizon`` before
    the onset to the end of the episode), that episode's onset time; NaN elsewhere. ``y`` is
    1 for those readings: "deteriorating, or will be within the horizon".
    """

    patient: np.ndarray        # object array of patient ids
    time: np.ndarray           # epoch seconds
    X: np.ndarray              # (n, 6) readings, columns ``VITALS``
    y: np.ndarray              # int 0/1
    onset: np.ndarray          # float, NaN outside episode windows
    episodes: list[tuple[str, float, float]]   # (patient, onset, end) of every episode

    feature_names = VITALS

    def __len__(self) -> int:
        return len(self.time)

    def to_records(self, id_prefix: str = "r") -> list[dict[str, Any]]:
        """One dict per reading: id, patient, time, the six vitals (rounded as a monitor
        shows them), label and onset (None outside episodes)."""
        values = np.round(self.X, 1).tolist()
        onsets = [None if o != o else o for o in self.onset.tolist()]
        return [{"id": f"{id_prefix}{i}", "patient": p, "time": t,
                 **dict(zip(VITALS, row)), "deteriorating": label, "onset": onset}
                for i, (p, t, row, label, onset) in enumerate(zip(
                    self.patient.tolist(), self.time.tolist(), values, self.y.tolist(),
                    onsets))]


class VitalSigns:
    """Seeded, vectorised vital-sign monitoring of a ward: ``n_patients`` patients, one
    reading of six vitals every ``interval_minutes`` for ``days`` days.

    Each patient has a baseline of their own, a circadian swing (peaking at 16:00) and
    measurement noise. A fraction ``episode_fraction`` of the patients deteriorates once
    (sepsis-like, after Seymour et al. 2016's qSOFA signs: rising heart and respiration rates,
    falling blood pressure and SpO2, fever): from the onset, uniformly placed after the first
    12 hours, the deviations grow linearly for ``ramp_hours`` up to a patient-specific
    severity, stay there ``plateau_hours``, and then the patient leaves the ward (no more
    readings). A reading is labelled 1 when the patient deteriorates now or will within
    ``horizon_hours`` (the readings of the last hours before the onset carry no sign of it:
    they are the part of the label an early-warning model cannot see). Everything is drawn
    from ``seed``: the same arguments give the same readings.

    Seymour, C. W. et al. (2016). Assessment of clinical criteria for sepsis. JAMA 315(8),
    762-774.

    >>> data = VitalSigns(n_patients=20, days=2, seed=1).generate()
    >>> len(data), data.X.shape[1], len(data.episodes)
    (5151, 6, 7)
    >>> bool(data.y.mean() < 0.1), bool(np.isnan(data.onset[data.y == 0]).all())
    (True, True)
    """

    def __init__(self, n_patients: int = 200, days: float = 7.0,
                 interval_minutes: float = 10.0, horizon_hours: float = 2.0,
                 episode_fraction: float = 0.3, ramp_hours: float = 6.0,
                 plateau_hours: float = 2.0, start: float = 1_704_067_200.0, seed: int = 42):
        self.n_patients = n_patients
        self.days = days
        self.interval_minutes = interval_minutes
        self.horizon_hours = horizon_hours
        self.episode_fraction = episode_fraction
        self.ramp_hours = ramp_hours
        self.plateau_hours = plateau_hours
        self.start = start
        self.seed = seed

    def _validate(self) -> None:
        check_number(self, "n_patients", self.n_patients, low=1, integer=True)
        for name in ("days", "interval_minutes", "ramp_hours"):
            check_number(self, name, getattr(self, name), low=0, low_inclusive=False)
        for name in ("horizon_hours", "plateau_hours", "start"):
            check_number(self, name, getattr(self, name), low=0)
        check_number(self, "episode_fraction", self.episode_fraction, low=0, high=1)
        check_number(self, "seed", self.seed, low=0, integer=True)
        if self.days * 24 < 12 + self.ramp_hours + self.plateau_hours:
            raise ValueError(f"The 'days' parameter of VitalSigns must leave room for an "
                             f"episode after the first 12 hours. Got {self.days!r} instead.")

    def generate(self) -> VitalSignsData:
        """All the readings, in time order (patients in id order within a tick)."""
        self._validate()
        baseline_rng, noise_rng, episode_rng = spawn_generators(self.seed, 3)
        n = self.n_patients
        step = self.interval_minutes * 60.0
        ticks = np.arange(int(self.days * 86400.0 // step)) * step          # seconds since start
        baseline = baseline_rng.normal(_BASELINE_MEAN, _BASELINE_SPREAD, size=(n, 6))
        baseline[:, 3] = np.minimum(baseline[:, 3], 99.5)
        hour = ((self.start + ticks) % 86400.0) / 3600.0
        circadian = np.sin(2 * np.pi * (hour - 10.0) / 24.0)               # peak at 16:00
        values = (baseline[:, None, :] + circadian[None, :, None] * _CIRCADIAN
                  + noise_rng.normal(size=(n, len(ticks), 6)) * _NOISE)
        has_episode = episode_rng.random(n) < self.episode_fraction
        ramp, plateau = self.ramp_hours * 3600.0, self.plateau_hours * 3600.0
        latest = ticks[-1] - ramp - plateau
        onset = np.where(has_episode, episode_rng.uniform(12 * 3600.0, latest, n), np.nan)
        severity_scale = episode_rng.uniform(0.6, 1.2, n)
        since = ticks[None, :] - onset[:, None]                             # NaN: no episode
        severity = np.clip(np.nan_to_num(since, nan=-1.0) / ramp, 0.0, 1.0)
        values += (severity * severity_scale[:, None])[:, :, None] * _EPISODE
        values = np.clip(values, _LIMITS[:, 0], _LIMITS[:, 1])
        end = onset + ramp + plateau
        present = ~(ticks[None, :] >= end[:, None])                         # gone after the end
        window = ticks[None, :] >= (onset - self.horizon_hours * 3600.0)[:, None]
        labels = window & present                                           # NaN onsets: False
        # time-major order: every patient at each tick
        present_t, labels_t = present.T, labels.T
        patients = np.array([f"p{i:04d}" for i in range(n)], dtype=object)
        return VitalSignsData(
            patient=np.broadcast_to(patients, (len(ticks), n))[present_t],
            time=np.broadcast_to(self.start + ticks[:, None], (len(ticks), n))[present_t],
            X=values.transpose(1, 0, 2)[present_t],
            y=labels_t[present_t].astype(np.int64),
            onset=np.where(labels_t, (self.start + onset)[None, :], np.nan)[present_t],
            episodes=[(str(patients[i]), float(self.start + onset[i]),
                       float(self.start + end[i])) for i in np.flatnonzero(has_episode)])
