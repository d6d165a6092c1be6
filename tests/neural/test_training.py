"""Training options and the hand-written paths: optimizers, backpropagation, schedules, replay,
clipping, threads, devices, and what happens without torch."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.batch import Batch  # noqa: E402
from streamlearn.core.errors import MissingExtraError  # noqa: E402
from streamlearn.neural import MLPClassifier, MLPRegressor  # noqa: E402
from streamlearn.neural._flat_optim import FlatOptimizer  # noqa: E402
from streamlearn.neural._networks import MLPNetwork  # noqa: E402
from streamlearn.neural._replay import slots  # noqa: E402
from streamlearn.neural._schedule import learning_rate  # noqa: E402

from ._streams import blobs, prequential  # noqa: E402


@pytest.mark.parametrize(("rule", "reference"), [
    ("adam", lambda p, lr: torch.optim.Adam(p, lr=lr, foreach=False)),
    ("adamw", lambda p, lr: torch.optim.AdamW(p, lr=lr, foreach=False)),
    ("rmsprop", lambda p, lr: torch.optim.RMSprop(p, lr=lr, foreach=False)),
    ("sgd", lambda p, lr: torch.optim.SGD(p, lr=lr, foreach=False)),
])
def test_flat_optimizers_follow_torch_optim(rule, reference):
    rng = np.random.default_rng(0)
    start = torch.tensor(rng.normal(size=50))
    ours, theirs = start.clone().requires_grad_(), start.clone().requires_grad_()
    ours.grad = torch.zeros(50, dtype=torch.float64)
    flat, torch_optimizer = FlatOptimizer(ours, rule, 0.01), reference([theirs], 0.01)
    for _ in range(20):
        gradient = torch.tensor(rng.normal(size=50))
        ours.grad.copy_(gradient)
        theirs.grad = gradient.clone()
        flat.step()
        torch_optimizer.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=0,
                               atol=1e-13)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backpropagation_by_hand_equals_autograd(activation):
    rng = np.random.default_rng(1)
    network = MLPNetwork((5, 7, 4, 3), activation, torch.float64)
    network.load_state_dict({"flat": torch.tensor(network.join(network.initial_state(rng)))})
    network.bind()
    x = torch.tensor(rng.normal(size=(9, 5)))
    target = torch.tensor(rng.normal(size=(9, 3)))
    outputs = network.activations(x)
    network.backward(outputs, 2 * (outputs[-1] - target) / target.numel())  # MSE
    weights = {name: torch.tensor(value, requires_grad=True)
               for name, value in network.split(network.flat.detach().numpy()).items()}
    h = x
    for k in range(3):
        h = torch.nn.functional.linear(h, weights[f"weights.{k}"], weights[f"biases.{k}"])
        if k < 2:
            h = getattr(torch, activation)(h)
    torch.nn.functional.mse_loss(h, target).backward()
    expected = np.concatenate([weights[name].grad.numpy().ravel() for name in network.layout])
    np.testing.assert_allclose(network.flat.grad.numpy(), expected, rtol=0, atol=1e-14)


def test_learning_rate_schedules():
    assert learning_rate(0.1, "constant", 0.5, 0, 10) == 0.1
    assert learning_rate(0.1, "inverse_time", 0.5, 0, 10) == pytest.approx(0.1 / 6)
    assert learning_rate(0.1, "inverse_sqrt", 0.5, 0, 10) == pytest.approx(0.1 / math.sqrt(6))
    assert learning_rate(0.1, "exponential", 0.5, 0, 10) == pytest.approx(0.1 * math.exp(-5))
    assert learning_rate(0.1, "cosine", 0.25, 0, 2) == pytest.approx(0.05)
    assert learning_rate(0.1, "cosine", 0.25, 0, 4) == pytest.approx(0.1)   # warm restart
    assert learning_rate(0.1, "constant", 0.0, 4, 0) == pytest.approx(0.025)  # warm-up
    assert learning_rate(0.1, "constant", 0.0, 4, 3) == pytest.approx(0.1)


def test_the_schedule_drives_the_optimizer():
    model = MLPRegressor(hidden=(4,), optimizer="sgd", learning_rate=0.1,
                         lr_schedule="inverse_time", lr_decay=1.0, minibatch_size=10,
                         gradient_steps=3, device="cpu")
    model.learn_many(np.ones((40, 2)), np.arange(40.0))
    assert model.n_updates_ == 12  # 4 chunks, 3 steps each
    assert model._optimizer.param_groups[0]["lr"] == pytest.approx(0.1 / 12)


def test_reservoir_keeps_a_uniform_sample_and_recent_keeps_the_last_events():
    rng = np.random.default_rng(2)
    kept = np.full(100, -1)
    for start in range(0, 10_000, 250):  # ten thousand events in chunks
        positions, where = slots("reservoir", 100, start, 250, rng)
        kept[where] = start + positions
    assert (kept >= 0).all()
    assert abs(kept.mean() - 5000) < 600   # drawn from the whole stream, not its end
    recent = np.full(100, -1)
    for start in range(0, 1030, 7):
        positions, where = slots("recent", 100, start, min(7, 1030 - start), rng)
        recent[where] = start + positions
    assert sorted(recent.tolist()) == list(range(930, 1030))


def test_replay_mixes_past_events_into_each_step():
    data = blobs(600, ["a", "b"], seed=3)
    model = MLPClassifier(hidden=(4,), replay="reservoir", replay_size=50, minibatch_size=20,
                          device="cpu")
    prequential(model, data, 100)
    assert model.replay_seen_ == 600
    assert model.replay_inputs_.shape == (50, 4)
    assert set(model.replay_targets_.tolist()) == {0, 1}
    stored = {tuple(row) for row in model.replay_inputs_}
    assert stored <= {tuple(row) for row in data.X}


def test_gradient_clipping_bounds_each_step():
    X = np.random.default_rng(4).normal(size=(64, 3)) * 100.0
    model = MLPRegressor(hidden=(8,), optimizer="sgd", learning_rate=0.1, clip_gradient=1e-3,
                         minibatch_size=64, device="cpu")
    model.learn_many(X[:1], np.array([5.0]))
    before = model._network.flat.detach().clone()
    model.learn_many(X, np.full(64, 1e4))
    moved = torch.linalg.vector_norm(model._network.flat.detach() - before).item()
    assert 0 < moved <= 0.1 * 1e-3 + 1e-15


def test_the_thread_setting_is_put_back():
    torch.set_num_threads(2)
    model = MLPClassifier(hidden=(4,), device="cpu", n_threads=1)
    model.learn_many(blobs(100, ["a", "b"]), blobs(100, ["a", "b"]).y)
    assert torch.get_num_threads() == 2
    kept = MLPClassifier(hidden=(4,), device="cpu", n_threads=None)
    kept.learn_many(blobs(100, ["a", "b"]), blobs(100, ["a", "b"]).y)
    assert torch.get_num_threads() == 2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_gives_the_cpu_answers():
    data = blobs(1000, ["a", "b", "c"], seed=5)
    on_gpu = MLPClassifier(hidden=(16,), device="cuda")
    on_cpu = MLPClassifier(hidden=(16,), device="cpu")
    np.testing.assert_allclose(prequential(on_gpu, data), prequential(on_cpu, data), atol=1e-6)
    assert on_gpu._network.flat.device.type == "cuda"
    restored = MLPClassifier(hidden=(16,), device="cpu").restore(on_gpu.snapshot())
    np.testing.assert_allclose(restored.predict_proba_many(data), on_gpu.predict_proba_many(data),
                               atol=1e-9)


def test_auto_device_is_the_cpu_without_a_gpu():
    model = MLPClassifier(hidden=(4,), device="auto")
    model.learn_one({"a": 1.0}, True)
    assert model._device == ("cuda" if torch.cuda.is_available() else "cpu")


def test_a_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # what an uninstalled package looks like
    model = MLPClassifier()
    assert model.predict_proba_many(np.zeros((2, 1))).shape == (2, 0)  # no torch needed yet
    with pytest.raises(MissingExtraError, match=r"pip install 'streamlearn\[deep\]'"):
        model.learn_one({"a": 1.0}, True)


def test_importing_streamlearn_and_building_models_does_not_import_torch():
    code = ("import sys, streamlearn, streamlearn.neural as n; "
            "n.MLPClassifier(hidden=(8,)); n.Autoencoder(); n.LSTMForecaster(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_batches_with_new_columns_in_the_prediction_stream_only():
    model = MLPRegressor(hidden=(4,), device="cpu")
    learn = Batch.from_dicts([{"a": 1.0}, {"a": 2.0}], y=[1.0, 2.0])
    model.learn_many(learn, learn.y)
    pred = Batch.from_dicts([{"a": 1.0, "z": 3.0}, {"a": 2.0, "z": 3.0}])
    out = model.process_many(pred, learn, np.array([True, False]))
    assert out.shape == (2,) and model.feature_names_ == ["a"]


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor", "Autoencoder",
                                  "LSTMForecaster", "LSTMClassifier", "TorchModel"])
def test_empty_micro_batches(name):
    import streamlearn.neural as neural

    model = getattr(neural, name)._check_instances()[0]
    batch = Batch.from_array(np.random.default_rng(0).normal(size=(20, 4)),
                             y=np.arange(20) % 2 == 0)
    model.process_many(batch, batch, np.ones(20, dtype=bool))
    empty = batch.take(slice(0, 0))
    before = model.snapshot()
    assert len(model.process_many(empty, empty, np.zeros(0, dtype=bool))) == 0
    assert len(model.process_many(empty, empty, np.ones(0, dtype=bool))) == 0
    assert states_equal(before, model.snapshot())
