"""The `Dataset` container: validation, iteration, head, pandas and CSV export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from streamlearn.core.errors import ParameterError
from streamlearn.datasets import Dataset


def make(y=None) -> Dataset:
    X = np.arange(12, dtype=np.int32).reshape(4, 3) / 4
    return Dataset(
        name="toy",
        X=X,
        y=np.array([True, False, True, True]) if y is None else y,
        feature_names=("a", "b", "c"),
        task="binary",
    )


def test_x_is_float64_and_c_contiguous():
    data = Dataset("t", np.asfortranarray(np.ones((3, 2), dtype=np.float32)), np.zeros(3),
                   ("a", "b"), "regression")
    assert data.X.dtype == np.float64
    assert data.X.flags.c_contiguous
    assert len(data) == 3 and data.n_features == 2


def test_iteration_gives_python_floats_and_plain_labels():
    events = list(make())
    assert events[1] == ({"a": 0.75, "b": 1.0, "c": 1.25}, False)
    x, y = events[0]
    assert all(type(v) is float for v in x.values())
    assert type(y) is bool
    _, label = next(iter(make(y=np.array(["u", "v", "w", "z"]))))
    assert type(label) is str and label == "u"
    _, label = next(iter(make(y=np.array([3, 1, 2, 0]))))
    assert type(label) is int and label == 3


def test_head_keeps_the_first_rows():
    head = make().head(2)
    assert len(head) == 2
    np.testing.assert_array_equal(head.X, make().X[:2])
    assert head.y.tolist() == [True, False]
    assert head.feature_names == ("a", "b", "c")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": np.ones(4)}, "2-dimensional"),
        ({"y": np.ones(3)}, "one label per row"),
        ({"feature_names": ("a", "b")}, "2 feature names for 3 columns"),
        ({"task": "ranking"}, "task must be one of"),
    ],
)
def test_invalid_arguments_say_what_is_wrong(kwargs, message):
    arguments = {
        "name": "bad", "X": np.ones((4, 3)), "y": np.ones(4), "feature_names": ("a", "b", "c"),
        "task": "regression",
    } | kwargs
    with pytest.raises(ParameterError, match=message):
        Dataset(**arguments)


def test_to_frame_puts_the_target_last():
    frame = make().to_frame(target="label")
    assert list(frame.columns) == ["a", "b", "c", "label"]
    assert frame["label"].tolist() == [True, False, True, True]
    assert frame["c"].tolist() == [0.5, 1.25, 2.0, 2.75]


def test_to_frame_refuses_a_target_named_like_a_feature():
    with pytest.raises(ParameterError, match="clashes with a feature name"):
        make().to_frame(target="a")


def test_to_csv_round_trips_with_pandas(tmp_path):
    rng = np.random.default_rng(0)
    data = Dataset("r", rng.standard_normal((500, 4)), rng.integers(0, 3, 500),
                   ("w", "x", "y0", "z"), "multiclass")
    path = tmp_path / "events.csv"
    data.to_csv(path)
    with open(path) as file:
        assert file.readline().strip() == "w,x,y0,z,y"
    frame = pd.read_csv(path)
    np.testing.assert_array_equal(frame[["w", "x", "y0", "z"]].to_numpy(), data.X)
    np.testing.assert_array_equal(frame["y"].to_numpy(), data.y)
