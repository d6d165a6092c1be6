"""Lazy access to PyTorch: ``import streamlearn.neural`` never imports torch, a model does so
the first time it learns, and a missing torch fails naming the ``deep`` extra."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from streamlearn.core.errors import MissingExtraError, ParameterError, require

DEVICES = ("auto", "cpu", "cuda")


def torch() -> Any:
    """The ``torch`` module, or a :class:`MissingExtraError` naming the ``deep`` extra."""
    return require("torch", "deep")


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def resolve_device(owner: object, device: str) -> str:
    """``"auto"`` is CUDA when torch sees a GPU, else the CPU."""
    if not isinstance(device, str) or not (device in DEVICES or device.startswith("cuda:")):
        cls = type(owner).__name__
        raise ParameterError(
            f"The 'device' parameter of {cls} must be one of 'auto', 'cpu', 'cuda' or "
            f"'cuda:N'. Got {device!r} instead.")
    torch_ = torch()
    if device == "auto":
        return "cuda" if torch_.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch_.cuda.is_available():
        raise MissingExtraError(
            f"{type(owner).__name__}(device={device!r}) needs a CUDA build of torch and a GPU, "
            "and torch sees none; use device='auto' or 'cpu'")
    return device


def to_numpy(tensor: Any) -> np.ndarray:
    """A tensor as a fresh numpy array on the host (safe to keep in a snapshot)."""
    return tensor.detach().cpu().numpy().copy()


def from_numpy(array: np.ndarray, device: str) -> Any:
    """A fresh tensor holding a copy of ``array`` (never a view of a read-only buffer)."""
    return torch().from_numpy(np.array(array, copy=True)).to(device)


@contextmanager
def intra_op_threads(count: int | None, device: str) -> Iterator[None]:
    """Run torch's CPU operations with ``count`` threads, then put the setting back."""
    if count is None or device.startswith("cuda"):
        yield
        return
    torch_ = torch()
    previous = torch_.get_num_threads()
    if previous == count:
        yield
        return
    torch_.set_num_threads(count)
    try:
        yield
    finally:
        torch_.set_num_threads(previous)
