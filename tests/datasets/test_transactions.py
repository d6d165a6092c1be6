"""The card-transaction generator: seeded, realistic fraud patterns, drift, late labels."""

import itertools

import numpy as np
import pytest

from streamlearn.core.errors import ParameterError
from streamlearn.datasets import CardTransactions


@pytest.fixture(scope="module")
def log():
    return CardTransactions(drift_at=0.5, seed=3).generate(100_000)


def test_seeded_ordered_and_fraud_rate(log):
    again = CardTransactions(drift_at=0.5, seed=3).generate(100_000)
    assert np.array_equal(log["amount"], again["amount"])
    assert (np.diff(log["ts"]) >= 0).all() and len(log) == 100_000
    assert 0.002 <= log.fraud_rate <= 0.01
    assert set(log["fraud_kind"][log["is_fraud"] == 1]) == {"burst", "testing", "merchant"}


def test_fraud_differs_from_habits_and_changes_at_the_drift_point(log):
    fraud, after = log["is_fraud"] == 1, log["after_drift"]
    legit_median = np.median(log["amount"][~fraud])
    assert np.median(log["amount"][fraud & ~after]) > 2 * legit_median
    # the account takeovers after it still spend more than the card usually does
    assert np.median(log["amount"][fraud & after]) > 1.5 * legit_median
    # before the drift fraud goes abroad, after it stays at home (account takeover)
    assert log["cross_border"][fraud & ~after].mean() > 0.5
    assert log["cross_border"][fraud & after].mean() < 0.15
    assert log["cross_border"][~fraud].mean() < 0.1
    assert 0.4 < after.mean() < 0.6   # drift_at is placed in time: about half the events


def test_labels_arrive_days_later_in_arrival_order(log):
    delay_days = (log["label_time"] - log["ts"]) / 86400
    fraud = log["is_fraud"] == 1
    assert np.allclose(delay_days[~fraud], 2.0, atol=1e-6)   # maturity_days
    assert delay_days[fraud].min() >= 1.0 and delay_days[fraud].max() <= 30.0 + 1e-6
    labels = log.label_records()
    assert all(a["label_time"] <= b["label_time"] for a, b in itertools.pairwise(labels))


def test_bad_parameters_are_named():
    with pytest.raises(ParameterError, match="'fraud_rate' parameter of CardTransactions"):
        CardTransactions(fraud_rate=0.9).generate(10)
    with pytest.raises(ParameterError, match="'drift_at'"):
        CardTransactions(drift_at=1.5).generate(10)
