"""HoeffdingTreeClassifier: River's accuracy on SEA, nominal splits, missing values, limits."""

from __future__ import annotations

import numpy as np
import pytest
from river import metrics as river_metrics
from river import tree as river_tree

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.datasets import SEA, RandomRBF
from streamlearn.trees import HoeffdingTreeClassifier

from ._streams import accuracy, assert_batch_size_invariant


def river_accuracy(model, data) -> float:
    metric = river_metrics.Accuracy()
    for x, y in data:
        metric.update(y, model.predict_one(x))
        model.learn_one(x, y)
    return metric.get()


def test_accuracy_within_one_point_of_river_on_sea():
    data = SEA(seed=42, drift_every=10_000).take(40_000)
    ours = accuracy(HoeffdingTreeClassifier(), data.X, data.y)
    theirs = river_accuracy(river_tree.HoeffdingTreeClassifier(), data)
    assert 0.84 < ours < 0.86
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


@pytest.mark.parametrize("params", [{"leaf_prediction": "mc"}, {"leaf_prediction": "nb"},
                                    {"split_criterion": "gini"}], ids=["mc", "nb", "gini"])
def test_leaf_predictors_and_criteria_agree_with_river(params):
    # the same Gaussian observers, candidate thresholds and tests as River's: the same trees
    data = SEA(seed=3).take(10_000)
    ours = accuracy(HoeffdingTreeClassifier(**params), data.X, data.y)
    theirs = river_accuracy(river_tree.HoeffdingTreeClassifier(**params), data)
    assert abs(ours - theirs) <= 0.002, (ours, theirs)


def test_multiclass_stream_agrees_with_river():
    data = RandomRBF(seed=1, n_classes=3, n_features=5).take(10_000)
    model = HoeffdingTreeClassifier()
    ours = accuracy(model, data.X, data.y)
    theirs = river_accuracy(river_tree.HoeffdingTreeClassifier(), data)
    assert len(model.known_classes) == 3
    assert ours > 0.5 and abs(ours - theirs) <= 0.002, (ours, theirs)


def test_tree_grows_on_the_relevant_features():
    data = SEA(seed=5, noise=0.0).take(20_000)
    model = HoeffdingTreeClassifier(grace_period=100)
    model.learn_many(data.X, data.y)
    tree = model.tree_
    used = tree["node_int"][: tree["counts"][0], 0]
    split_features = {model.feature_names_[j] for j in used[used >= 0]}
    assert split_features <= {"x0", "x1"}  # x2 carries no signal
    assert model.n_leaves >= 5 and model.depth >= 3
    held_out = SEA(seed=6, noise=0.0).take(2_000)
    assert (model.predict_many(held_out.X) == held_out.y).mean() > 0.97


def test_nominal_feature_splits_one_category_against_the_rest():
    rng = np.random.default_rng(0)
    colours = np.array(["red", "green", "blue", "grey"], dtype=object)[rng.integers(0, 4, 3000)]
    noise = rng.random(3000)
    labels = (colours == "red") ^ (noise < 0.05)
    batch = Batch(X=rng.random((3000, 1)), columns=("x",), categorical={"colour": colours},
                  y=labels)
    model = HoeffdingTreeClassifier(grace_period=100, leaf_prediction="mc")
    model.learn_many(batch, labels)
    tree = model.tree_
    colour = model.feature_names_.index("colour")
    assert tree["node_int"][0, 0] == colour
    assert model.categories_["colour"][int(tree["node_float"][0, 0])] == "red"
    assert model.predict_one({"x": 0.5, "colour": "red"}) is True
    assert model.predict_one({"x": 0.5, "colour": "blue"}) is False
    # a category never learnt goes with "the rest"
    assert model.predict_one({"x": 0.5, "colour": "violet"}) is False


def test_missing_split_value_follows_the_heavier_branch():
    rng = np.random.default_rng(1)
    X = rng.random((4000, 1)) * 10.0
    y = X[:, 0] > 7.0  # 70% of the weight goes left
    model = HoeffdingTreeClassifier(grace_period=100, leaf_prediction="mc")
    model.learn_many(X, y)
    assert model.n_leaves >= 2
    assert model.predict_one({}) is False
    assert model.predict_proba_one({})[False] > 0.9


def test_same_answers_for_any_batch_size():
    data = SEA(seed=4, drift_every=300).take(900)
    batch = Batch.from_array(data.X, y=data.y)
    model = assert_batch_size_invariant(HoeffdingTreeClassifier(grace_period=30, tau=0.3),
                                        batch)
    assert model.n_leaves >= 3


def test_depth_and_size_limits():
    data = SEA(seed=2, noise=0.0).take(10_000)
    shallow = HoeffdingTreeClassifier(grace_period=50, max_depth=1).learn_many(data.X, data.y)
    assert shallow.depth == 1 and shallow.n_leaves == 2
    free = HoeffdingTreeClassifier(grace_period=50, tau=0.5).learn_many(data.X, data.y)
    small = HoeffdingTreeClassifier(grace_period=50, tau=0.5, max_size=0.002)
    small.learn_many(data.X, data.y)
    # a leaf costs its rows of the per-leaf arrays (8 + 2 + 2 classes + 3 features x 2
    # classes x 5 statistics) and two nodes (4 + 2), 8 bytes each: 432 bytes
    assert (small.n_leaves, free.n_leaves > 10) == (4, True)
    assert small.n_leaves * 432 <= 0.002 * 2**20 < (small.n_leaves + 1) * 432


def test_bad_parameters_and_inputs_fail_clearly():
    X = np.zeros((3, 2))
    with pytest.raises(ParameterError, match="'leaf_prediction' parameter of "
                                             "HoeffdingTreeClassifier must be one of"):
        HoeffdingTreeClassifier(leaf_prediction="best").learn_many(X, [1, 0, 1])
    with pytest.raises(ParameterError, match="'grace_period' parameter"):
        HoeffdingTreeClassifier(grace_period=0).learn_many(X, [1, 0, 1])
    with pytest.raises(ParameterError, match="'delta' parameter"):
        HoeffdingTreeClassifier(delta=2.0).learn_many(X, [1, 0, 1])
    model = HoeffdingTreeClassifier()
    model.learn_many(X, [1, 0, 1])
    with pytest.raises(SchemaError, match="needs labels"):
        batch = Batch.from_array(X)
        model.process_many(batch, batch, np.ones(3, dtype=bool))
    assert HoeffdingTreeClassifier().predict_proba_many(X).shape == (3, 0)
