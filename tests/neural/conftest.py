"""The neural tests run on the CPU with one torch thread (each module skips without torch)."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread():
    # small networks run fastest on one thread; put the setting back after each test
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
