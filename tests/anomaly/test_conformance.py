"""Every detector and filter of streamlearn.anomaly is registered, so the conformance suite
(tests/test_conformance.py) runs on it."""

from __future__ import annotations

from streamlearn import anomaly
from streamlearn.registry import all_estimators


def test_registered():
    assert set(anomaly.__all__) <= set(all_estimators())
