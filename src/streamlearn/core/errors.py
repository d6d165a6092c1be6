"""The exceptions streamlearn raises. Each message says what went wrong and how to fix it."""

from __future__ import annotations


class StreamlearnError(Exception):
    """Base class of every error raised by streamlearn."""


class ParameterError(StreamlearnError, ValueError):
    """A hyper-parameter has an invalid value."""


class SchemaError(StreamlearnError, ValueError):
    """An event does not match the declared schema (missing field, wrong type, non-finite)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


class NotFittedError(StreamlearnError, RuntimeError):
    """A method needs learned state that the estimator does not have yet."""


class MissingExtraError(StreamlearnError, ImportError):
    """An optional dependency is not installed."""


def require(module: str, extra: str):
    """Import ``module``, or fail naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module!r} is not installed; install it with: pip install 'streamlearn[{extra}]'"
        ) from exc
