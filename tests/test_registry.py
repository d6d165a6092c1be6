import pytest

from streamlearn.core import ParameterError
from streamlearn.registry import estimator_class, parse_pipeline


def test_parse_text_and_list_forms():
    text = parse_pipeline("StandardScaler | LogisticRegression(learning_rate=0.1, l2=0.01)")
    listed = parse_pipeline({"pipeline": ["StandardScaler",
                                          {"LogisticRegression": {"learning_rate": 0.1,
                                                                  "l2": 0.01}}]})
    assert repr(text) == repr(listed) == (
        "StandardScaler() | LogisticRegression(learning_rate=0.1, l2=0.01)")
    assert repr(parse_pipeline("LogisticRegression")) == "LogisticRegression()"


def test_clear_errors_for_unknown_names_and_parameters():
    with pytest.raises(ParameterError, match="unknown estimator 'Foo'; known estimators: "):
        parse_pipeline("StandardScaler | Foo")
    with pytest.raises(ParameterError, match="LogisticRegression has no parameter 'lr'"):
        parse_pipeline("LogisticRegression(lr=0.1)")
    with pytest.raises(ParameterError, match="given by name"):
        parse_pipeline("LogisticRegression(0.1)")
    assert estimator_class("standardscaler").__name__ == "StandardScaler"
