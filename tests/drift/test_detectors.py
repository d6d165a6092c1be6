"""Drift detectors: exact batch updates, River's decisions, detection delay and false alarms."""

from __future__ import annotations

import numpy as np
import pytest
from river import drift as river_drift

from streamlearn.core.base import states_equal
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.serialize import dumps, loads
from streamlearn.drift import ADWIN, DDM, EDDM, HDDM_A, KSWIN, PageHinkley


def errors_stream(seed: int, n: int = 20_000, rates=(0.2, 0.5), change: int | None = 10_000):
    """0/1 errors of a classifier whose error rate jumps at ``change``."""
    rng = np.random.default_rng(seed)
    rate = np.full(n, rates[0])
    if change is not None:
        rate[change:] = rates[1]
    return (rng.random(n) < rate).astype(np.float64)


def normal_stream(seed: int, n: int = 20_000, shift: float = 1.0, change: int | None = 10_000):
    rng = np.random.default_rng(seed)
    mean = np.zeros(n)
    if change is not None:
        mean[change:] = shift
    return rng.normal(mean, 1.0)


def river_detections(detector, values: np.ndarray) -> list[int]:
    found = []
    for i, x in enumerate(values.tolist()):
        detector.update(x)
        if detector.drift_detected:
            found.append(i)
    return found


def first_after(detections, change: int) -> int | None:
    later = [int(d) for d in detections if d >= change]
    return later[0] - change if later else None


BINARY = [DDM(), EDDM(), HDDM_A(), HDDM_A(two_sided_test=True, warning_confidence=0.01)]
REAL = [ADWIN(), ADWIN(clock=1, max_buckets=2, min_window_length=1, grace_period=0),
        ADWIN(delta=0.1, clock=300), PageHinkley(), PageHinkley(mode="up", alpha=1.0),
        PageHinkley(mode="down", threshold=20), KSWIN(), KSWIN(window_size=60, stat_size=20)]


def several_changes(seed: int, binary: bool) -> np.ndarray:
    """A stream with four changes of level, the last one back down."""
    rng = np.random.default_rng(seed)
    level = np.repeat([0.1, 0.4, 0.2, 0.6, 0.1], 3000)
    if binary:
        return (rng.random(len(level)) < level).astype(np.float64)
    return rng.normal(3 * level, 0.5)


@pytest.mark.parametrize("detector", BINARY + REAL, ids=repr)
def test_update_many_equals_update_one_by_one(detector):
    values = several_changes(3, detector in BINARY)
    one = detector.clone()
    drifts, warnings = [], []
    for i, x in enumerate(values):
        one.update(x)
        if one.drift_detected:
            drifts.append(i)
        warnings.append(one.warning_detected)
    assert drifts, f"{detector!r} saw none of the changes"
    many = detector.clone()
    found, start = [], 0
    for size in (1, 7, 1000, 3, 5000, 1, len(values)):
        part = values[start:start + size]
        found.extend(start + many.update_many(part))
        if len(part):
            assert many.warning_detected == warnings[start + len(part) - 1]
            assert many.drift_detected == (start + len(part) - 1 in drifts)
        start += size
    assert found == drifts
    assert states_equal(one.snapshot(), many.snapshot())
    assert many.n_detections == len(drifts)


@pytest.mark.parametrize("detector", BINARY + REAL, ids=repr)
def test_snapshot_restore_and_clone(detector):
    values = several_changes(5, detector in BINARY)
    original = detector.clone()
    original.update_many(values[:7000])
    stored = loads(dumps(original.snapshot()))
    restored = detector.clone().restore(stored)
    assert list(original.update_many(values[7000:])) == list(restored.update_many(values[7000:]))
    assert states_equal(original.snapshot(), restored.snapshot())
    fresh = original.clone()
    assert not fresh.is_fitted and repr(fresh) == repr(detector)
    assert not fresh.drift_detected and not fresh.warning_detected and fresh.n_detections == 0
    original.reset()
    assert not original.is_fitted and original.n_detections == 0


