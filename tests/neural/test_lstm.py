"""LSTMForecaster and LSTMClassifier: windows per key, forecasting, sequence classification."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from streamlearn import evaluate, metrics  # noqa: E402
from streamlearn.connectors import IterableSource  # noqa: E402
from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.batch import Batch  # noqa: E402
from streamlearn.core.schema import Schema  # noqa: E402
from streamlearn.core.serialize import dumps, loads  # noqa: E402
from streamlearn.neural import LSTMClassifier, LSTMForecaster, MLPClassifier  # noqa: E402

from ._streams import prequential  # noqa: E402


def naive_sequences(X, keys, learn, window):
    """Row i: the last window-1 learnt steps of its key, zero-padded on the left, then row i;
    a step is [1, features] (NaN as 0)."""
    history: dict = {}
    out = []
    for row, key, learnt in zip(np.nan_to_num(X), keys, learn):
        step = np.r_[1.0, row]
        past = list(history.get(key, []))
        padding = [np.zeros_like(step)] * (window - 1 - len(past))
        out.append(np.stack([*padding, *past, step]))
        if learnt:
            history.setdefault(key, deque(maxlen=window - 1)).append(step)
    return np.stack(out)


@pytest.mark.parametrize("batch_size", [1, 7, 64, 500])
def test_windows_per_key_follow_their_definition_whatever_the_batch_size(batch_size):
    rng = np.random.default_rng(0)
    n = 500
    X = rng.normal(size=(n, 2))
    X[rng.random((n, 2)) < 0.1] = np.nan
    keys = rng.choice(np.array(["ann", "bob", "cid", None], dtype=object), size=n)
    learn = rng.random(n) < 0.7
    X[0], learn[0] = (0.5, -0.5), True  # both features registered by the first event
    batch = Batch(X=X, columns=("a", "b"), y=rng.normal(size=n), keys=keys)
    model = LSTMForecaster(window=4, device="cpu")
    model._start()
    got = []
    for start in range(0, n, batch_size):
        part, mask = batch.take(slice(start, start + batch_size)), learn[start:start + batch_size]
        pred, learned = model._model_inputs(part, part, mask)
        np.testing.assert_array_equal(pred, learned)
        got.append(pred)
    np.testing.assert_array_equal(np.concatenate(got), naive_sequences(X, keys, learn, 4))
    assert model.window_keys_ == list(dict.fromkeys(keys[learn]))


def test_prediction_leaves_windows_and_unknown_keys_alone():
    batch = Batch(X=np.arange(6.0)[:, None], columns=("v",), y=np.arange(6.0),
                  keys=np.array([1, 1, 2, 2, 1, 3], dtype=object))
    model = LSTMForecaster(window=3, hidden=4, device="cpu")
    model.learn_many(batch.take(slice(0, 4)), batch.y[:4])
    before = model.snapshot()
    model.predict_many(batch.take(slice(4, 6)))  # key 3 is new: answered from padding
    assert states_equal(before, model.snapshot())
    assert model.window_keys_ == [1, 2]
    np.testing.assert_array_equal(model.windows_[0], [[1.0, 0.0], [1.0, 1.0]])


def sensors(n_steps: int = 150, n_sensors: int = 20, noise: float = 0.05, seed: int = 0):
    rng = np.random.default_rng(seed)
    phase, speed = rng.uniform(0, 6.3, n_sensors), rng.uniform(0.15, 0.35, n_sensors)
    events = []
    for t in range(n_steps):
        for s in range(n_sensors):
            value = np.sin(t * speed[s] + phase[s]) + noise * rng.normal()
            events.append(({"sensor": s, "value": value},
                           float(np.sin((t + 1) * speed[s] + phase[s]))))
    return events


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_forecaster_beats_the_last_value_on_interleaved_sensors(cell):
    events = sensors()
    source = IterableSource(events, Schema(key="sensor"))
    model = LSTMForecaster(window=6, hidden=16, cell=cell, learning_rate=0.01, device="cpu")
    report = evaluate.prequential(source, model, [metrics.MAE()], batch_size=100,
                                  keep_predictions=True)
    forecasts = np.asarray(report.predictions)
    truth = np.array([y for _, y in events])
    last_value = np.array([x["value"] for x, _ in events])
    late = slice(1000, None)
    persistence = np.abs(last_value[late] - truth[late]).mean()
    ours = np.abs(forecasts[late] - truth[late]).mean()
    assert persistence == pytest.approx(0.169, abs=1e-3)
    assert ours < 0.55 * persistence


def trending_patients(n_patients: int = 300, length: int = 10, seed: int = 0):
    """Each patient's readings start at a random level and trend up or down: the current
    reading alone says little about the trend, its recent history says more."""
    rng = np.random.default_rng(seed)
    events = []
    for patient in range(n_patients):
        rising = bool(rng.random() < 0.5)
        level = rng.normal(scale=3.0)
        for step in range(length):
            value = level + (0.4 if rising else -0.4) * step + 0.1 * rng.normal()
            events.append(({"patient": f"p{patient}", "value": value}, rising))
    return events


def test_classifier_reads_the_trend_better_than_a_memoryless_network():
    events = trending_patients()
    step = np.tile(np.arange(10), 300)

    def accuracy(model):
        report = evaluate.prequential(IterableSource(events, Schema(key="patient")), model,
                                      [], batch_size=100, keep_predictions=True)
        labels = np.asarray(report.predictions)
        truth = np.array([y for _, y in events])
        judged = (step >= 3) & (np.arange(len(events)) >= 1000)
        return np.mean(labels[judged] == truth[judged])

    lstm = accuracy(LSTMClassifier(window=4, hidden=8, learning_rate=0.03, minibatch_size=16,
                                   device="cpu"))
    mlp = accuracy(MLPClassifier(hidden=(8,), learning_rate=0.01, device="cpu"))
    assert lstm > 0.87
    assert mlp < lstm - 0.08


def test_snapshot_round_trip_keeps_windows_and_continues_identically():
    events = sensors(n_steps=40, n_sensors=5)
    batch = Schema(key="sensor").decode([x for x, _ in events]).batch.with_labels(
        np.array([y for _, y in events]))
    first, rest = batch.take(slice(0, 100)), batch.take(slice(100, 200))
    model = LSTMForecaster(window=5, hidden=6, replay="reservoir", replay_size=30,
                           device="cpu")
    prequential(model, first, 25)
    stored = loads(dumps(model.snapshot()))
    assert stored["state"]["window_keys_"] == [0, 1, 2, 3, 4]
    assert stored["state"]["replay_inputs_"].shape == (30, 5, 2)
    restored = LSTMForecaster(window=5, hidden=6, replay="reservoir", replay_size=30,
                              device="cpu").restore(stored)
    np.testing.assert_array_equal(prequential(model, rest, 25), prequential(restored, rest, 25))
    assert states_equal(model.snapshot(), restored.snapshot())


def test_same_seed_same_forecasts():
    events = sensors(n_steps=30, n_sensors=4)

    def run():
        source = IterableSource(events, Schema(key="sensor"))
        return evaluate.prequential(source, LSTMForecaster(window=4, hidden=4, device="cpu"),
                                    [], batch_size=32, keep_predictions=True).predictions

    np.testing.assert_array_equal(run(), run())
