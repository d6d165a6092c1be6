"""WindowedAggregates equals a plain recomputation over the window, whatever the batch size."""

from __future__ import annotations

import math

import numpy as np
import pytest

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from streamlearn.core.serialize import dumps, loads
from streamlearn.features import WindowedAggregates

HOW = ("count", "sum", "mean", "std", "min", "max")


def keyed_stream(n: int, seed: int = 3, int_keys: bool = False) -> Batch:
    """Cards (some missing unless ``int_keys``), nondecreasing times with ties, amounts with
    gaps, merchants."""
    rng = np.random.default_rng(seed)
    cards = rng.integers(0, 40, size=n)
    if int_keys:  # integers take the compiled hash table
        keys = cards.astype(object)
    else:
        keys = np.array([f"card{k}" for k in cards], dtype=object)
        keys[rng.random(n) < 0.03] = None
    times = np.cumsum(np.floor(rng.exponential(20.0, size=n)))  # ties where the gap is 0
    X = np.column_stack([np.round(rng.lognormal(3.0, 1.0, size=n), 2), rng.normal(size=n)])
    X[rng.random((n, 2)) < 0.1] = np.nan
    X[17, 0] = np.inf  # never counted
    merchants = np.array([f"m{k}" for k in rng.integers(0, 12, size=n)], dtype=object)
    merchants[rng.random(n) < 0.1] = None
    return Batch(X=X, columns=("amount", "score"), categorical={"merchant": merchants},
                 times=times, keys=keys, ids=np.arange(n))


def brute_force(stream: Batch, learn: np.ndarray, windows: list[float], tumbling: bool,
                include_self: bool) -> np.ndarray:
    """The expected columns, recomputed from scratch for every event in plain Python."""
    n, rows = len(stream), []
    for i in range(n):
        key, now = stream.keys[i], stream.times[i]
        past = [j for j in range(i + (1 if include_self else 0))
                if learn[j] and key is not None and stream.keys[j] == key]
        row = []
        for width in windows:
            lower = math.floor(now / width) * width if tumbling else now - width
            inside = [j for j in past
                      if (stream.times[j] >= lower if tumbling else stream.times[j] > lower)]
            row.append(inside)
        out = []
        for c in range(2):
            for how in HOW:
                for inside in row:
                    values = [stream.X[j, c] for j in inside if math.isfinite(stream.X[j, c])]
                    out.append(_aggregate(how, values))
        for inside in row:
            out.append(float(len({stream.categorical["merchant"][j] for j in inside}
                                 - {None})))
        rows.append(out)
    return np.array(rows)


def _aggregate(how: str, values: list[float]) -> float:
    if how == "count":
        return float(len(values))
    total = 0.0
    for v in values:
        total += v
    if how == "sum":
        return total
    if not values:
        return math.nan
    mean = total / len(values)
    if how == "mean":
        return mean
    if how == "std":
        squares = 0.0
        for v in values:
            squares += (v - mean) * (v - mean)
        return math.sqrt(squares / len(values))
    return min(values) if how == "min" else max(values)


def run(model: WindowedAggregates, stream: Batch, learn: np.ndarray, size: int):
    preds, learnt = [], []
    for start in range(0, len(stream), size):
        part = stream.take(slice(start, start + size))
        p, q = model.process_many(part, part, learn[start:start + size])
        preds.append(p.X[:, 2:])
        learnt.append(q.X[:, 2:])
    return np.concatenate(preds), np.concatenate(learnt)


@pytest.mark.parametrize(("kind", "int_keys"), [("sliding", False), ("tumbling", False),
                                               ("sliding", True)])
