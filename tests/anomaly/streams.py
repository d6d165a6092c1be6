"""A seeded stream with injected anomalies, features in [0, 1]."""

from __future__ import annotations

import numpy as np


def injected_anomalies(n: int = 10_000, n_features: int = 5, rate: float = 0.01,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Normal events around three centres (spread 0.05); a fraction ``rate`` of anomalies
    drawn uniformly from the unit cube. Returns (X, is_anomaly)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.25, 0.75, size=(3, n_features))
    X = centres[rng.integers(0, 3, n)] + 0.05 * rng.normal(size=(n, n_features))
    is_anomaly = rng.random(n) < rate
    X[is_anomaly] = rng.uniform(0.0, 1.0, size=(int(is_anomaly.sum()), n_features))
    return np.clip(X, 0.0, 1.0), is_anomaly
