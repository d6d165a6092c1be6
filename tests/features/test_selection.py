"""VarianceThreshold, SelectKBest and OnlineLDA: exact running statistics, the features and
directions scikit-learn finds on the same data, identical results whatever the batch size."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_selection import SelectKBest as SklearnSelectKBest
from sklearn.feature_selection import f_classif, f_regression

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from streamlearn.features import OnlineLDA, SelectKBest, VarianceThreshold


def _prequential(selector, stream: Batch, batch_size: int):
    outputs = []
    for start in range(0, len(stream), batch_size):
        part = stream.take(slice(start, start + batch_size))
        outputs.append(selector.process_many(part, part, all_rows(len(part))))
    return (Batch.concat([p for p, _ in outputs]), Batch.concat([q for _, q in outputs]))


def _classification_stream(n: int = 3000, seed: int = 0) -> Batch:
    """10 features; x2, x5 and x7 carry the label (with decreasing strength)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 10))
    X[:, 2] += 1.5 * y
    X[:, 5] -= 1.0 * y
    X[:, 7] += 0.6 * (y == 2)
    return Batch.from_array(X, y=y)


def test_variance_threshold_drops_a_constant_feature_and_keeps_varying_ones():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(size=500), np.full(500, 4.0), rng.uniform(size=500)])
    selector = VarianceThreshold().learn_many(X)
    out = selector.transform_many(Batch.from_array(X))
    assert out.columns == ("x0", "x2")
    assert np.array_equal(out.X, X[:, [0, 2]])
    variances = selector.variances()
    assert variances["x1"] == 0.0
    assert np.allclose([variances["x0"], variances["x2"]], np.var(X[:, [0, 2]], axis=0),
                       rtol=1e-12, atol=0.0)
    assert np.allclose(selector.mean_, X.mean(axis=0), rtol=1e-12)
    assert selector.transform_one({"x0": 1.0, "x1": 4.0, "x2": 0.5}) == {"x0": 1.0, "x2": 0.5}


def test_variance_threshold_keeps_a_feature_until_its_variance_is_known():
    selector = VarianceThreshold(threshold=0.5)
    assert selector.transform_one({"a": 1.0}) == {"a": 1.0}          # never seen: kept
    selector.learn_one({"a": 1.0, "b": 0.0})
    assert selector.transform_one({"a": 1.0, "b": 0.0}) == {"a": 1.0, "b": 0.0}
    selector.learn_one({"a": 1.2, "b": 4.0})                          # var 0.01 and 4
    assert selector.transform_one({"a": 1.0, "b": 0.0}) == {"b": 0.0}


def test_variance_threshold_running_variance_is_exact_at_every_event():
    rng = np.random.default_rng(2)
    X = rng.normal(scale=[1.0, 0.3], size=(200, 2))
    X[rng.random(X.shape) < 0.1] = np.nan
    selector = VarianceThreshold(threshold=0.09, min_samples=3)
    _, learnt = _prequential(selector, Batch.from_array(X), 1)
    assert learnt.columns == ("x0", "x1")
    for i in range(len(X)):
        for j in range(2):
            seen = X[: i + 1, j][~np.isnan(X[: i + 1, j])]
            kept = len(seen) < 3 or np.var(seen) > 0.09
            expected = X[i, j] if kept else np.nan
            assert np.array_equal(learnt.X[i, j], expected, equal_nan=True)
    present = ~np.isnan(X[:, 1])  # x1's variance is near the threshold: dropped, then back
    assert 0 < np.isnan(learnt.X[present, 1]).sum() < present.sum() - 50
    for j in range(2):
        column = X[:, j][~np.isnan(X[:, j])]
        assert selector.variances()[f"x{j}"] == pytest.approx(np.var(column), rel=1e-12)


def test_select_k_best_picks_the_features_scikit_learn_picks():
    stream = _classification_stream()
    selector = SelectKBest(k=3).learn_many(stream)
    assert selector.transform_many(stream).columns == ("x2", "x5", "x7")
    reference = SklearnSelectKBest(f_classif, k=3).fit(stream.X, stream.y)
    assert set(np.array(stream.columns)[reference.get_support()]) == {"x2", "x5", "x7"}
    expected, _ = f_classif(stream.X, stream.y)
    assert np.allclose(list(selector.scores().values()), expected, rtol=1e-9)


