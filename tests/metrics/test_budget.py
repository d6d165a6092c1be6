"""Alert-budget metrics and the expected cost, against a brute-force recomputation."""

import math

import numpy as np
import pytest

from streamlearn.metrics import (
    AlertSavings,
    ExpectedCost,
    PrecisionAtBudget,
    RecallAtBudget,
    Rolling,
    get_metric,
)


def brute_force_alerts(scores, budget, window):
    """Event i is alerted when its score beats the k-th largest of the previous scores."""
    alerts = []
    for i, s in enumerate(scores):
        previous = sorted(scores[max(0, i - window):i], reverse=True)
        if len(previous) < math.ceil(1 / budget - 1e-9):
            alerts.append(0)
            continue
        k = max(1, math.ceil(budget * len(previous) - 1e-9))
        alerts.append(int(s > previous[k - 1]))
    return np.array(alerts)


@pytest.fixture(scope="module")
def stream():
    rng = np.random.default_rng(3)
    y = (rng.random(3000) < 0.02).astype(int)
    scores = np.clip(rng.normal(0.2 + 0.4 * y, 0.15), 0, 1).round(3)  # ties included
    return y, scores


@pytest.mark.parametrize("batch", [1, 7, 3000])
def test_precision_recall_savings_equal_brute_force(stream, batch):
    y, scores = stream
    budget, window = 0.03, 400
    alerts = brute_force_alerts(scores.tolist(), budget, window)
    caught = int((alerts & y).sum())
    metrics = [PrecisionAtBudget(budget, window), RecallAtBudget(budget, window),
               AlertSavings(budget, window, fraud_value=120.0, alert_cost=4.0)]
    for start in range(0, len(y), batch):
        proba = np.column_stack([1 - scores[start:start + batch], scores[start:start + batch]])
        for metric in metrics:
            metric.update_many(y[start:start + batch], y_proba=proba, classes=[0, 1])
    assert metrics[0].get() == pytest.approx(caught / alerts.sum(), abs=1e-12)
    assert metrics[1].get() == pytest.approx(caught / y.sum(), abs=1e-12)
    assert metrics[2].get() == pytest.approx((120.0 * caught - 4.0 * alerts.sum()) / len(y))
    # the running threshold keeps the alerts near the budget
    assert abs(alerts.mean() - budget) < 0.01


def test_update_one_at_a_time_and_rolling_window(stream):
    y, scores = stream
    alerts = brute_force_alerts(scores.tolist(), 0.05, 200)
    one, rolling = RecallAtBudget(0.05, 200), Rolling(RecallAtBudget(0.05, 200), 500)
    for truth, score in zip(y.tolist(), scores.tolist()):
        one.update(truth, {1: score, 0: 1 - score})
        rolling.update(truth, {1: score, 0: 1 - score})
    assert one.get() == pytest.approx((alerts & y).sum() / y.sum())
    last = slice(len(y) - 500, None)
    assert rolling.get() == pytest.approx((alerts[last] & y[last]).sum() / y[last].sum())


def test_expected_cost_equals_brute_force(stream):
    y, scores = stream
    metric = ExpectedCost(fn_cost=5.0, fp_cost=1.0, pos_label=1)
    metric.update_many(y, y_proba=scores)
    flagged = scores >= 1 / 6
    expected = (5.0 * (~flagged & (y == 1)).sum() + (flagged & (y == 0)).sum()) / len(y)
    assert metric.get() == pytest.approx(expected)
    assert not metric.bigger_is_better


def test_snapshot_restore_continues_identically(stream):
    y, scores = stream
    first, second = RecallAtBudget(0.02, 300), RecallAtBudget(0.02, 300)
    first.update_many(y[:1500], y_proba=scores[:1500])
    second.restore(first.snapshot())
    for metric in (first, second):
        metric.update_many(y[1500:], y_proba=scores[1500:])
    assert first.get() == second.get() > 0


def test_registered_names_and_bad_parameters():
    assert get_metric("Recall@1%").name == "Recall@1%"
    assert get_metric("precision@1%").budget == 0.01
    assert get_metric("savings@1%").name == "Savings@1%"
    assert get_metric("cost(5:1)").threshold == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="'budget' parameter of RecallAtBudget must be in"):
        RecallAtBudget(budget=1.5).update(1, 0.3)
