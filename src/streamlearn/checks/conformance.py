"""The conformance suite: the contract of DESIGN.md §3, checked on any estimator.

``check_estimator(estimator)`` runs every check and raises ``AssertionError`` naming the
first broken promise. Users can run it on their own estimators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from streamlearn.checks.streams import stream_for
from streamlearn.core.base import Estimator, states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.learners import all_rows

BATCH_SIZES = (1, 7, 1000)


def _run(estimator: Estimator, stream: Batch, batch_size: int, learn: bool = True) -> Any:
    """Prequential pass in batches; returns the outputs gathered over the stream."""
    outputs = []
    for start in range(0, len(stream), batch_size):
        part = stream.take(slice(start, start + batch_size))
        outputs.append(estimator.process_many(part, part, all_rows(len(part), learn)))
    return _gather(estimator, outputs)


def _gather(estimator: Estimator, outputs: list[Any]) -> Any:
    if estimator.tags["transformer"]:
        return (Batch.concat([p for p, _ in outputs]), Batch.concat([q for _, q in outputs]))
    if estimator.tags["classifier"]:
        width = max(o.shape[1] for o in outputs)
        return np.concatenate([np.pad(o, ((0, 0), (0, width - o.shape[1]))) for o in outputs])
    return np.concatenate(outputs)


def _same_outputs(a: Any, b: Any, tolerance: float = 0.0) -> bool:
    if isinstance(a, tuple):
        return all(_same_outputs(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, Batch):
        if a.columns != b.columns or a.categorical.keys() != b.categorical.keys():
            return False
        cats = all(np.array_equal(a.categorical[k], b.categorical[k]) for k in a.categorical)
        return cats and _same_outputs(a.X, b.X, tolerance)
    if a.shape != b.shape:
        return False
    if tolerance == 0.0:
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.allclose(a, b, rtol=0.0, atol=tolerance, equal_nan=True))


def check_batch_size_invariance(estimator: Estimator) -> None:
    """The same stream in batches of 1, 7 and 1000 gives identical outputs and state."""
    stream = stream_for(estimator)
    if estimator.tags["mini_batch"]:
        first, second = estimator.clone(), estimator.clone()
        assert _same_outputs(_run(first, stream, 64), _run(second, stream, 64)), (
            f"{estimator!r} is not deterministic")
        return
    results = {}
    for size in BATCH_SIZES:
        model = estimator.clone()
        results[size] = (_run(model, stream, size), model.snapshot())
    reference_out, reference_state = results[BATCH_SIZES[-1]]
    for size in BATCH_SIZES[:-1]:
        out, state = results[size]
        assert _same_outputs(out, reference_out), (
            f"{estimator!r}: outputs with batches of {size} differ from batches of "
            f"{BATCH_SIZES[-1]}")
        assert states_equal(state, reference_state), (
            f"{estimator!r}: final state with batches of {size} differs from batches of "
            f"{BATCH_SIZES[-1]}")


def check_one_and_many_agree(estimator: Estimator) -> None:
    """The per-event face gives the batch face's answers (to 1e-9)."""
    stream = stream_for(estimator)
    model = estimator.clone()
    model.process_many(stream, stream, all_rows(len(stream)))
    probe = stream.take(slice(0, 25))
    rows = probe.to_dicts()
    tags = model.tags
    if tags["transformer"]:
        many = model.transform_many(probe)
        for i, x in enumerate(rows):
            assert _close_dicts(model.transform_one(x), many.row(i)), (
                f"{estimator!r}: transform_one differs from transform_many at row {i}")
    elif tags["classifier"]:
        many = model.predict_proba_many(probe)
        for i, x in enumerate(rows):
            one = model.predict_proba_one(x)
            assert np.allclose(list(one.values()), many[i], atol=1e-9), (
                f"{estimator!r}: predict_proba_one differs from predict_proba_many at row {i}")
    else:
        many = model.predict_many(probe)
        for i, x in enumerate(rows):
            assert abs(model.predict_one(x) - many[i]) <= 1e-9, (
                f"{estimator!r}: predict_one differs from predict_many at row {i}")