def test_equals_brute_force_for_every_batch_size(kind, int_keys):
    stream = keyed_stream(1500, int_keys=int_keys)
    learn = np.random.default_rng(1).random(len(stream)) < 0.85  # some events only answered
    windows = [300.0, 3600.0]
    expected_pred = brute_force(stream, learn, windows, kind == "tumbling", False)
    expected_learn = brute_force(stream, learn, windows, kind == "tumbling", True)
    snapshots = []
    for size in (1, 7, 1000):
        model = WindowedAggregates(on=["amount", "score"], how=HOW, windows=[300, "1h"],
                                   kind=kind, distinct="merchant")
        pred, learnt = run(model, stream, learn, size)
        assert np.array_equal(pred, expected_pred, equal_nan=True)
        assert np.array_equal(learnt[learn], expected_learn[learn], equal_nan=True)
        snapshots.append(model.snapshot())
    from streamlearn.core.base import states_equal
    assert states_equal(snapshots[0], snapshots[2]) and states_equal(snapshots[1], snapshots[2])


def test_column_names_and_a_worked_example():
    model = WindowedAggregates(on="amount", how=["sum", "max"], windows=["1h", 86400])
    batch = Batch(X=np.array([[10.0], [5.0], [7.0]]), columns=("amount",),
                  times=np.array([0.0, 1800.0, 5000.0]), keys=np.array(["a", "a", "a"], object))
    out = model.learn_many(batch).transform_many(batch)  # answered at the watermark, 5000
    assert out.columns == ("amount", "amount_sum_1h", "amount_sum_1d", "amount_max_1h",
                           "amount_max_1d")
    assert out.X[0].tolist() == [10.0, 12.0, 22.0, 7.0, 10.0]


def test_keys_from_a_column_equal_batch_keys():
    stream = keyed_stream(400)
    cards = np.array([k if k is None else int(k[4:]) for k in stream.keys], dtype=object)
    by_column = Batch(X=stream.X, columns=stream.columns,
                      categorical={**stream.categorical, "card": cards}, times=stream.times)
    a = WindowedAggregates(on="amount", windows=[600]).learn_many(stream)
    b = WindowedAggregates(on="amount", windows=[600], by="card").learn_many(by_column)
    probe = stream.take(slice(0, 50))
    probe_column = by_column.take(slice(0, 50))
    assert np.array_equal(a.transform_many(probe).X,
                          b.transform_many(probe_column).X, equal_nan=True)


def test_late_and_timeless_events_happen_at_the_watermark():
    model = WindowedAggregates(on="amount", how=["count"], windows=[100])
    batch = Batch(X=np.array([[1.0], [1.0], [1.0], [1.0]]), columns=("amount",),
                  times=np.array([0.0, 150.0, 20.0, np.nan]))
    _, learnt = model.process_many(batch, batch, all_rows(4))
    # the late event (20) and the timeless one count at 150, where the first has expired
    assert learnt.X[:, 1].tolist() == [1.0, 1.0, 2.0, 3.0]
    assert model.watermark_ == 150.0


def test_memory_holds_only_the_longest_window():
    n = 20_000
    rng = np.random.default_rng(0)
    batch = Batch(X=rng.normal(size=(n, 1)), columns=("v",), times=np.arange(n, dtype=float),
                  keys=rng.integers(0, 5000, size=n))
    model = WindowedAggregates(on="v", how=["sum"], windows=[30, 100]).learn_many(batch)
    assert model.ring_size_ == 100  # events with time in (n - 1 - 100, n - 1]
    assert len(model.ring_) == 128
    assert len(model.keys_) == len(np.unique(batch.keys))  # one small entry per key seen
    # each of those events sits in its key's block; keys without one hold no rows
    sizes, capacities = model.blocks_[:, 3], model.blocks_[:, 1]
    assert sizes.sum() == 100
    assert (capacities > 0).sum() == len(np.unique(batch.keys[-100:]))
    assert len(model.events_) <= 8 * 100


