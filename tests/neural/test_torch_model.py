"""TorchModel: a user's module, trained on a stream, snapshotted and restored by weights."""

from __future__ import annotations

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from torch import nn  # noqa: E402

from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.batch import Batch  # noqa: E402
from streamlearn.core.errors import ParameterError, SchemaError  # noqa: E402
from streamlearn.core.serialize import dumps, loads  # noqa: E402
from streamlearn.neural import TorchModel  # noqa: E402

from ._streams import blobs, prequential  # noqa: E402


def module(n_in: int = 4, n_out: int = 1, dropout: float = 0.0, seed: int = 0) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(n_in, 16), nn.ReLU(), nn.Dropout(dropout),
                             nn.Linear(16, n_out)).double()


def regression_batch(n: int = 3000, seed: int = 0) -> Batch:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return Batch.from_array(X, y=np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2])


def test_regressor_learns_a_nonlinear_target():
    batch = regression_batch()
    model = TorchModel(module(), loss="mse", learning_rate=0.01, minibatch_size=8, device="cpu")
    answers = prequential(model, batch)
    spread = np.abs(batch.y - batch.y.mean()).mean()
    assert model.tags["regressor"] and not model.tags["classifier"]
    assert np.abs(answers[2000:] - batch.y[2000:]).mean() < 0.25 * spread


def test_classifier_with_a_custom_optimizer_class():
    data = blobs(2000, ["a", "b", "c"], seed=1)
    model = TorchModel(module(n_out=3), loss="cross_entropy", optimizer=torch.optim.SGD,
                       learning_rate=0.05, device="cpu")
    answers = prequential(model, data)
    labels = np.array(model.known_classes, dtype=object)[answers.argmax(axis=1)]
    assert model.tags["classifier"] and sorted(model.known_classes) == ["a", "b", "c"]
    assert np.mean(labels[1000:] == data.y[1000:]) > 0.98
    assert model.predict_one(data.row(0)) == data.y[0]
    assert set(model.predict_proba_one(data.row(0))) == set(model.known_classes)


def test_the_module_passed_in_is_never_trained():
    original = module()
    before = {k: v.clone() for k, v in original.state_dict().items()}
    model = TorchModel(original, learning_rate=0.1, device="cpu")
    model.learn_many(regression_batch(200), regression_batch(200).y)
    assert all(torch.equal(before[k], v) for k, v in original.state_dict().items())
    assert not model.clone().is_fitted


def test_dropout_is_reproducible_and_snapshots_continue_identically():
    batch = regression_batch(800)
    first, rest = batch.take(slice(0, 400)), batch.take(slice(400, 800))

    def fresh():
        return TorchModel(module(dropout=0.3), loss="huber", replay="reservoir", replay_size=64,
                          device="cpu")

    a, b = fresh(), fresh()
    np.testing.assert_array_equal(prequential(a, first), prequential(b, first))
    stored = loads(dumps(a.snapshot()))
    assert states_equal(a.snapshot(), stored)
    restored = fresh().restore(stored)
    np.testing.assert_array_equal(prequential(a, rest), prequential(restored, rest))


def test_restoring_into_another_architecture_fails_clearly():
    model = TorchModel(module(), device="cpu")
    model.learn_many(regression_batch(100), regression_batch(100).y)
    other = TorchModel(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1)).double(),
                       device="cpu")
    with pytest.raises(SchemaError, match="same architecture"):
        other.restore(model.snapshot())


def test_features_are_fixed_by_the_first_batch_or_named():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    model = TorchModel(module(n_in=2), features=["x2", "x0"], learning_rate=0.05, device="cpu")
    model.learn_many(X, 3 * X[:, 2] - X[:, 0])
    assert model.feature_names_ == ["x2", "x0"]
    # other columns are ignored, a missing one enters as 0
    assert model.predict_one({"x0": 1.0, "x2": 0.5, "x9": 4.0}) == model.predict_one(
        {"x0": 1.0, "x2": 0.5})
    assert model.predict_one({"x0": 1.0}) == model.predict_one({"x0": 1.0, "x2": 0.0})


def test_a_module_with_the_wrong_input_width_fails_clearly():
    model = TorchModel(module(n_in=3), device="cpu")
    with pytest.raises(SchemaError, match=re.escape("features=[...]")):
        model.learn_many(np.ones((10, 4)), np.ones(10))


def test_more_classes_than_outputs_fail_clearly():
    model = TorchModel(module(n_out=2), loss="cross_entropy", device="cpu")
    with pytest.raises(SchemaError, match="gives 2 outputs but 3 classes"):
        model.learn_many(blobs(30, ["a", "b", "c"]), blobs(30, ["a", "b", "c"]).y)


def test_a_callable_loss_and_float32_modules_work():
    batch = regression_batch(1000)
    float_module = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    model = TorchModel(float_module, loss=nn.SmoothL1Loss(), learning_rate=0.01, device="cpu")
    answers = prequential(model, batch)
    assert answers.dtype == np.float64 and np.isfinite(answers).all()
    assert model.snapshot()["state"]["network_"]["0.weight"].dtype == np.float32


@pytest.mark.parametrize(("params", "message"), [
    (dict(loss="hinge"), "The 'loss' parameter of TorchModel must be one of"),
    (dict(optimizer="lbfgs"), "The 'optimizer' parameter of TorchModel must be one of"),
    (dict(optimizer=int), "The 'optimizer' parameter of TorchModel must be one of"),
])
def test_invalid_parameters(params, message):
    with pytest.raises(ParameterError, match=message):
        TorchModel(module(), device="cpu", **params).learn_one({"x0": 1.0}, 1.0)
    with pytest.raises(ParameterError, match=re.escape("must be a torch.nn.Module")):
        TorchModel("not a module").learn_one({"x0": 1.0}, 1.0)
