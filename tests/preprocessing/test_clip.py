import numpy as np
import pytest
from river import stats

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from streamlearn.preprocessing import Clipper

from ._props import check_stream_contract, mixed_stream


def test_fixed_bounds():
    clipper = Clipper(low=-1.0, high=2.0)
    X = Batch.from_array([[-3.0, 0.5], [np.nan, 9.0], [-np.inf, np.inf]])
    np.testing.assert_array_equal(clipper.transform_many(X).X,
                                  [[-1.0, 0.5], [np.nan, 2.0], [-1.0, 2.0]])


def test_quantile_bounds_follow_river_quantiles():
    rng = np.random.default_rng(10)
    values = rng.standard_t(2, 500)
    clipper = Clipper(low_quantile=0.05, high_quantile=0.95)
    low, high = stats.Quantile(0.05), stats.Quantile(0.95)
    batch = Batch.from_array(values.reshape(-1, 1))
    out_pred, out_learn = clipper.process_many(batch, batch, all_rows(len(values)))
    for i, x in enumerate(values):
        expected_pred = x if i == 0 else min(max(x, low.get()), high.get())
        low.update(x)
        high.update(x)
        assert out_pred.X[i, 0] == expected_pred
        assert out_learn.X[i, 0] == min(max(x, low.get()), high.get())
    assert clipper.low_heights_[0, 2] == low.get() and clipper.high_heights_[0, 2] == high.get()


def test_before_five_values_the_bound_is_an_order_statistic():
    clipper = Clipper(high_quantile=0.5).learn_many(np.array([[4.0], [1.0], [3.0]]))
    assert clipper.transform_one({"x0": 10.0}) == {"x0": 3.0}


def test_infinity_is_not_learnt():
    clipper = Clipper(high_quantile=0.9).learn_many(np.array([[1.0], [np.inf], [2.0]]))
    assert clipper.count_.tolist() == [2.0]
    assert clipper.transform_one({"x0": 5.0}) == {"x0": 2.0}


@pytest.mark.parametrize("params", [
    {}, {"low_quantile": 0.0}, {"high_quantile": 1.0}, {"low": 1.0, "low_quantile": 0.1},
    {"low": 2.0, "high": 1.0}, {"low_quantile": 0.9, "high_quantile": 0.1}, {"high": "x"}])
def test_invalid_parameters(params):
    with pytest.raises(ParameterError, match="parameter of Clipper must be"):
        Clipper(**params).learn_one({"a": 1.0})


@pytest.mark.parametrize("params", [
    {"low_quantile": 0.1, "high_quantile": 0.9}, {"high_quantile": 0.75, "low": 0.0},
    {"low": -1.0, "high": 1.0}])
def test_stream_contract(params):
    check_stream_contract(lambda: Clipper(**params), mixed_stream(seed=11))