def test_a_burst_of_one_key_equals_brute_force_and_its_memory_is_given_back():
    stream = keyed_stream(1000, seed=5)
    stream.keys[100:400] = "card7"  # 300 events of one key within three minutes
    times = stream.times.copy()
    times[100:400] = times[100] + 0.5 * np.arange(300)
    times[400:] += times[399] - times[400] + 5000.0  # then the burst leaves every window
    stream = Batch(X=stream.X, columns=stream.columns, categorical=stream.categorical,
                   times=times, keys=stream.keys, ids=stream.ids)
    learn = np.ones(len(stream), dtype=bool)
    expected_pred = brute_force(stream, learn, [300.0, 3600.0], False, False)
    expected_learn = brute_force(stream, learn, [300.0, 3600.0], False, True)
    for size in (1, 13, 1000):
        model = WindowedAggregates(on=["amount", "score"], how=HOW, windows=[300, "1h"],
                                   distinct="merchant")
        pred, learnt = run(model, stream, learn, size)
        assert np.array_equal(pred, expected_pred, equal_nan=True)
        assert np.array_equal(learnt, expected_learn, equal_nan=True)
    model = WindowedAggregates(on="amount", windows=["1h"]).learn_many(stream.take(slice(400)))
    burst = model.blocks_[model.keys_.index("card7")]
    assert times[399] - times[0] < 3600.0  # every event so far is in the window
    # (size, capacity): the block grew by doubling
    assert burst[3] == np.count_nonzero(stream.keys[:400] == "card7") and burst[1] == 512
    model.learn_many(stream.take(slice(400, 1000)))
    burst = model.blocks_[model.keys_.index("card7")]
    in_window = (stream.keys == "card7") & (times > times[-1] - 3600.0)
    assert burst[3] == np.count_nonzero(in_window)  # only its events in the window are kept
    assert burst[1] <= 16  # the burst's rows were given back


def test_snapshot_round_trip_through_disk_continues_identically():
    stream = keyed_stream(600)
    first, rest = stream.take(slice(0, 250)), stream.take(slice(250, 600))
    model = WindowedAggregates(on=["amount"], windows=[500], distinct=["merchant"])
    model.learn_many(first)
    copy = WindowedAggregates(on=["amount"], windows=[500], distinct=["merchant"])
    copy.restore(loads(dumps(model.snapshot())))
    a = model.process_many(rest, rest, all_rows(len(rest)))[1].X
    b = copy.process_many(rest, rest, all_rows(len(rest)))[1].X
    assert np.array_equal(a, b, equal_nan=True)


def test_a_snapshot_of_the_older_layout_is_refused_clearly():
    model = WindowedAggregates(on="amount", windows=[500]).learn_many(keyed_stream(50))
    old = model.snapshot()
    old["state"]["tails_"] = np.zeros(64, np.int64)
    with pytest.raises(ValueError, match="older version"):
        WindowedAggregates(on="amount", windows=[500]).restore(old)


def test_prediction_registers_no_key():
    stream = keyed_stream(100)
    model = WindowedAggregates(on="amount", windows=[60])
    out = model.transform_many(stream)
    assert not model.is_fitted
    assert np.array_equal(out.X[:, 2], np.zeros(100))  # count: nothing learnt yet


@pytest.mark.parametrize(("params", "message"), [
    ({"on": "a", "windows": [0]}, "The 'windows' parameter of WindowedAggregates must be"),
    ({"on": "a", "windows": ["1y"]}, "'1y'"),
    ({"on": "a", "how": ["median"]}, "The 'how' parameter of WindowedAggregates must be"),
    ({"on": "a", "kind": "hopping"}, "The 'kind' parameter of WindowedAggregates must be one"),
    ({}, "The 'on' parameter of WindowedAggregates must be given"),
])
def test_parameters_are_validated(params, message):
    batch = Batch(X=np.ones((2, 1)), columns=("a",), times=np.zeros(2))
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        WindowedAggregates(**params).learn_many(batch)


def test_a_categorical_column_cannot_be_summed():
    batch = Batch(X=np.zeros((1, 0)), columns=(), categorical={"shop": np.array(["a"], object)})
    with pytest.raises(SchemaError, match="distinct="):
        WindowedAggregates(on="shop").learn_many(batch)
