"""Stream-contract checks (DESIGN.md §3) shared by the preprocessing tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from streamlearn.core.base import Estimator, states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.learners import all_rows


def rows_of(batch: Batch) -> list[dict[str, Any]]:
    """Each event as a dict: NaN / None mean absent; hashed entries keyed by bucket."""
    return batch.to_dicts()


def run(estimator: Estimator, batch: Batch, size: int, learn: bool = True):
    """Process ``batch`` in chunks of ``size``; returns (pred rows, learn rows)."""
    pred_rows, learn_rows = [], []
    for start in range(0, len(batch), size):
        chunk = batch.take(slice(start, start + size))
        out_pred, out_learn = estimator.process_many(chunk, chunk, all_rows(len(chunk), learn))
        if out_pred.columns != out_learn.columns or set(out_pred.categorical) != set(
                out_learn.categorical):
            raise AssertionError("the two output streams have different columns")
        pred_rows += rows_of(out_pred)
        learn_rows += rows_of(out_learn)
    return pred_rows, learn_rows


def close(a: Any, b: Any, tol: float = 1e-9) -> bool:
    """Like ``states_equal`` but floats may differ by ``tol`` (relative to their size)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind == "f":
            return bool(np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (a != a and b != b) or abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    return bool(a == b)


def check_batch_size_invariance(make: Callable[[], Estimator], batch: Batch) -> None:
    reference = make()
    expected = run(reference, batch, len(batch))
    for size in (1, 7, 1000):
        estimator = make()
        got = run(estimator, batch, size)
        if got != expected:
            raise AssertionError(f"outputs differ with batches of {size}")
        if not states_equal(estimator.snapshot(), reference.snapshot()):
            raise AssertionError(f"final state differs with batches of {size}")


def check_one_many_agree(make: Callable[[], Estimator], batch: Batch) -> None:
    one, many = make(), make()
    batch = replace(batch, keys=None)  # a dict event carries no entity key
    dicts = batch.to_dicts()
    answers = []
    for x in dicts:
        answers.append(one.transform_one(x))
        one.learn_one(x)
    many.learn_many(batch)
    if not close(one.snapshot(), many.snapshot()):
        raise AssertionError("learn_one and learn_many leave different states")
    expected = rows_of(many.transform_many(batch))
    got = [one.transform_one(x) for x in dicts]
    if not close(got, expected):
        raise AssertionError("transform_one and transform_many disagree")
    if not answers:
        raise AssertionError("empty stream")


def check_prediction_is_pure(make: Callable[[], Estimator], batch: Batch) -> None:
    half = len(batch) // 2
    estimator = make()
    estimator.process_many(batch.take(slice(0, half)), batch.take(slice(0, half)),
                           all_rows(half))
    before = estimator.snapshot()
    rest = batch.take(slice(half, None))
    estimator.process_many(rest, rest, all_rows(len(rest), False))
    if not states_equal(before, estimator.snapshot()):
        raise AssertionError("prediction changed the state")


def check_snapshot_restore(make: Callable[[], Estimator], batch: Batch) -> None:
    half = len(batch) // 2
    original = make()
    run(original, batch.take(slice(0, half)), 5)
    copy = original.clone().restore(original.snapshot())
    rest = batch.take(slice(half, None))
    if run(original, rest, 3) != run(copy, rest, 3):
        raise AssertionError("the restored copy answers differently")
    if not states_equal(original.snapshot(), copy.snapshot()):
        raise AssertionError("the restored copy learns differently")


def check_clone(make: Callable[[], Estimator], batch: Batch) -> None:
    estimator = make()
    estimator.learn_many(batch)
    twin = estimator.clone()
    if type(twin) is not type(estimator) or not states_equal(
            twin.get_params(), estimator.get_params()):
        raise AssertionError("clone changed the parameters")
    if twin.is_fitted:
        raise AssertionError("clone is fitted")
    if run(twin, batch, 4) != run(make(), batch, 4):
        raise AssertionError("the clone learns differently from a fresh estimator")


def check_stream_contract(make: Callable[[], Estimator], batch: Batch) -> None:
    """All the checks above on one stream (it should hold mid-stream features and gaps)."""
    check_batch_size_invariance(make, batch)
    check_one_many_agree(make, batch)
    check_prediction_is_pure(make, batch)
    check_snapshot_restore(make, batch)
    check_clone(make, batch)


def mixed_stream(n: int = 120, seed: int = 0) -> Batch:
    """Numeric and categorical features, some appearing mid-stream, with gaps and keys."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        x: dict[str, Any] = {"a": float(np.round(rng.normal(2.0, 3.0), 3))}
        if i >= 30 and rng.random() < 0.7:
            x["b"] = float(rng.integers(-5, 20))
        if rng.random() < 0.85:
            palette = ["red", "green"] if i < 40 else ["red", "green", "blue", "violet"]
            x["colour"] = str(rng.choice(palette))
        if i >= 60:
            x["city"] = str(rng.choice(["Oslo", "Lima", "Pune"]))
        rows.append(x)
    batch = Batch.from_dicts(rows)
    keys = np.array([f"k{k}" for k in rng.integers(0, 4, n)], dtype=object)
    return Batch(X=batch.X, columns=batch.columns, categorical=batch.categorical, keys=keys)
