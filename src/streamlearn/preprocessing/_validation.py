"""Validation of the hyper-parameters shared by the preprocessing transformers."""

from __future__ import annotations

from typing import Any

from streamlearn.core.errors import ParameterError


def fail(owner: object, name: str, requirement: str, value: Any) -> None:
    """Raise the library's usual message for a parameter that breaks ``requirement``."""
    raise ParameterError(
        f"The {name!r} parameter of {type(owner).__name__} must be {requirement}. "
        f"Got {value!r} instead."
    )


def check_columns(owner: object, name: str, value: Any) -> tuple[str, ...] | None:
    """``None`` or a list/tuple of column names; returns the names as a tuple."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple) or not all(
        isinstance(c, str) for c in value
    ):
        fail(owner, name, "None or a list of column names", value)
    return tuple(value)


def check_bool(owner: object, name: str, value: Any) -> None:
    if not isinstance(value, bool):
        fail(owner, name, "a bool", value)
