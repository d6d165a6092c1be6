"""Per-feature contributions of a linear pipeline: exact sums, one-hot grouping, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.compose import NotExplainableError, explain_many, explain_one
from streamlearn.datasets import load_breast_cancer
from streamlearn.linear import LinearRegression, LogisticRegression
from streamlearn.preprocessing import OneHotEncoder, StandardScaler
from streamlearn.trees import HoeffdingTreeClassifier


def _categorical_events(n: int, seed: int = 0) -> list[tuple[dict, bool]]:
    rng = np.random.default_rng(seed)
    events = []
    for _ in range(n):
        ward = str(rng.choice(["icu", "ward", "er"]))
        age = float(rng.normal(60, 15))
        y = bool(age > 65 or ward == "icu")
        events.append(({"age": age, "ward": ward, "bmi": float(rng.normal(25, 4))}, y))
    return events


def test_contributions_sum_to_the_logit_minus_the_intercept_on_breast_cancer():
    import pandas as pd

    data = load_breast_cancer()
    frame = pd.DataFrame(data.X, columns=list(data.feature_names))
    model = StandardScaler() | LogisticRegression()
    model.learn_many(frame.iloc[:400], data.y[:400])
    held_out = frame.iloc[400:]
    why = model.explain_many(held_out)
    assert why.features == data.feature_names
    np.testing.assert_allclose(why.contributions.sum(axis=1), why.score - why.intercept,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(why.proba, model.predict_proba_many(held_out)[:, 1],
                               rtol=0, atol=1e-12)
    # brute force: weight x standardised value, feature by feature
    scaled = model.steps[0].transform_many(held_out).to_numpy()
    weights = model.steps[1].weights
    brute = np.array([[weights[f] * scaled[i, j] for j, f in enumerate(data.feature_names)]
                      for i in range(3)])
    np.testing.assert_allclose(why.contributions[:3], brute, rtol=0, atol=1e-15)


def test_one_hot_columns_are_summed_into_their_feature_and_nothing_is_learnt():
    model = OneHotEncoder() | StandardScaler() | LogisticRegression(learning_rate=0.05)
    for x, y in _categorical_events(600):
        model.learn_one(x, y)
    before = model.snapshot()
    event = {"age": 80.0, "ward": "icu", "bmi": 25.0}
    why = explain_one(model, event)
    assert set(why["contributions"]) == {"age", "ward", "bmi"}
    assert sum(why["contributions"].values()) + why["intercept"] == pytest.approx(
        why["score"], abs=1e-12)
    assert why["proba"] == pytest.approx(model.predict_proba_one(event)[True], abs=1e-12)
    # old age and the ICU both raise the risk; the bmi carries no signal
    assert why["contributions"]["age"] > 0.5 and why["contributions"]["ward"] > 0.5
    assert abs(why["contributions"]["bmi"]) < 0.3
    assert list(why["contributions"]) == sorted(why["contributions"],
                                                key=lambda f: -abs(why["contributions"][f]))
    # the ward's contribution is the sum of its one-hot columns
    encoded = model.steps[1].transform_one(model.steps[0].transform_one(event))
    weights = model.final.weights
    ward = sum(weights[c] * v for c, v in encoded.items() if c.startswith("ward="))
    assert why["contributions"]["ward"] == pytest.approx(ward, abs=1e-12)
    from streamlearn.core import states_equal
    assert states_equal(model.snapshot(), before)


def test_a_regressor_is_explained_without_probabilities():
    model = StandardScaler() | LinearRegression()
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 2))
    model.learn_many(X, 3 * X[:, 0] + 1)
    why = explain_many(model, X[:5])
    assert why.proba is None
    np.testing.assert_allclose(why.contributions.sum(axis=1) + why.intercept,
                               model.predict_many(X[:5]), atol=1e-12)


def test_a_model_that_is_not_linear_cannot_explain():
    with pytest.raises(NotExplainableError, match="HoeffdingTreeClassifier cannot explain"):
        explain_one(StandardScaler() | HoeffdingTreeClassifier(), {"a": 1.0})
