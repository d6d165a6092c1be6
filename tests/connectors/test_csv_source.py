import numpy as np
import pytest

from streamlearn import evaluate, metrics
from streamlearn.connectors import CSVSource
from streamlearn.core import SchemaError
from streamlearn.datasets import SEA
from streamlearn.linear import LogisticRegression
from streamlearn.preprocessing import StandardScaler


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_stream_gives_the_same_report_as_the_arrays(tmp_path):
    data = SEA(seed=5).take(3000)
    path = tmp_path / "sea.csv"
    data.to_csv(path, target="y")
    from_file = evaluate.prequential(CSVSource(path, target="y"),
                                     StandardScaler() | LogisticRegression(),
                                     [metrics.Accuracy()], batch_size=256,
                                     keep_predictions=True)
    from_arrays = evaluate.prequential((data.X, data.y), StandardScaler() | LogisticRegression(),
                                       [metrics.Accuracy()], keep_predictions=True)
    np.testing.assert_array_equal(from_file.predictions, from_arrays.predictions)
    assert from_file.metrics == from_arrays.metrics
    assert CSVSource(path, target="y").size_hint == 3000


def test_reads_in_chunks_larger_than_the_read_buffer(tmp_path, monkeypatch):
    import streamlearn.connectors.files as files

    monkeypatch.setattr(files, "READ_CHUNK_ROWS", 10)
    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(35)))
    batches = list(CSVSource(path, target="y").batches(4))
    assert sum(len(d.batch) for d in batches) == 35
    assert np.concatenate([d.batch.X[:, 0] for d in batches]).tolist() == list(range(35))
    assert np.concatenate([d.batch.ids for d in batches]).tolist() == list(range(35))


def test_bad_cells_become_dead_letters_naming_event_line_and_column(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,1\n3,abc,0\n4,inf,1\n,5,0\n6,7,\n8,9,1\n")
    [decoded] = list(CSVSource(path, target="y").batches(100))
    assert decoded.batch.X.tolist() == [[1.0, 2.0], [8.0, 9.0]]
    reasons = [d.reason for d in decoded.dead_letters]
    assert reasons == [
        "column 'b' of event 1 (line 3 of data.csv) holds 'abc', which is not a number",
        "column 'b' of event 2 (line 4 of data.csv) is infinite",
        "column 'a' of event 3 (line 5 of data.csv) is missing; send a number or declare "
        "the column optional",
        "column 'y' of event 4 (line 6 of data.csv) (the target) is missing",
    ]
    assert decoded.dead_letters[0].payload == {"a": 3, "b": "abc", "y": 0}


def test_optional_columns_may_be_missing(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,,1\n3,4,0\n")
    [decoded] = list(CSVSource(path, target="y", optional=["b"]).batches(10))
    assert decoded.dead_letters == []
    np.testing.assert_array_equal(decoded.batch.X, [[1.0, np.nan], [3.0, 4.0]])


def test_skip_keeps_weights_finite_and_counts_rows(tmp_path):
    path = _write(tmp_path, "a,y\n1,1\nnan,0\n-1,0\nx,1\n2,1\n")
    with pytest.raises(SchemaError, match=r"line 3 of data\.csv"):
        evaluate.prequential(CSVSource(path, target="y"), LogisticRegression())
    model = LogisticRegression()
    report = evaluate.prequential(CSVSource(path, target="y"), model, [metrics.Accuracy()],
                                  on_error="skip")
    assert report.events == 3 and report.skipped == 2
    assert np.isfinite(model.weights_).all() and np.isfinite(model.intercept_).all()


def test_string_labels_and_categorical_columns(tmp_path):
    path = _write(tmp_path, "amount,country,label\n1.5,FR,UP\n2.5,DE,DOWN\n")
    [decoded] = list(CSVSource(path, target="label").batches(10))
    assert decoded.batch.y.tolist() == ["UP", "DOWN"]
    assert decoded.batch.categorical["country"].tolist() == ["FR", "DE"]


def test_unknown_target_column_is_named(tmp_path):
    path = _write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(SchemaError, match="has no column 'y'; its columns are a, b"):
        list(CSVSource(path, target="y").batches(10))
    with pytest.raises(FileNotFoundError):
        CSVSource(tmp_path / "missing.csv")


def test_position_and_seek_continue_exactly_after_a_checkpoint(tmp_path, monkeypatch):
    import streamlearn.connectors.files as files

    monkeypatch.setattr(files, "READ_CHUNK_ROWS", 45)  # reads stop at chunk ends too
    path = _write(tmp_path, "a,y\n" + "".join(
        f"{'bad' if i == 30 else i},{i % 2}\n" for i in range(50)))
    source = CSVSource(path, target="y")
    first = source.read(20)
    second = source.read(20)
    assert source.position() == 40
    assert first.batch.ids.tolist() == list(range(20))
    assert second.batch.ids.tolist() == [i for i in range(20, 40) if i != 30]
    assert [d.index for d in second.dead_letters] == [30]
    source.close()
    restarted = CSVSource(path, target="y")
    restarted.seek(25)
    rest = []
    while (decoded := restarted.read(7)) is not None:
        rest.extend(decoded.batch.ids.tolist())
    assert rest == [i for i in range(25, 50) if i != 30]
    assert restarted.position() == 50
    restarted.close()


def test_rate_replays_the_file_at_that_many_events_per_second(tmp_path):
    import time

    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(1000)))
    source = CSVSource(path, target="y", rate=5000)
    started = time.perf_counter()
    read = 0
    while (decoded := source.read(100, timeout_ms=50)) is not None:
        read += len(decoded.batch)
    elapsed = time.perf_counter() - started
    source.close()
    assert read == 1000
    assert elapsed >= 0.19          # 1,000 events at 5,000/s take at least 0.2 s