def test_select_k_best_regression_scores_match_scikit_learn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 10))
    y = 2.0 * X[:, 1] - X[:, 4] + 0.5 * X[:, 8] + rng.normal(size=2000)
    expected, _ = f_regression(X, y)
    for score in ("f_regression", "abs_correlation"):
        selector = SelectKBest(k=3, score=score).learn_many(X, y)
        assert selector.transform_many(Batch.from_array(X)).columns == ("x1", "x4", "x8")
    selector = SelectKBest(k=3, score="f_regression").learn_many(X, y)
    assert np.allclose(list(selector.scores().values()), expected, rtol=1e-9)
    reference = SklearnSelectKBest(f_regression, k=3).fit(X, y)
    assert set(np.flatnonzero(reference.get_support())) == {1, 4, 8}


@pytest.mark.parametrize("make", [lambda: VarianceThreshold(threshold=1.0),
                                  lambda: SelectKBest(k=3),
                                  lambda: SelectKBest(k=2, score="abs_correlation")])
def test_same_outputs_and_state_whatever_the_batch_size(make):
    stream = _classification_stream(n=1000, seed=4)
    stream.X[::13, 5] = np.nan
    results = []
    for size in (1, 7, 1000):
        selector = make()
        results.append((_prequential(selector, stream, size), selector.snapshot()))
    (pred, learnt), state = results[-1]
    for (other_pred, other_learnt), other_state in results[:-1]:
        for a, b in ((pred, other_pred), (learnt, other_learnt)):
            assert set(a.columns) == set(b.columns)
            order = [b.columns.index(c) for c in a.columns]
            assert np.array_equal(a.X, b.X[:, order], equal_nan=True)
        assert states_equal(state, other_state)


def test_select_k_best_transforms_before_it_learns():
    selector = SelectKBest(k=1)
    batch = Batch.from_dicts([{"a": 1.0, "b": 5.0}, {"a": 2.0, "b": 5.0},
                              {"a": 3.0, "b": 5.0}], y=["x", "y", "y"])
    pred, learnt = selector.process_many(batch, batch, all_rows(3))
    # row 0: nothing learnt yet, nothing kept; rows 1 and 2: "a" was seen first, and no
    # feature has a score yet (a single class, then a single value per class)
    assert learnt.columns == pred.columns == ("a",)
    assert np.array_equal(learnt.X, [[np.nan], [2.0], [3.0]], equal_nan=True)
    selector.learn_one({"a": 1.5, "b": 7.0}, "x")
    assert selector.transform_one({"a": 0.0, "b": 1.0}) == {"a": 0.0}
    assert selector.scores()["a"] == pytest.approx(f_classif(
        np.array([[1.0], [2.0], [3.0], [1.5]]), ["x", "y", "y", "x"])[0][0])


def test_select_k_best_skips_events_without_a_label():
    selector = SelectKBest(k=1).learn_many([{"a": 1.0}, {"a": 2.0}], [None, "x"])
    assert selector.classes_ == ["x"] and selector.counts_.tolist() == [[1.0]]
    with pytest.raises(SchemaError, match="needs labels"):
        SelectKBest().learn_one({"a": 1.0})


@pytest.mark.parametrize("make, message", [
    (lambda: VarianceThreshold(threshold=-1.0), "'threshold' parameter of VarianceThreshold"),
    (lambda: VarianceThreshold(min_samples=0), "'min_samples' parameter of VarianceThreshold"),
    (lambda: SelectKBest(k=0), "'k' parameter of SelectKBest"),
    (lambda: SelectKBest(score="chi2"), "'score' parameter of SelectKBest"),
    (lambda: OnlineLDA(n_components=0), "'n_components' parameter of OnlineLDA"),
    (lambda: OnlineLDA(refresh_every=2.5), "'refresh_every' parameter of OnlineLDA"),
    (lambda: OnlineLDA(shrinkage=0.0), "'shrinkage' parameter of OnlineLDA"),
])
def test_parameters_are_validated(make, message):
    with pytest.raises(ParameterError, match=message):
        make().learn_one({"a": 1.0}, 1.0)


