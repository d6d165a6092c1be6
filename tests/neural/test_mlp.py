"""MLPClassifier and MLPRegressor: quality on known streams, growth, snapshots, determinism."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from streamlearn import evaluate, metrics  # noqa: E402
from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.batch import Batch  # noqa: E402
from streamlearn.core.errors import ParameterError  # noqa: E402
from streamlearn.core.serialize import dumps, loads  # noqa: E402
from streamlearn.datasets import Friedman, RotatingHyperplane  # noqa: E402
from streamlearn.neural import MLPClassifier, MLPRegressor  # noqa: E402
from streamlearn.preprocessing import StandardScaler  # noqa: E402

from ._streams import blobs, prequential  # noqa: E402

# two hidden layers of 32, the configuration of benchmarks/neural.py
HYPERPLANE_MLP = dict(hidden=(32, 32), activation="tanh", optimizer="rmsprop", learning_rate=1e-2,
                      lr_schedule="inverse_sqrt", lr_decay=1e-2, minibatch_size=32, device="cpu")


def river_prequential(model, data, metric):
    for x, y in data:
        metric.update(y, model.predict_one(x))
        model.learn_one(x, y)
    return metric.get()


def test_classifier_matches_river_logistic_regression_on_the_rotating_hyperplane():
    from river import linear_model
    from river import metrics as river_metrics
    from river import preprocessing as river_preprocessing

    data = RotatingHyperplane(seed=42).take(50_000)
    river_model = river_preprocessing.StandardScaler() | linear_model.LogisticRegression()
    river_accuracy = river_prequential(river_model, data, river_metrics.Accuracy())
    report = evaluate.prequential(data, StandardScaler() | MLPClassifier(**HYPERPLANE_MLP),
                                  [metrics.Accuracy()], batch_size=256)
    # a linear concept, where logistic regression is at home: the network does as well
    assert river_accuracy == pytest.approx(0.9283, abs=1e-4)
    assert report.metrics["Accuracy"] >= river_accuracy
    assert report.metrics["Accuracy"] > 0.93


def test_regressor_beats_river_linear_regression_on_friedman():
    from river import linear_model
    from river import metrics as river_metrics
    from river import preprocessing as river_preprocessing

    data = Friedman(seed=1).take(20_000)
    river_model = river_preprocessing.StandardScaler() | linear_model.LinearRegression()
    river_mae = river_prequential(river_model, data, river_metrics.MAE())
    model = StandardScaler() | MLPRegressor(hidden=(32, 32), learning_rate=3e-3,
                                            minibatch_size=8, device="cpu")
    report = evaluate.prequential(data, model, [metrics.MAE()], batch_size=256)
    # Friedman #1 is not linear; noise sd 1 puts the best possible MAE near 0.8
    assert river_mae > 2.0
    assert report.metrics["MAE"] < 0.75 * river_mae
    assert report.rolling["Rolling MAE(1000)"] < 1.1


def test_regressor_answers_on_the_scale_of_the_target():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4000, 3))
    y = 1000.0 + 50.0 * X[:, 0] - 20.0 * X[:, 1]
    model = MLPRegressor(hidden=(16,), learning_rate=0.01, minibatch_size=8, device="cpu")
    model.learn_many(X, y)
    assert model.target_mean_ == pytest.approx(y.mean())
    assert np.sqrt(model.target_m2_ / model.target_count_) == pytest.approx(y.std())
    error = np.abs(model.predict_many(X[-500:]) - y[-500:]).mean()
    assert error < 5.0  # the target's spread is about 43


def test_new_feature_grows_the_input_layer_without_changing_answers():
    rng = np.random.default_rng(0)
    model = MLPClassifier(hidden=(8,), device="cpu")
    X = rng.normal(size=(200, 2))
    model.learn_many(Batch.from_array(X, columns=["a", "b"]), X[:, 0] > 0)
    probe = {"a": 0.3, "b": -1.2}
    before = model.predict_proba_one(probe)
    assert model.snapshot()["state"]["network_"]["weights.0"].shape == (8, 2)
    # registering "c" adds a zero column to the first layer: every answer stays the same
    with_c = Batch.from_dicts([{"a": 0.3, "b": -1.2, "c": 5.0}], y=[True])
    model._model_inputs(with_c, with_c, np.array([True]))
    model._sync_network()
    grown = model.snapshot()["state"]["network_"]["weights.0"]
    assert model.feature_names_ == ["a", "b", "c"]
    assert grown.shape == (8, 3) and not grown[:, 2].any()
    assert model.predict_proba_one({**probe, "c": 5.0}) == before
    # and learning an event that carries it moves the new column
    model.learn_one({"a": 0.3, "b": -1.2, "c": 5.0}, True)
    assert np.abs(model.snapshot()["state"]["network_"]["weights.0"][:, 2]).max() > 0


def test_a_feature_appearing_mid_stream_is_learnt():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6000, 2))
    X[:3000, 1] = np.nan                    # "x1" carries the signal, from half-way on
    y = np.where(np.isnan(X[:, 1]), X[:, 0] > 0, X[:, 1] > 0)
    model = MLPClassifier(hidden=(8,), learning_rate=0.01, minibatch_size=8, device="cpu")
    answers = prequential(model, Batch.from_array(X, y=y))
    labels = np.array(model.known_classes)[answers.argmax(axis=1)]
    assert np.mean(labels[4000:] == y[4000:]) > 0.97


def test_features_seen_only_in_predictions_are_ignored():
    model = MLPRegressor(hidden=(4,), device="cpu")
    model.learn_many(np.ones((50, 2)), np.arange(50.0))
    before = model.snapshot()
    answer = model.predict_one({"x0": 1.0, "x1": 1.0, "unseen": 100.0})
    assert answer == model.predict_one({"x0": 1.0, "x1": 1.0})
    assert states_equal(before, model.snapshot())


def test_new_classes_grow_the_output_layer_and_old_classes_are_kept():
    old = blobs(3000, ["a", "b"], seed=1)
    new = blobs(3000, ["a", "b", "c"], seed=2)
    model = MLPClassifier(hidden=(16,), learning_rate=0.01, minibatch_size=8, device="cpu")
    prequential(model, old)
    probe = blobs(1000, ["a", "b"], seed=3)
    accuracy_before = np.mean(model.predict_many(probe) == probe.y)
    assert model.known_classes == ["a", "b"]
    answers = prequential(model, new)
    assert model.known_classes == ["a", "b", "c"]
    assert model.snapshot()["state"]["network_"]["weights.1"].shape == (3, 16)
    accuracy_after = np.mean(model.predict_many(probe) == probe.y)
    assert accuracy_before > 0.99
    assert accuracy_after > 0.99  # what was learnt about "a" and "b" survives "c"
    late = np.arange(len(new)) >= 1000
    labels = np.array(model.known_classes, dtype=object)[answers.argmax(axis=1)]
    assert np.mean(labels[late] == new.y[late]) > 0.98  # and "c" is learnt too


def test_new_class_does_not_change_the_ranking_of_old_ones():
    model = MLPClassifier(hidden=(8,), device="cpu")
    data = blobs(500, ["a", "b"], seed=4)
    model.learn_many(data, data.y)
    probe = data.take(slice(0, 50))
    before = model.predict_proba_many(probe)
    # registering "c" (predicted rows only see it once it is learnt) adds a zero unit
    model._targets(Batch.from_dicts([{"x0": 0.0}], y=["c"]), np.array([True]))
    model._sync_network()
    after = model.predict_proba_many(probe)
    assert after.shape == (50, 3)
    np.testing.assert_allclose(after[:, :2] / after[:, :2].sum(axis=1, keepdims=True), before,
                               rtol=0, atol=1e-12)


def test_snapshot_restore_and_the_safe_format_continue_identically():
    data = blobs(1200, ["a", "b", "c"], seed=5)
    first, rest = data.take(slice(0, 600)), data.take(slice(600, 1200))
    model = MLPClassifier(hidden=(8, 8), replay="reservoir", replay_size=100, device="cpu")
    prequential(model, first)
    snapshot = model.snapshot()
    stored = loads(dumps(snapshot))
    assert states_equal(snapshot, stored)
    restored = MLPClassifier(hidden=(8, 8), replay="reservoir", replay_size=100,
                             device="cpu").restore(stored)
    np.testing.assert_array_equal(prequential(model, rest), prequential(restored, rest))
    assert states_equal(model.snapshot(), restored.snapshot())


def test_same_seed_same_answers_other_seed_other_answers():
    data = blobs(800, ["a", "b"], seed=6)

    def answers(seed):
        return prequential(MLPClassifier(hidden=(8,), seed=seed, device="cpu"), data)

    np.testing.assert_array_equal(answers(1), answers(1))
    assert not np.array_equal(answers(1), answers(2))


def test_answers_do_not_depend_on_micro_batches_that_are_multiples_of_the_chunk():
    data = blobs(960, ["a", "b"], seed=7)
    by_32 = prequential(MLPClassifier(hidden=(8,), minibatch_size=16, device="cpu"), data, 32)
    by_96 = prequential(MLPClassifier(hidden=(8,), minibatch_size=16, device="cpu"), data, 96)
    np.testing.assert_array_equal(by_32, by_96)


def test_missing_and_infinite_values_never_reach_the_weights():
    X = np.random.default_rng(8).normal(size=(300, 3))
    X[::7, 1] = np.nan
    X[5, 2] = np.inf
    model = MLPRegressor(hidden=(4,), device="cpu")
    batch = Batch(X=X, columns=("a", "b", "c"), y=np.nan_to_num(X[:, 0], posinf=0.0))
    answers = prequential(model, batch)
    assert np.isfinite(answers).all()
    assert all(np.isfinite(v).all() for v in model.snapshot()["state"]["network_"].values())
    assert model.predict_one({"a": 1.0}) == model.predict_one({"a": 1.0, "b": 0.0, "c": 0.0})


def test_unfitted_models_answer_without_learning():
    assert MLPClassifier().predict_proba_many(np.zeros((3, 2))).shape == (3, 0)
    assert MLPClassifier().predict_one({"a": 1.0}) is None
    assert MLPRegressor().predict_one({"a": 1.0}) == 0.0
    assert not MLPRegressor().is_fitted


@pytest.mark.parametrize(("params", "message"), [
    (dict(hidden=()), "The 'hidden' parameter of MLPClassifier must be a non-empty tuple"),
    (dict(hidden=(8, 0)), "The 'hidden' parameter of MLPClassifier must be a non-empty tuple"),
    (dict(learning_rate=0), "The 'learning_rate' parameter of MLPClassifier must be > 0"),
    (dict(optimizer="lbfgs"), "The 'optimizer' parameter of MLPClassifier must be one of"),
    (dict(activation="swish"), "The 'activation' parameter of MLPClassifier must be one of"),
    (dict(replay="fifo"), "The 'replay' parameter of MLPClassifier must be one of"),
    (dict(minibatch_size=0), "The 'minibatch_size' parameter of MLPClassifier must be >= 1"),
    (dict(device="tpu"), "The 'device' parameter of MLPClassifier must be one of"),
    (dict(clip_gradient=-1.0), "The 'clip_gradient' parameter of MLPClassifier must be > 0"),
])
def test_invalid_parameters_fail_at_the_first_event(params, message):
    model = MLPClassifier(**params)  # __init__ only stores them
    assert model.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        model.learn_one({"a": 1.0}, True)


def test_pipeline_with_the_issue_example_runs_prequentially():
    data = RotatingHyperplane(seed=3).take(3000)
    model = StandardScaler() | MLPClassifier(hidden=(64, 32), learning_rate=1e-3, device="auto")
    report = evaluate.prequential(data, model, [metrics.Accuracy()], batch_size=256)
    assert report.events == 3000
    assert report.metrics["Accuracy"] > 0.75
    assert model.tags["mini_batch"]


def test_delayed_labels_interleave_predictions_and_learning():
    data = RotatingHyperplane(seed=5).take(4000)

    def run():
        model = StandardScaler() | MLPClassifier(hidden=(16,), learning_rate=0.01, device="cpu")
        return evaluate.prequential(data, model, [metrics.Accuracy()], batch_size=200,
                                    delay=300, keep_predictions=True)

    first, second = run(), run()
    np.testing.assert_array_equal(first.predictions, second.predictions)
    assert first.labelled == 4000
    assert first.metrics["Accuracy"] > 0.8
