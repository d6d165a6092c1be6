"""streamlearn: machine learning and deep learning on data streams, at compiled speed."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBPACKAGES = (
    "checks", "compose", "connectors", "core", "datasets", "evaluate", "linear", "metrics",
    "preprocessing",
)


def __getattr__(name: str) -> Any:
    # Subpackages load on first use, so `import streamlearn` stays fast.
    if name in _SUBPACKAGES:
        return importlib.import_module(f"streamlearn.{name}")
    raise AttributeError(f"module 'streamlearn' has no attribute {name!r}")


__all__ = [*_SUBPACKAGES, "__version__"]
