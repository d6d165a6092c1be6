"""ROCAUC: the exact area under the ROC curve, as scikit-learn computes it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from streamlearn.metrics import ROCAUC


def scored_stream(n, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < 0.3
    scores = np.clip(0.5 + 0.25 * (y_true - 0.3) + 0.2 * rng.standard_normal(n), 0, 1)
    if ties:  # few distinct scores, so many ties within and across classes
        scores = np.round(scores, 1)
    return y_true, scores


@pytest.mark.parametrize("ties", [False, True])
def test_per_event_matches_sklearn_at_every_step(ties):
    y_true, scores = scored_stream(300, seed=3, ties=ties)
    metric = ROCAUC()
    for i, (t, s) in enumerate(zip(y_true.tolist(), scores.tolist())):
        metric.update(t, {True: s, False: 1.0 - s})
        if 0 < y_true[: i + 1].sum() < i + 1:
            assert metric.get() == pytest.approx(roc_auc_score(y_true[: i + 1], scores[: i + 1]),
                                                 abs=1e-12)


@pytest.mark.parametrize("ties", [False, True])
def test_batches_match_sklearn_and_per_event(ties):
    y_true, scores = scored_stream(2000, seed=4, ties=ties)
    proba = np.column_stack([1.0 - scores, scores])
    batched, one = ROCAUC(), ROCAUC()
    start = 0
    for size in [1, 5, 300, 0, 17, 1000, 677]:
        batched.update_many(y_true[start:start + size], y_proba=proba[start:start + size],
                            classes=[False, True])
        start += size
    assert start == len(y_true)
    for t, s in zip(y_true, scores):
        one.update(t, float(s))
    expected = roc_auc_score(y_true, scores)
    assert batched.get() == pytest.approx(expected, abs=1e-12)
    assert one.get() == batched.get()  # twice U is an exact integer either way
    assert one.twice_u_ == batched.twice_u_


def test_labels_and_columns_in_any_form():
    y_true, scores = scored_stream(500, seed=5)
    expected = roc_auc_score(y_true, scores)
    labels = np.where(y_true, "yes", "no")
    proba = np.column_stack([scores, 1.0 - scores, np.zeros(500)])
    metric = ROCAUC(pos_label="yes").update_many(labels, y_proba=proba[:, [1, 0, 2]],
                                                 classes=["no", "yes", "maybe"])
    assert metric.get() == pytest.approx(expected, abs=1e-12)
    # Integer labels 0/1 with the default pos_label=True; a 1-D y_proba is the positive score.
    metric = ROCAUC().update_many(y_true.astype(int), y_proba=scores)
    assert metric.get() == pytest.approx(expected, abs=1e-12)


def test_positive_class_missing_from_the_probabilities_scores_zero():
    metric = ROCAUC().update_many([True, False, True], y_proba=[[0.2], [0.7], [0.1]],
                                  classes=[False])
    assert metric.get() == 0.5  # every score is 0: all pairs tie
    metric = ROCAUC()
    metric.update(True, {False: 0.3})
    metric.update(False, {True: 0.4})
    assert metric.get() == 0.0


def test_one_class_seen_gives_zero():
    metric = ROCAUC()
    assert metric.get() == 0.0
    metric.update_many([True, True], y_proba=[0.3, 0.9])
    assert metric.get() == 0.0
    metric.update(False, 0.5)
    assert metric.get() == 0.5


def test_multiclass_stream_is_one_vs_rest_of_pos_label():
    rng = np.random.default_rng(6)
    y_true = rng.choice(["a", "b", "c"], size=400)
    proba = rng.dirichlet([1, 1, 1], size=400)
    proba[y_true == "b", 1] += 0.3
    metric = ROCAUC(pos_label="b").update_many(y_true, y_proba=proba, classes=["a", "b", "c"])
    assert metric.get() == pytest.approx(roc_auc_score(y_true == "b", proba[:, 1]), abs=1e-12)


def test_long_stream_stays_exact_with_few_sorted_runs():
    # 200k events in batches of 1000 with get() after each: exact, and the scores stay in
    # O(log n) sorted runs (no quadratic re-sorting).
    y_true, scores = scored_stream(200_000, seed=7, ties=True)
    metric = ROCAUC()
    for start in range(0, 200_000, 1000):
        metric.update_many(y_true[start:start + 1000], y_proba=scores[start:start + 1000])
        metric.get()
    assert metric.get() == pytest.approx(roc_auc_score(y_true, scores), abs=1e-12)
    assert len(metric.pos_runs_) + len(metric.neg_runs_) <= 2 * 18


def test_nan_scores_are_rejected():
    with pytest.raises(ValueError, match="NaN"):
        ROCAUC().update_many([True, False], y_proba=[0.3, np.nan])
    with pytest.raises(ValueError, match="NaN"):
        ROCAUC().update(True, float("nan"))
