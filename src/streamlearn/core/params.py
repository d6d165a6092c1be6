"""Validation of hyper-parameters, in one place, with scikit-learn style messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from streamlearn.core.errors import ParameterError


def _fail(owner: object, name: str, requirement: str, value: Any) -> None:
    # ``owner`` is the estimator, or the name of the function whose parameter this is
    cls = owner if isinstance(owner, str) else type(owner).__name__
    raise ParameterError(
        f"The {name!r} parameter of {cls} must be {requirement}. Got {value!r} instead."
    )


def check_number(
    owner: object,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    integer: bool = False,
) -> None:
    """Raise :class:`ParameterError` unless ``value`` is a number within the bounds."""
    kind = "an int" if integer else "a number"
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type:
        _fail(owner, name, kind, value)
    if value != value:  # NaN
        _fail(owner, name, kind, value)
    if low is not None and (value < low or (not low_inclusive and value == low)):
        _fail(owner, name, f"{'>=' if low_inclusive else '>'} {low}", value)
    if high is not None and value > high:
        _fail(owner, name, f"<= {high}", value)


def check_choice(owner: object, name: str, value: Any, choices: Iterable[Any]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        _fail(owner, name, "one of " + ", ".join(repr(c) for c in choices), value)
