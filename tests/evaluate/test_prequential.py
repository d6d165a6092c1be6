import json
from collections import deque
from datetime import timedelta

import numpy as np
import pytest

from streamlearn import evaluate, metrics
from streamlearn.connectors import IterableSource
from streamlearn.core import ParameterError, SchemaError
from streamlearn.datasets import SEA
from streamlearn.linear import LogisticRegression
from streamlearn.preprocessing import StandardScaler


def _model():
    return StandardScaler() | LogisticRegression()


@pytest.fixture(scope="module")
def sea():
    return SEA(seed=11, drift_every=2500).take(10_000)


def test_same_predictions_and_metrics_for_batch_sizes_1_7_1000(sea):
    reports = {
        size: evaluate.prequential((sea.X, sea.y), _model(), [metrics.Accuracy(), metrics.ROCAUC()],
                                   batch_size=size, keep_predictions=True)
        for size in (1, 7, 1000)
    }
    reference = reports[1000]
    for size in (1, 7):
        np.testing.assert_array_equal(reports[size].predictions, reference.predictions)
        assert reports[size].metrics == reference.metrics
        assert reports[size].history == reference.history
    assert reference.events == 10_000 and reference.labelled == 10_000
    assert 0.80 < reference.metrics["Accuracy"] < 0.95


def test_accuracy_matches_river_on_the_same_stream(sea):
    pytest.importorskip("river")
    from river import linear_model, preprocessing
    from river import metrics as river_metrics

    theirs = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    accuracy = river_metrics.Accuracy()
    for x, y in sea:
        accuracy.update(y, theirs.predict_one(x))
        theirs.learn_one(x, y)
    report = evaluate.prequential((sea.X, sea.y), _model(), [metrics.Accuracy()])
    assert report.metrics["Accuracy"] == pytest.approx(accuracy.get(), abs=1e-12)


def _reference_delayed(data, delay):
    """Per-event loop: the label of event i is learnt just before event i + delay."""
    model = _model()
    predictions, pending, scored = [], deque(), []
    for j, (x, y) in enumerate(data):
        while pending and pending[0][0] + max(delay, 1) <= j:
            _, px, py, pp = pending.popleft()
            model.learn_one(px, py)
            scored.append(py == pp)
        prediction = model.predict_one(x)
        predictions.append(prediction)
        pending.append((j, x, y, prediction))
    while pending:
        _, px, py, pp = pending.popleft()
        model.learn_one(px, py)
        scored.append(py == pp)
    return np.array(predictions), float(np.mean(scored))


@pytest.mark.parametrize("delay", [0, 2, 25])
def test_event_delay_matches_a_per_event_reference(sea, delay):
    data = sea.head(1500)
    expected_predictions, expected_accuracy = _reference_delayed(data, delay)
    for batch_size in (1, 64, 1000):
        report = evaluate.prequential((data.X, data.y), _model(), [metrics.Accuracy()],
                                      batch_size=batch_size, delay=delay, keep_predictions=True)
        np.testing.assert_array_equal(report.predictions, expected_predictions)
        assert report.metrics["Accuracy"] == pytest.approx(expected_accuracy, abs=1e-12)
        assert report.labelled == 1500


def test_delay_gives_rivers_progressive_val_score_numbers(sea):
    pytest.importorskip("river")
    from river import evaluate as river_evaluate
    from river import linear_model, preprocessing
    from river import metrics as river_metrics

    for delay in (1, 3000):
        theirs = river_evaluate.progressive_val_score(
            list(sea), preprocessing.StandardScaler() | linear_model.LogisticRegression(),
            river_metrics.Accuracy(), delay=delay)
        ours = evaluate.prequential((sea.X, sea.y), _model(), [metrics.Accuracy()],
                                    delay=delay, batch_size=512)
        assert ours.metrics["Accuracy"] == pytest.approx(theirs.get(), abs=1e-12)


def test_longer_delay_costs_accuracy_on_a_drifting_stream(sea):
    prompt = evaluate.prequential((sea.X, sea.y), _model(), [metrics.Accuracy()])
    late = evaluate.prequential((sea.X, sea.y), _model(), [metrics.Accuracy()], delay=2000)
    assert late.metrics["Accuracy"] < prompt.metrics["Accuracy"] - 0.005


def test_time_delay_learns_each_label_once_its_time_has_come():
    # events one second apart; labels arrive 3 seconds later
    events = [({"x": float(i % 2), "t": float(i)}, bool(i % 2)) for i in range(40)]
    from streamlearn.core import Schema

    def run(batch_size):
        source = IterableSource(events, schema=Schema(time="t"))
        return evaluate.prequential(source, LogisticRegression(learning_rate=0.5),
                                    [metrics.Accuracy()], batch_size=batch_size,
                                    delay=timedelta(seconds=3), keep_predictions=True)

    reports = [run(size) for size in (1, 5, 40)]
    for report in reports[1:]:
        np.testing.assert_array_equal(report.predictions, reports[0].predictions)
    # the label of event 0 (time 0) arrives at time 3: events 0-3 are predicted untrained
    assert reports[0].predictions[:4].tolist() == [False] * 4
    assert reports[0].labelled == 40


def test_bad_rows_raise_by_default_and_are_counted_when_skipped():
    events = [({"a": 1.0}, True), ({"a": "oops"}, False), ({"a": 2.0}, True)]
    with pytest.raises(SchemaError, match="column 'a' of event 1 holds 'oops'"):
        evaluate.prequential(events, LogisticRegression(), [metrics.Accuracy()])
    report = evaluate.prequential(events, LogisticRegression(), [metrics.Accuracy()],
                                  on_error="skip")
    assert report.events == 2 and report.skipped == 1
    assert "holds 'oops'" in report.skipped_reasons[0]


def test_parameters_are_validated():
    with pytest.raises(ParameterError, match="'batch_size' parameter of prequential"):
        evaluate.prequential([], _model(), batch_size=0)
    with pytest.raises(ParameterError, match="delay must be"):
        evaluate.prequential([], _model(), delay=-1)


def test_report_json_table_and_plot(tmp_path, sea):
    report = evaluate.prequential((sea.X, sea.y), _model(),
                                  [metrics.Accuracy(), metrics.LogLoss()], rolling_window=500)
    saved = json.loads(report.to_json(tmp_path / "r.json").read_text())
    assert saved["events"] == 10_000
    assert saved["metrics"]["Accuracy"] == report.metrics["Accuracy"]
    assert len(saved["history"]["events"]) == 200 and saved["history"]["events"][-1] == 10_000
    assert "Rolling Accuracy(500)" in saved["history"]
    report.plot(tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
    assert "Accuracy" in str(report)


def test_regression_stream():
    from streamlearn.datasets import Friedman
    from streamlearn.linear import LinearRegression

    data = Friedman(seed=2).take(5000)
    report = evaluate.prequential((data.X, data.y), StandardScaler() | LinearRegression(),
                                  [metrics.MAE(), metrics.R2()], batch_size=500)
    assert report.metrics["R2"] > 0.5
