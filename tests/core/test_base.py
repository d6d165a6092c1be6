import numpy as np
import pytest

from streamlearn.core import ParameterError, states_equal
from streamlearn.linear import LogisticRegression
from streamlearn.preprocessing import StandardScaler


def test_params_are_the_init_signature_and_clone_keeps_them():
    model = LogisticRegression(learning_rate=0.05, l2=0.1)
    assert model.get_params()["learning_rate"] == 0.05
    model.learn_one({"a": 1.0}, True)
    copy = model.clone()
    assert copy.get_params() == model.get_params()
    assert model.is_fitted and not copy.is_fitted
    assert repr(copy) == "LogisticRegression(learning_rate=0.05, l2=0.1)"


def test_snapshot_is_a_deep_copy_and_restore_rejects_another_class():
    scaler = StandardScaler()
    scaler.learn_one({"a": 1.0})
    snap = scaler.snapshot()
    scaler.learn_one({"a": 5.0})
    assert snap["state"]["mean_"].tolist() == [1.0]
    restored = StandardScaler().restore(snap)
    assert restored.transform_one({"a": 3.0}) == {"a": 0.0}
    with pytest.raises(ValueError, match="taken from a StandardScaler"):
        LogisticRegression().restore(snap)


def test_invalid_parameter_message_names_class_parameter_and_value():
    with pytest.raises(ParameterError, match=r"The 'learning_rate' parameter of "
                       r"LogisticRegression must be > 0. Got -1 instead."):
        LogisticRegression(learning_rate=-1).learn_one({"a": 1.0}, True)


def test_states_equal_compares_arrays_exactly_with_nan():
    assert states_equal({"a": np.array([1.0, np.nan])}, {"a": np.array([1.0, np.nan])})
    assert not states_equal({"a": np.array([1.0])}, {"a": np.array([1.0 + 1e-15])})
