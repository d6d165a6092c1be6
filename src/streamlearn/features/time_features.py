"""Calendar features of the event time: hour, weekday, day of month, cyclic encodings."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import Transformer
from streamlearn.core.params import check_number

FEATURES = ("hour", "weekday", "day_of_month", "hour_sin", "hour_cos", "weekday_sin",
            "weekday_cos")
_DAY = 86400.0


class TimeFeatures(Transformer):
    """Add calendar features of each event's time as numeric columns.

    The time is ``Batch.times`` (epoch seconds, filled from the schema's ``time`` field), or
    the numeric column named by ``time``; ``utc_offset_hours`` shifts it to local time.
    ``hour`` is the hour of the day (0-23), ``weekday`` the day of the week (Monday = 0, as
    :meth:`datetime.date.weekday`), ``day_of_month`` 1-31. The cyclic encodings put the time of
    day (with its minutes and seconds) and the weekday on a circle, so that 23:59 is close to
    00:00 and Sunday to Monday: ``hour_sin = sin(2π · seconds of the day / 86400)``,
    ``weekday_sin = sin(2π · weekday / 7)``, and likewise with cosines. ``features`` picks
    which to add, in that order. An event without a time gets NaN (absent) features. The
    transformer keeps no state: learning is a no-op.

    >>> features = TimeFeatures(features=["hour", "weekday", "day_of_month"], time="t")
    >>> features.transform_one({"t": 1700000000.0})  # 2023-11-14 22:13:20 UTC, a Tuesday
    {'t': 1700000000.0, 'hour': 22.0, 'weekday': 1.0, 'day_of_month': 14.0}
    """

    def __init__(self, features: tuple[str, ...] | list[str] = FEATURES,
                 time: str | None = None, utc_offset_hours: float = 0.0):
        self.features = features
        self.time = time
        self.utc_offset_hours = utc_offset_hours

    @classmethod
    def _check_instances(cls) -> list[TimeFeatures]:
        # per-event dicts carry no Batch.times: the conformance suite reads a column instead
        return [cls(time="x0"), cls(features=["weekday_cos", "hour"], time="x2",
                                    utc_offset_hours=5.5)]

    def _validate(self) -> tuple[str, ...]:
        features = self.features
        if not isinstance(features, list | tuple) or not features or not all(
                f in FEATURES for f in features):
            raise ParameterError(
                f"The 'features' parameter of TimeFeatures must be a non-empty list among "
                f"{', '.join(map(repr, FEATURES))}. Got {features!r} instead.")
        if self.time is not None and not isinstance(self.time, str):
            raise ParameterError("The 'time' parameter of TimeFeatures must be None or a "
                                 f"column name. Got {self.time!r} instead.")
        check_number(self, "utc_offset_hours", self.utc_offset_hours, low=-24.0, high=24.0)
        return tuple(features)

    def _times(self, batch: Batch) -> np.ndarray:
        if self.time is None:
            return (np.full(len(batch), np.nan) if batch.times is None
                    else np.asarray(batch.times, dtype=np.float64))
        if self.time in batch.categorical:
            raise SchemaError(f"the time column {self.time!r} of TimeFeatures holds strings; "
                              "send epoch seconds", column=self.time)
        if self.time not in batch.columns:
            return np.full(len(batch), np.nan)
        return batch.X[:, batch.columns.index(self.time)]

    def calendar(self, times: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
        """The features of epoch-second ``times``, one column per feature (NaN rows where the
        time is missing or not finite)."""
        out = np.full((len(times), len(features)), np.nan)
        valid = np.isfinite(times)
        seconds = times[valid] + 3600.0 * self.utc_offset_hours
        days = np.floor(seconds / _DAY)
        of_day = seconds - days * _DAY
        weekday = np.mod(days + 3.0, 7.0)  # 1970-01-01 was a Thursday
        columns: dict[str, Any] = {
            "hour": lambda: np.floor(of_day / 3600.0),
            "weekday": lambda: weekday,
            "day_of_month": lambda: _day_of_month(days),
            "hour_sin": lambda: np.sin(2.0 * np.pi * of_day / _DAY),
            "hour_cos": lambda: np.cos(2.0 * np.pi * of_day / _DAY),
            "weekday_sin": lambda: np.sin(2.0 * np.pi * weekday / 7.0),
            "weekday_cos": lambda: np.cos(2.0 * np.pi * weekday / 7.0),
        }
        for j, name in enumerate(features):
            out[valid, j] = columns[name]()
        return out

    def _transform(self, batch: Batch, features: tuple[str, ...]) -> Batch:
        added = self.calendar(self._times(batch), features)
        X = np.concatenate([batch.X, added], axis=1)
        return batch.with_features(X, (*batch.columns, *features), batch.categorical)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        features = self._validate()
        out_pred = self._transform(X_pred, features)
        return out_pred, out_pred if X_learn is X_pred else self._transform(X_learn, features)


def _day_of_month(days: np.ndarray) -> np.ndarray:
    dates = days.astype(np.int64).astype("datetime64[D]")
    return (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1.0