def _lda_stream(n: int = 4000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Three classes apart along a direction mixing x0 and x2, in correlated noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    mixing = np.array([[2.0, 0.5, 0.0, 0.0], [0.5, 1.0, 0.3, 0.0], [0.0, 0.3, 1.0, 0.0],
                       [0.0, 0.0, 0.0, 3.0]])
    X = rng.normal(size=(n, 4)) @ mixing
    X[:, 0] += 1.0 * y
    X[:, 2] -= 0.8 * (y == 1)
    return X, y


def test_online_lda_finds_the_discriminant_directions_of_scikit_learn():
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    X, y = _lda_stream()
    lda = OnlineLDA(n_components=2, refresh_every=4000).learn_many(X, y)
    reference = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    for c in range(2):
        ours = lda.components_[:, c] / np.linalg.norm(lda.components_[:, c])
        theirs = reference.scalings_[:, c] / np.linalg.norm(reference.scalings_[:, c])
        assert abs(ours @ theirs) > 0.999
    assert np.allclose(lda.mean_, X.mean(axis=0), rtol=1e-12, atol=1e-12)
    centred = [X[y == c] - X[y == c].mean(axis=0) for c in range(3)]
    within = sum(d.T @ d for d in centred)
    assert np.allclose(lda.scatter_, within, rtol=1e-9, atol=1e-9)
    scores = lda.transform_many(X)
    assert scores.shape == (4000, 2)
    assert np.allclose(scores, (X - X.mean(axis=0)) @ lda.components_, atol=1e-9)


def test_online_lda_refreshes_every_refresh_every_events():
    X, y = _lda_stream(n=250)
    lda = OnlineLDA(refresh_every=100)
    _, learnt = _prequential(lda, Batch.from_array(X, y=y), 1000)
    assert np.array_equal(learnt.X[:100], np.zeros((100, 2)))   # no components yet
    assert (learnt.X[100:] != 0).all()
    first = OnlineLDA(refresh_every=100).learn_many(X[:100], y[:100]).components_
    for i in (100, 150, 199):  # projected before learnt: the mean of the events before
        assert np.allclose(learnt.X[i], (X[i] - X[:i].mean(axis=0)) @ first, atol=1e-9)
    second = OnlineLDA(refresh_every=200).learn_many(X[:200], y[:200]).components_
    assert np.allclose(learnt.X[200], (X[200] - X[:200].mean(axis=0)) @ second, atol=1e-9)
    assert not np.allclose(first, second)


def test_online_lda_is_exact_whatever_the_batch_size():
    X, y = _lda_stream(n=700)
    X[::11, 1] = np.nan
    stream = Batch.from_array(X, y=y)
    results = []
    for size in (1, 7, 700):
        lda = OnlineLDA(n_components=2, refresh_every=50)
        results.append((_prequential(lda, stream, size), lda.snapshot()))
    (pred, learnt), state = results[-1]
    for (other_pred, other_learnt), other_state in results[:-1]:
        assert np.array_equal(pred.X, other_pred.X) and np.array_equal(learnt.X,
                                                                       other_learnt.X)
        assert states_equal(state, other_state)


def test_selection_in_a_pipeline_keeps_the_informative_features():
    from streamlearn.bayes import GaussianNB

    stream = _classification_stream(n=4000, seed=6)
    X, y = stream.X.copy(), stream.y
    X[:, 9] = 3.0  # constant: VarianceThreshold drops it
    model = VarianceThreshold() | SelectKBest(k=2) | GaussianNB()
    correct = 0
    for start in range(0, 4000, 500):
        if start:
            correct += (model.predict_many(X[start:start + 500]) == y[start:start + 500]).sum()
        model.learn_many(X[start:start + 500], y[start:start + 500])
    assert correct / 3500 > 0.75  # 3 balanced classes: x2 and x5 carry the label
    event = {f"x{j}": 1.0 for j in range(10)}
    assert model.steps[0].transform_one(event).keys() == event.keys() - {"x9"}
    assert model.steps[1].transform_one(event) == {"x2": 1.0, "x5": 1.0}


def test_predicted_and_learnt_events_may_have_different_columns():
    selector = SelectKBest(k=1).learn_many([{"a": 1.0}, {"a": 3.0}, {"a": 2.0}], [0, 1, 0])
    pred = Batch.from_dicts([{"a": 5.0, "b": 1.0}, {"b": 2.0}])
    learn = Batch.from_dicts([{"c": 1.0}, {"c": 2.0}], y=[0, 1])
    out_pred, out_learn = selector.process_many(pred, learn, all_rows(2))
    assert out_pred.columns == out_learn.columns == ("a",)
    assert np.array_equal(out_pred.X, [[5.0], [np.nan]], equal_nan=True)
    assert selector.feature_names_ == ["a", "c"]
