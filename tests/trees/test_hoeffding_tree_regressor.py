"""HoeffdingTreeRegressor: River's error on Friedman, leaf models, nominal features."""

from __future__ import annotations

import numpy as np
import pytest
from river import metrics as river_metrics
from river import tree as river_tree

from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError
from streamlearn.datasets import Friedman
from streamlearn.trees import HoeffdingTreeRegressor

from ._streams import assert_batch_size_invariant, prequential, shifting_regression


def mae(model, data) -> float:
    batch = Batch.from_array(data.X, y=data.y)
    return float(np.abs(prequential(model, batch, 1000) - data.y).mean())


def river_mae(model, data) -> float:
    metric = river_metrics.MAE()
    for x, y in data:
        metric.update(y, model.predict_one(x))
        model.learn_one(x, y)
    return metric.get()


def test_error_comparable_to_river_on_friedman():
    data = Friedman(seed=42).take(20_000)
    model = HoeffdingTreeRegressor()
    ours = mae(model, data)
    theirs = river_mae(river_tree.HoeffdingTreeRegressor(), data)
    assert 1.7 < ours < 2.1
    assert ours <= 1.05 * theirs, (ours, theirs)
    assert model.n_leaves >= 20


def test_leaf_predictors():
    data = Friedman(seed=1).take(10_000)
    errors = {mode: mae(HoeffdingTreeRegressor(leaf_prediction=mode), data)
              for mode in ("mean", "model", "adaptive")}
    # Friedman #1 is half linear: linear leaves beat constant ones, and the adaptive choice
    # is close to the better of the two
    assert errors["model"] < 0.8 * errors["mean"]
    assert errors["adaptive"] < 1.05 * errors["model"]


def test_nominal_feature_drives_the_first_split():
    rng = np.random.default_rng(2)
    shops = np.array(["north", "south", "east"], dtype=object)[rng.integers(0, 3, 3000)]
    x = rng.random(3000)
    y = np.where(shops == "south", 50.0, 10.0) + x + rng.normal(scale=0.5, size=3000)
    batch = Batch(X=x.reshape(-1, 1), columns=("x",), categorical={"shop": shops}, y=y)
    model = HoeffdingTreeRegressor(grace_period=100, leaf_prediction="mean")
    model.learn_many(batch, y)
    assert model.feature_names_[model.tree_["node_int"][0, 0]] == "shop"
    assert model.predict_one({"x": 0.5, "shop": "south"}) == pytest.approx(50.5, abs=0.2)
    assert model.predict_one({"x": 0.5, "shop": "north"}) == pytest.approx(10.5, abs=0.3)


def test_same_answers_for_any_batch_size():
    model = assert_batch_size_invariant(HoeffdingTreeRegressor(grace_period=50),
                                        shifting_regression(900))
    assert model.n_leaves >= 3


def test_targets_must_be_finite_numbers():
    model = HoeffdingTreeRegressor()
    with pytest.raises(SchemaError, match="numeric targets"):
        model.learn_many(np.zeros((2, 1)), np.array(["a", "b"], dtype=object))
    with pytest.raises(SchemaError, match="not a finite number"):
        model.learn_many(np.zeros((2, 1)), [1.0, np.inf])
