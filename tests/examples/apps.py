"""Where the applications live, and their scripts loaded as modules of their own.

Each application has a ``produce.py``: imported by name from ``sys.path`` they would shadow
one another, so the tests load each under a name of its own.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def example_module(app: str, name: str) -> ModuleType:
    """``examples/<app>/<name>.py`` as the module ``examples_<app>_<name>``."""
    module_name = f"examples_{app.replace('-', '_')}_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / app / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no {name}.py in examples/{app}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