@pytest.mark.parametrize("seed", range(5))
def test_adwin_no_false_alarm_on_stationary_streams(seed):
    for values in (errors_stream(seed, 100_000, change=None),
                   normal_stream(seed, 100_000, change=None)):
        detector = ADWIN()
        assert len(detector.update_many(values)) == 0
        # with no cut, the window is the whole stream
        assert detector.width == 100_000
        assert detector.estimation == pytest.approx(values.mean(), abs=1e-12)
        assert detector.variance == pytest.approx(values.var(), rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_adwin_detects_an_abrupt_shift_quickly(seed):
    # a shift of one standard deviation: seen at the second test after it (47 values)
    delay = first_after(ADWIN().update_many(normal_stream(seed)), 10_000)
    assert delay == 47
    # error rate 0.2 -> 0.5: within 4 tests
    assert first_after(ADWIN().update_many(errors_stream(seed)), 10_000) <= 4 * 32


@pytest.mark.parametrize("seed", range(3))
def test_adwin_against_river(seed):
    # Same parameters, same tests at the same values; our bound is the paper's, River's
    # shrinks n0 and n1 by min_window_length, so we cut no later and never without cause.
    for values in (normal_stream(seed), errors_stream(seed)):
        ours = list(ADWIN().update_many(values))
        theirs = river_detections(river_drift.ADWIN(), values)
        assert len(ours) == len(theirs) == 1
        assert ours[0] <= theirs[0]
    values = np.concatenate([normal_stream(seed, change=None)[:1000], 0.5 + normal_stream(
        seed + 1, change=None)[:1000]])
    assert list(ADWIN().update_many(values)) == river_detections(river_drift.ADWIN(), values)


@pytest.mark.parametrize(("ours", "theirs", "binary"), [
    (DDM(), river_drift.binary.DDM(), True),
    (DDM(warm_start=100, warning_threshold=1.5, drift_threshold=2.5),
     river_drift.binary.DDM(warm_start=100, warning_threshold=1.5, drift_threshold=2.5), True),
    (EDDM(), river_drift.binary.EDDM(), True),
    (HDDM_A(), river_drift.binary.HDDMA(), True),
    (HDDM_A(two_sided_test=True), river_drift.binary.HDDMA(two_sided_test=True), True),
    (PageHinkley(), river_drift.PageHinkley(), False),
    (PageHinkley(mode="up", threshold=20.0), river_drift.PageHinkley(mode="up", threshold=20.0),
     False),
], ids=["DDM", "DDM-params", "EDDM", "HDDM_A", "HDDM_A-two-sided", "PH", "PH-up"])
def test_same_decisions_as_river(ours, theirs, binary):
    values = several_changes(11, binary)
    warnings = []
    drifts = []
    for i, x in enumerate(values.tolist()):
        theirs.update(x)
        # ours reports no warning with a drift (River's EDDM keeps the flag it had)
        warnings.append(bool(getattr(theirs, "warning_detected", False))
                        and not theirs.drift_detected)
        if theirs.drift_detected:
            drifts.append(i)
    assert len(drifts) >= 2
    assert list(ours.update_many(values)) == drifts
    replay = ours.clone()
    assert [replay.update(x).warning_detected for x in values] == warnings


def test_detection_delay_and_false_alarms_of_the_error_detectors():
    """Error rate 0.2 -> 0.5 at event 10,000 (5 seeds), and 100,000 stationary errors."""
    delays = {name: [] for name in ("DDM", "HDDM_A", "EDDM")}
    alarms = dict.fromkeys(delays, 0)
    for seed in range(5):
        changing = errors_stream(100 + seed)
        stationary = errors_stream(seed, 100_000, change=None)
        for detector in (DDM(), HDDM_A(), EDDM()):
            name = type(detector).__name__
            delays[name].append(first_after(detector.clone().update_many(changing), 10_000))
            alarms[name] += len(detector.clone().update_many(stationary))
    assert max(delays["HDDM_A"]) <= 300 and np.median(delays["HDDM_A"]) <= 62
    assert max(delays["DDM"]) <= 2200 and np.median(delays["DDM"]) <= 350
    assert max(delays["EDDM"]) <= 1100
    # over 500,000 stationary values
    assert alarms["HDDM_A"] <= 3 and alarms["DDM"] <= 2 and alarms["EDDM"] <= 100


def test_kswin_delay_and_false_alarm_rate():
    for seed in range(5):  # a shift of two standard deviations
        values = normal_stream(seed, 10_000, shift=2.0, change=5000)
        assert first_after(KSWIN(seed=seed).update_many(values), 5000) <= 50
    # each value runs one test at level alpha (0.005): the exact test rejects
    # P(D >= 14/30) = 0.0025 of the time, fewer after each reset while the window refills
    stationary = np.random.default_rng(9).normal(size=100_000)
    alarms = len(KSWIN().update_many(stationary))
    assert 100 <= alarms <= 250


def test_kswin_p_values_are_exact():
    from streamlearn.drift.kswin import critical_distance, ks_p_value

    assert ks_p_value(30, 13) == pytest.approx(0.0065483963680588, rel=1e-12)
    assert ks_p_value(30, 14) == pytest.approx(0.0025300622362698, rel=1e-12)
    assert critical_distance(30, 0.005) == 14
    assert critical_distance(5, 1e-9) == 6  # never significant


def test_warning_zone_of_ddm_comes_before_its_drift():
    values = errors_stream(4, rates=(0.1, 0.3))
    detector = DDM()
    statuses = []
    for x in values:
        detector.update(x)
        statuses.append(2 if detector.drift_detected else int(detector.warning_detected))
    drifts = [i for i, status in enumerate(statuses) if status == 2]
    assert drifts == [80, 11257, 12271]
    # the warning zone lasts until the drift, and the detector starts afresh after it
    assert statuses[11200:11257] == [1] * 57
    assert statuses[11258:11258 + 30] == [0] * 30


def test_bad_values_and_parameters_are_refused():
    with pytest.raises(SchemaError, match="finite"):
        ADWIN().update(float("nan"))
    with pytest.raises(SchemaError, match="index 2"):
        DDM().update_many([0.0, 1.0, float("inf")])
    with pytest.raises(ParameterError, match="'delta' parameter of ADWIN must be > 0"):
        ADWIN(delta=0).update(1.0)
    with pytest.raises(ParameterError, match="'clock' parameter of ADWIN must be >= 1"):
        ADWIN(clock=0).update_many([1.0])
    with pytest.raises(ParameterError, match="'window_size' parameter of KSWIN"):
        KSWIN(window_size=50, stat_size=30).update(1.0)
    with pytest.raises(ParameterError, match="'mode' parameter of PageHinkley"):
        PageHinkley(mode="sideways").update(1.0)
    with pytest.raises(ParameterError, match="'beta' parameter of EDDM"):
        EDDM(alpha=0.8, beta=0.9).update(1.0)
    detector = ADWIN(delta=5)
    with pytest.raises(ParameterError):
        detector.update(1.0)
    assert not detector.is_fitted  # a refused parameter leaves no state behind


def test_update_accepts_bools_and_returns_self():
    detector = DDM()
    assert detector.update(True) is detector
    assert detector.update_many(np.array([True, False] * 20)).dtype == np.int64
    assert ADWIN().update_many([]).tolist() == []
