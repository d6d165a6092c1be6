import numpy as np
import pytest

from streamlearn.core import Batch, SchemaError, as_batch
from streamlearn.core.batch import SparseBlock


def test_from_dicts_orders_columns_by_first_appearance_and_marks_missing():
    batch = Batch.from_dicts([{"b": 1, "a": 2.5, "c": "x"}, {"a": 3, "d": True}], y=[1, 0])
    assert batch.columns == ("b", "a", "d")
    np.testing.assert_array_equal(batch.X, [[1.0, 2.5, np.nan], [np.nan, 3.0, 1.0]])
    assert batch.categorical["c"].tolist() == ["x", None]
    assert batch.row(1) == {"a": 3.0, "d": 1.0}


def test_from_dicts_rejects_non_numbers_and_infinity_naming_row_and_column():
    with pytest.raises(SchemaError, match="column 'a' of event 1 holds"):
        Batch.from_dicts([{"a": 1.0}, {"a": [1, 2]}])
    with pytest.raises(SchemaError, match="column 'a' of event 0 is infinite"):
        Batch.from_dicts([{"a": float("inf")}])


def test_concat_aligns_columns_by_name():
    a = Batch.from_dicts([{"x": 1.0}], y=[0])
    b = Batch.from_dicts([{"y": 2.0, "x": 3.0}], y=[1])
    both = Batch.concat([a, b])
    assert both.columns == ("x", "y")
    np.testing.assert_array_equal(both.X, [[1.0, np.nan], [3.0, 2.0]])
    assert both.y.tolist() == [0, 1]


def test_take_slices_every_field_including_the_sparse_block():
    sparse = SparseBlock(np.array([0, 1, 3, 3]), np.array([5, 1, 2]), np.array([1.0, 2.0, 3.0]), 8)
    batch = Batch(X=np.zeros((3, 0)), columns=(), y=np.array([1, 2, 3]), sparse=sparse)
    part = batch.take(np.array([1, 2]))
    assert part.y.tolist() == [2, 3]
    assert part.sparse.indptr.tolist() == [0, 2, 2]
    assert part.sparse.indices.tolist() == [1, 2]
    assert part.row(0) == {1: 2.0, 2: 3.0}


def test_as_batch_accepts_arrays_frames_and_dicts():
    pd = pytest.importorskip("pandas")
    assert as_batch(np.ones((2, 3))).columns == ("x0", "x1", "x2")
    frame = pd.DataFrame({"a": [1.0, 2.0], "colour": ["red", None]})
    batch = as_batch(frame)
    assert batch.columns == ("a",) and batch.categorical["colour"].tolist() == ["red", None]
    assert as_batch({"a": 1.0}).row(0) == {"a": 1.0}
    with pytest.raises(SchemaError, match="got 3 labels for 2 events"):
        Batch.from_array(np.ones((2, 2)), y=[1, 2, 3])