def _close_dicts(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if isinstance(value, float) and isinstance(other, float):
            if abs(value - other) > 1e-9:
                return False
        elif value != other:
            return False
    return True


def check_prediction_leaves_state(estimator: Estimator) -> None:
    """Answering without learning changes nothing, even for unseen features."""
    stream = stream_for(estimator)
    model = estimator.clone()
    half = stream.take(slice(0, len(stream) // 2))     # x3 not seen yet
    model.process_many(half, half, all_rows(len(half)))
    before = model.snapshot()
    rest = stream.take(slice(len(stream) // 2, len(stream)))
    model.process_many(rest, rest, all_rows(len(rest), False))
    assert states_equal(before, model.snapshot()), f"{estimator!r}: prediction changed state"


def check_snapshot_restore(estimator: Estimator) -> None:
    """A restored snapshot continues exactly like the original."""
    stream = stream_for(estimator)
    first, rest = stream.take(slice(0, 300)), stream.take(slice(300, len(stream)))
    original = estimator.clone()
    original.process_many(first, first, all_rows(len(first)))
    restored = estimator.clone().restore(original.snapshot())
    assert _same_outputs(_run(original, rest, 50), _run(restored, rest, 50)), (
        f"{estimator!r}: a restored snapshot does not continue like the original")


def check_snapshot_serialises(estimator: Estimator) -> None:
    """A snapshot survives the safe on-disk format (JSON + arrays, no pickle) unchanged."""
    from streamlearn.core.serialize import dumps, loads

    stream = stream_for(estimator)
    first, rest = stream.take(slice(0, 300)), stream.take(slice(300, len(stream)))
    original = estimator.clone()
    original.process_many(first, first, all_rows(len(first)))
    snapshot = original.snapshot()
    stored = loads(dumps(snapshot))
    assert states_equal(snapshot, stored), f"{estimator!r}: snapshot changed on disk"
    restored = estimator.clone().restore(stored)
    assert _same_outputs(_run(original, rest, 50), _run(restored, rest, 50)), (
        f"{estimator!r}: a snapshot read back from disk does not continue like the original")


def check_clone(estimator: Estimator) -> None:
    """``clone()`` is unfitted and keeps the parameters."""
    stream = stream_for(estimator)
    model = estimator.clone()
    model.process_many(stream, stream, all_rows(len(stream)))
    copy = model.clone()
    assert repr(copy) == repr(estimator), f"{estimator!r}: clone changed the parameters"
    assert not copy.is_fitted, f"{estimator!r}: clone kept learned state"


def check_finite_outputs(estimator: Estimator) -> None:
    """Missing values and late features never produce NaN answers or NaN state."""
    stream = stream_for(estimator)
    model = estimator.clone()
    out = _run(model, stream, 100)
    if not model.tags["transformer"]:
        assert np.isfinite(out).all(), f"{estimator!r}: non-finite answers"
        if model.tags["classifier"]:
            # row 0 is answered before any label was learnt: a model may know no class yet
            assert np.allclose(out[1:].sum(axis=1), 1.0), (
                f"{estimator!r}: probabilities do not sum to 1")
    for name, value in _arrays(model.snapshot()):
        assert not np.isnan(value).any(), f"{estimator!r}: NaN in learned state {name!r}"


def _arrays(snapshot: dict, prefix: str = "") -> list[tuple[str, np.ndarray]]:
    found = []
    for name, value in snapshot.get("state", {}).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            found.append((prefix + name, value))
    for name, nested in snapshot.get("nested", {}).items():
        found.extend(_arrays(nested, f"{prefix}{name}."))
    return found


ALL_CHECKS: tuple[Callable[[Estimator], None], ...] = (
    check_batch_size_invariance,
    check_one_and_many_agree,
    check_prediction_leaves_state,
    check_snapshot_restore,
    check_snapshot_serialises,
    check_clone,
    check_finite_outputs,
)


def check_estimator(estimator: Estimator) -> None:
    """Run every conformance check on ``estimator``."""
    for check in ALL_CHECKS:
        check(estimator)
