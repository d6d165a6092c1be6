"""Neural models as safetensors files with a JSON header: never pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from safetensors.numpy import load as load_tensors  # noqa: E402

from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.serialize import dumps_safetensors, loads_safetensors  # noqa: E402
from streamlearn.neural import LSTMForecaster, MLPClassifier, TorchModel, load, save  # noqa: E402
from streamlearn.preprocessing import StandardScaler  # noqa: E402
from streamlearn.serve.artifacts import pack, unpack  # noqa: E402

from ._streams import blobs, prequential  # noqa: E402


def test_safetensors_documents_round_trip():
    value = {"w": np.arange(6.0).reshape(2, 3), "codes": np.array([3, 1], dtype=np.int64),
             "names": np.array(["ann", "bob"]), "mixed": np.array([1, "a", None], dtype=object),
             "classes": [False, True], "pair": (1, "a"), "by_key": {3: "x"}, "none": None}
    back = loads_safetensors(dumps_safetensors(value))
    assert states_equal(value, back)
    assert back["names"].dtype == value["names"].dtype and back["pair"] == (1, "a")


def test_a_pipeline_is_saved_and_loaded_through_the_registry(tmp_path):
    data = blobs(800, ["a", "b", "c"], seed=1)
    model = StandardScaler() | MLPClassifier(hidden=(8, 4), replay="recent", replay_size=32,
                                             device="cpu")
    prequential(model, data.take(slice(0, 400)))
    path = tmp_path / "model.safetensors"
    save(model, path)
    blob = path.read_bytes()
    header = json.loads(blob[8:8 + int.from_bytes(blob[:8], "little")])
    document = json.loads(header["__metadata__"]["streamlearn"])
    assert [next(iter(step)) for step in document["value"]["spec"]] == [
        "StandardScaler", "MLPClassifier"]
    assert any(v.shape == (8, 4) for v in load_tensors(blob).values())  # weights are tensors
    loaded = load(path)
    assert repr(loaded) == repr(model)
    rest = data.take(slice(400, 800))
    np.testing.assert_array_equal(prequential(model, rest), prequential(loaded, rest))


def test_a_sequence_model_keeps_its_windows(tmp_path):
    model = LSTMForecaster(window=3, hidden=4, device="cpu")
    model.learn_many(np.arange(20.0)[:, None], np.arange(20.0))
    save(model, tmp_path / "lstm.safetensors")
    loaded = load(tmp_path / "lstm.safetensors")
    assert states_equal(loaded.snapshot(), model.snapshot())


def test_a_torch_model_loads_into_the_same_architecture(tmp_path):
    def module():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(),
                                       torch.nn.Linear(4, 1)).double()

    model = TorchModel(module(), learning_rate=0.05, device="cpu")
    model.learn_many(np.ones((30, 2)), np.full(30, 3.0))
    path = tmp_path / "torch.safetensors"
    save(model, path)
    with pytest.raises(ValueError, match="pass into=TorchModel"):
        load(path)
    loaded = load(path, into=TorchModel(module(), learning_rate=0.05, device="cpu"))
    assert loaded.predict_one({"x0": 1.0, "x1": 1.0}) == model.predict_one({"x0": 1.0, "x1": 1.0})


def test_serve_artifacts_carry_neural_pipelines():
    data = blobs(300, ["a", "b"], seed=2)
    model = StandardScaler() | MLPClassifier(hidden=(4,), device="cpu")
    prequential(model, data)
    spec = ["StandardScaler", {"MLPClassifier": {"hidden": (4,), "device": "cpu"}}]
    _, loaded = unpack(pack(spec, model))
    np.testing.assert_array_equal(loaded.predict_proba_many(data), model.predict_proba_many(data))


def test_not_a_streamlearn_file(tmp_path):
    path = tmp_path / "other.safetensors"
    from safetensors.numpy import save_file

    save_file({"w": np.zeros(2)}, str(path))
    with pytest.raises(ValueError, match="not a streamlearn safetensors file"):
        load(path)
