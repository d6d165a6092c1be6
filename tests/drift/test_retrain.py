"""Retraining on drift: the policy event by event, in batches of any size, and its payoff."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn import metrics
from streamlearn.bayes import GaussianNB
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from streamlearn.core.serialize import dumps, loads
from streamlearn.datasets import SEA, Agrawal
from streamlearn.drift import (
    ADWIN,
    DDM,
    HDDM_A,
    DriftRetrainingClassifier,
    DriftRetrainingRegressor,
    PageHinkley,
)
from streamlearn.evaluate import prequential
from streamlearn.linear import LinearRegression, LogisticRegression
from streamlearn.preprocessing import StandardScaler


def reference(make_model, detector, pred_rows, learn_rows, labels, classes=None,
              train_in_background=True):
    """The policy written plainly, one event at a time, with the per-event faces."""
    model, background, events, answers = make_model(), None, [], []
    for i, (x_pred, x_learn, label) in enumerate(zip(pred_rows, learn_rows, labels)):
        if classes is None:  # a regressor
            answers.append(model.predict_one(x_pred))
            error = abs(model.predict_one(x_learn) - label)
        else:
            proba = model.predict_proba_one(x_pred)
            answers.append([proba.get(c, 0.0) for c in classes])
            judged = model.predict_proba_one(x_learn)
            error = None
            if judged and sum(judged.values()) > 0:
                error = float(max(judged, key=judged.get) != label)
        if error is not None:
            detector.update(error)
            if detector.drift_detected and detector._drift_raised_values():
                events.append(i)
                model = background if background is not None else make_model()
                background = None
            elif train_in_background:  # back to normal, the warning was a false alarm
                background = (background or make_model()) if detector.warning_detected else None
        model.learn_one(x_learn, label)
        if background is not None:
            background.learn_one(x_learn, label)
    return np.array(answers), events


def run_batches(model, data, batch_size):
    outputs = []
    for start in range(0, len(data), batch_size):
        part = data.take(slice(start, start + batch_size))
        outputs.append(model.process_many(part, part, all_rows(len(part))))
    if outputs[0].ndim == 1:
        return np.concatenate(outputs)
    width = max(o.shape[1] for o in outputs)
    return np.concatenate([np.pad(o, ((0, 0), (0, width - o.shape[1]))) for o in outputs])


def sea_batch(n, seed=3):
    data = SEA(seed=seed, variant=0, drift_every=2500).take(n)
    return Batch.from_array(data.X, columns=data.feature_names, y=data.y)


@pytest.mark.parametrize(("make_model", "detector", "background"), [
    (GaussianNB, DDM(), True),
    (GaussianNB, DDM(), False),
    (GaussianNB, HDDM_A(warning_confidence=0.05), True),
    (GaussianNB, ADWIN(clock=8), True),
    (lambda: StandardScaler() | LogisticRegression(learning_rate=0.5),
     HDDM_A(drift_confidence=0.01, warning_confidence=0.05), True),
], ids=["nb-ddm-background", "nb-ddm-reset", "nb-hddm", "nb-adwin", "pipeline-hddm"])
def test_classifier_follows_the_policy_event_by_event(make_model, detector, background):
    data = sea_batch(6000)
    expected, events = reference(make_model, detector.clone(), data.to_dicts(), data.to_dicts(),
                                 data.y.tolist(), [False, True], background)
    assert len(events) >= 2
    for batch_size in (1, 7, 6000):
        model = DriftRetrainingClassifier(make_model(), drift_detector=detector.clone(),
                                          train_in_background=background)
        got = run_batches(model, data, batch_size)
        assert model.drift_events_ == events
        order = [model.classes_.index(c) for c in (False, True)]
        np.testing.assert_allclose(got[:, order], expected, rtol=0, atol=1e-9)


def test_inside_a_pipeline_predictions_and_judgements_use_their_own_features():
    """After a scaler, the event is answered with the scaler's state before learning it and
    judged (and learnt) with the state after: both streams, interleaved in one pass."""
    data = sea_batch(5000, seed=3)
    scaled_pred, scaled_learn = StandardScaler().process_many(data, data, all_rows(len(data)))
    make_model = lambda: LogisticRegression(learning_rate=0.5)  # noqa: E731
    detector = HDDM_A(drift_confidence=0.01, warning_confidence=0.05)
    expected, events = reference(make_model, detector.clone(), scaled_pred.to_dicts(),
                                 scaled_learn.to_dicts(), data.y.tolist(), [False, True])
    assert events == [580, 4030]
    for batch_size in (1, 100, 5000):
        pipeline = StandardScaler() | DriftRetrainingClassifier(
            make_model(), drift_detector=detector.clone())
        got = run_batches(pipeline, data, batch_size)
        assert pipeline[-1].drift_events_ == events
        order = [pipeline[-1].classes_.index(c) for c in (False, True)]
        np.testing.assert_allclose(got[:, order], expected, rtol=0, atol=1e-9)


def test_regressor_follows_the_policy_and_ignores_improvements():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 2))
    y = np.where(np.arange(4000) < 2000, X @ [1.0, 2.0], X @ [-3.0, 1.0])
    rows = [{"x0": a, "x1": b} for a, b in X.tolist()]
    make_model = lambda: LinearRegression(learning_rate=0.05)  # noqa: E731
    detector = ADWIN()
    expected, events = reference(make_model, detector, rows, rows, y.tolist())
    # ADWIN also saw the errors fall while the model learnt: that changed nothing
    assert events == [2015] and detector.n_detections == 3
    for batch_size in (1, 64, 4000):
        model = DriftRetrainingRegressor(make_model())
        got = run_batches(model, Batch.from_array(X, y=y), batch_size)
        assert model.drift_events_ == events and model.n_drifts == 1
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_snapshot_inside_a_warning_zone_continues_exactly():
    data = sea_batch(6000)
    model = DriftRetrainingClassifier(GaussianNB())
    for start in range(0, 6000, 10):  # stop while a background model is learning
        part = data.take(slice(start, start + 10))
        model.process_many(part, part, all_rows(len(part)))
        if model.background_model is not None:
            break
    assert model.background_model is not None
    restored = DriftRetrainingClassifier(GaussianNB()).restore(loads(dumps(model.snapshot())))
    assert states_equal(restored.snapshot(), model.snapshot())
    rest = data.take(slice(start + 10, 6000))
    np.testing.assert_array_equal(run_batches(model, rest, 500), run_batches(restored, rest, 77))
    assert restored.drift_events_ == model.drift_events_


@pytest.mark.parametrize(("data", "plain", "retrained"), [
    (SEA(seed=3, variant=0, drift_every=5000).take(20_000), 0.8371, 0.8656),
    (Agrawal(seed=1, drift_every=10_000).take(40_000), 0.6218, 0.7172),
])
def test_retraining_pays_off_on_drifting_streams(data, plain, retrained):
    base = prequential(data, GaussianNB(), [metrics.Accuracy()]).metrics["Accuracy"]
    detector = DDM() if data.name.startswith("SEA") else ADWIN()
    model = DriftRetrainingClassifier(GaussianNB(), drift_detector=detector)
    adapted = prequential(data, model, [metrics.Accuracy()]).metrics["Accuracy"]
    assert base == pytest.approx(plain, abs=5e-5)
    assert adapted == pytest.approx(retrained, abs=5e-5)
    # every drift is found, soon after it happens (every 5,000 or 10,000 events)
    every = 5000 if data.name.startswith("SEA") else 10_000
    firsts = {}
    for event in model.drift_events_:
        firsts.setdefault(event // every, event % every)
    assert set(firsts) == set(range(1, len(data) // every))
    assert max(firsts.values()) <= 1500


def test_wrapper_parameters_are_checked_and_tags_follow_the_model():
    with pytest.raises(ParameterError, match="'model' parameter"):
        DriftRetrainingClassifier("GaussianNB").learn_one({"x": 1.0}, True)
    with pytest.raises(ParameterError, match="'drift_detector' parameter"):
        DriftRetrainingClassifier(GaussianNB(), drift_detector=GaussianNB()).learn_one(
            {"x": 1.0}, True)
    assert DriftRetrainingClassifier(LogisticRegression()).tags["binary_only"]
    assert not DriftRetrainingClassifier(GaussianNB()).tags["binary_only"]
    model = DriftRetrainingClassifier(GaussianNB(), drift_detector=PageHinkley())
    assert model.predict_proba_one({"x": 1.0}) == {} and not model.is_fitted
    model.learn_one({"x": 1.0}, "a")
    assert model.predict_one({"x": 1.0}) == "a" and model.n_drifts == 0
