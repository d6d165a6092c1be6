import time

import numpy as np
import pytest

import streamlearn.connectors.parquet as parquet
from streamlearn.connectors.parquet import ParquetSink, ParquetSource
from streamlearn.core.errors import SchemaError
from streamlearn.core.schema import Schema

pa = pytest.importorskip("pyarrow", reason="pyarrow is the 'parquet' extra")
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra")


def _table(n, start=0):
    rows = np.arange(start, start + n)
    return pa.table({
        "tx": [f"t{i}" for i in rows],
        "amount": rows * 1.5,
        "count": pa.array(rows % 7, pa.int32()),
        "flag": rows % 2 == 0,
        "country": pa.array([["FR", "DE", "US"][i % 3] for i in rows]).dictionary_encode(),
        "at": pa.array(rows * 1_000_000 + 1_700_000_000_000_000, pa.timestamp("us")),
        "y": rows % 2,
    })


def _write(path, n, row_group_size=None):
    pq.write_table(_table(n), path, row_group_size=row_group_size)
    return path


def _read_all(source, max_events):
    parts = list(source.batches(max_events))
    return (np.concatenate([d.batch.X for d in parts]),
            [i for d in parts for i in d.batch.ids.tolist()],
            [v for d in parts if d.batch.y is not None for v in d.batch.y.tolist()],
            [dead for d in parts for dead in d.dead_letters])


def test_columns_become_numeric_and_categorical_features(tmp_path):
    path = _write(tmp_path / "t.parquet", 5)
    with ParquetSource(path, Schema(id="tx", time="at"), target="y") as source:
        decoded = source.read(3)
    batch = decoded.batch
    assert batch.columns == ("amount", "count", "flag")
    assert batch.X.dtype == np.float64 and batch.X.flags.c_contiguous
    assert batch.X.tolist() == [[0.0, 0.0, 1.0], [1.5, 1.0, 0.0], [3.0, 2.0, 1.0]]
    assert batch.categorical["country"].tolist() == ["FR", "DE", "US"]
    assert batch.y.tolist() == [0, 1, 0] and batch.y.dtype.kind == "i"
    assert batch.ids.tolist() == ["t0", "t1", "t2"]
    assert batch.times.tolist() == [1_700_000_000.0, 1_700_000_001.0, 1_700_000_002.0]
    assert decoded.dead_letters == []


def test_malformed_rows_are_dead_letters_with_reasons(tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({
        "amount": [1.0, None, float("inf"), 4.0, 5.0],
        "country": ["FR", "DE", "US", None, "FR"],
        "note": [None, "a", "b", "c", None],
        "y": [1, 0, 1, 0, None],
    }), path)
    schema = Schema(target="y", numeric=["amount"], categorical=["country", "note"],
                    optional=["note"], require_target=True)
    with ParquetSource(path, schema) as source:
        decoded = source.read(10)
    assert decoded.batch.ids.tolist() == [0]
    assert decoded.batch.categorical["note"].tolist() == [None]
    assert [(d.index, d.reason) for d in decoded.dead_letters] == [
        (1, "column 'amount' of event 1 (row 1 of bad.parquet) is missing; send a number or "
            "declare the column optional"),
        (2, "column 'amount' of event 2 (row 2 of bad.parquet) is infinite"),
        (3, "column 'country' of event 3 (row 3 of bad.parquet) is missing; send it or declare "
            "the column optional"),
        (4, "column 'y' of event 4 (row 4 of bad.parquet) (the target) is missing"),
    ]
    assert decoded.dead_letters[1].payload == {"amount": float("inf"), "country": "US",
                                               "note": "b", "y": 1}
    # without declared features, missing values are allowed (as Schema.decode allows them)
    with ParquetSource(path, target="y") as source:
        decoded = source.read(10)
    assert decoded.batch.ids.tolist() == [0, 1, 3, 4]
    assert np.isnan(decoded.batch.X[1, 0]) and decoded.batch.y.tolist() == [1, 0, 0, None]


def test_a_missing_column_or_unusable_type_says_how_to_fix_it(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": [1.0], "tags": [[1, 2]]}), path)
    with pytest.raises(SchemaError, match="has no column 'y'; its columns are a, tags"):
        ParquetSource(path, target="y").open()
    with pytest.raises(SchemaError, match=r"column 'tags' of t\.parquet holds list"):
        ParquetSource(path).open()
    with ParquetSource(path, Schema(numeric=["a"])) as source:
        assert source.read(5).batch.X.tolist() == [[1.0]]


@pytest.mark.parametrize("row_group_size", [None, 100, 37])
def test_seek_continues_exactly_where_the_position_was(tmp_path, monkeypatch, row_group_size):
    monkeypatch.setattr(parquet, "READ_BATCH_ROWS", 50)
    path = _write(tmp_path / "t.parquet", 500, row_group_size)
    everything = _read_all(ParquetSource(path, target="y"), 1000)
    assert everything[1] == list(range(500))

    with ParquetSource(path, target="y") as source:
        head = [source.read(120), source.read(111)]  # spans record batches
        position = source.position()
    assert position == 231 and [len(d.batch) for d in head] == [120, 111]
    resumed = ParquetSource(path, target="y")
    resumed.seek(position)
    X, ids, y, _ = _read_all(resumed, 64)
    assert ids == list(range(231, 500))
    np.testing.assert_array_equal(np.concatenate([d.batch.X for d in head] + [X]),
                                  everything[0])
    assert [v for d in head for v in d.batch.y.tolist()] + y == everything[2]
    assert resumed.size_hint == 500


def test_seek_on_an_open_source_and_past_the_end(tmp_path):
    path = _write(tmp_path / "t.parquet", 20, row_group_size=8)
    with ParquetSource(path, Schema(id="tx")) as source:
        source.read(15)
        source.seek(9)
        assert source.read(3).batch.ids.tolist() == ["t9", "t10", "t11"]
        source.seek(20)
        assert source.read(5) is None


def test_rate_replays_no_faster_than_asked(tmp_path):
    path = _write(tmp_path / "t.parquet", 2000)
    started = time.monotonic()
    _, ids, _, _ = _read_all(ParquetSource(path, rate=20_000), 500)
    assert ids == list(range(2000))
    assert time.monotonic() - started >= 2000 / 20_000 - 1e-3


def test_sink_writes_row_groups_that_read_back(tmp_path):
    path = tmp_path / "out" / "predictions.parquet"
    with ParquetSink(path) as sink:
        sink.write([{"id": i, "prediction": i % 2, "proba": i / 10} for i in range(5)])
        sink.flush()
        sink.write([{"id": 5, "prediction": np.int64(1)}])
        with pytest.raises(SchemaError, match="record field 'other' is not among the columns"):
            sink.write([{"id": 6, "other": 1}])
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    rows = pq.read_table(path).to_pylist()
    assert [r["id"] for r in rows] == [0, 1, 2, 3, 4, 5]
    assert rows[5] == {"id": 5, "prediction": 1, "proba": None}
    with ParquetSource(path, Schema(id="id")) as source:
        assert source.read(10).batch.X[:, 1].tolist()[:5] == [0.0, 0.1, 0.2, 0.3, 0.4]
