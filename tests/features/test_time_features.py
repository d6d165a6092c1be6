"""TimeFeatures agrees with the standard library's datetime."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.features import TimeFeatures
from streamlearn.features.time_features import FEATURES


def expected(stamp: float, offset_hours: float) -> list[float]:
    moment = dt.datetime.fromtimestamp(stamp, tz=dt.timezone(dt.timedelta(hours=offset_hours)))
    of_day = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    angle_day, angle_week = 2 * math.pi * of_day / 86400, 2 * math.pi * moment.weekday() / 7
    return [moment.hour, moment.weekday(), moment.day, math.sin(angle_day),
            math.cos(angle_day), math.sin(angle_week), math.cos(angle_week)]


@pytest.mark.parametrize("offset", [0.0, 5.5, -8.0])
def test_matches_datetime_on_random_times(offset):
    rng = np.random.default_rng(4)
    # from 1901 to 2099, including times before the epoch and at midnight exactly
    times = np.concatenate([rng.uniform(-2.2e9, 4.1e9, size=2000), [0.0, 951782400.0]])
    batch = Batch(X=np.zeros((len(times), 0)), columns=(), times=times)
    out = TimeFeatures(utc_offset_hours=offset).transform_many(batch)
    assert out.columns == FEATURES
    want = np.array([expected(t, offset) for t in times])
    assert np.array_equal(out.X[:, :3], want[:, :3])  # hour, weekday and day exactly
    assert np.allclose(out.X[:, 3:], want[:, 3:], atol=1e-9)


def test_time_from_a_column_and_missing_times():
    features = TimeFeatures(features=["day_of_month", "hour"], time="t")
    batch = Batch(X=np.array([[951868800.0, 1.0], [np.nan, 2.0]]), columns=("t", "v"))
    out = features.transform_many(batch)  # 2000-03-01 00:00 UTC, after a 29 February
    assert out.columns == ("t", "v", "day_of_month", "hour")
    assert out.X[0, 2:].tolist() == [1.0, 0.0]
    assert np.isnan(out.X[1, 2:]).all()
    assert TimeFeatures().transform_one({"v": 1.0})["v"] == 1.0  # no time: no feature


@pytest.mark.parametrize("params", [{"features": ["minute"]}, {"features": []},
                                    {"utc_offset_hours": 30}, {"time": 3}])
def test_parameters_are_validated(params):
    with pytest.raises(ParameterError, match="parameter of TimeFeatures must be"):
        TimeFeatures(**params).transform_one({"t": 0.0})
