"""Models as safetensors files: the weights as tensors, a JSON header for the rest.

The header holds a format version, the model's spec (estimator class names from the
registry's allow-list, with their literal parameters, as in a job file) and its snapshot,
whose arrays are the file's tensors. Loading never unpickles: it rebuilds the model from the
spec and restores the snapshot. A ``TorchModel`` has no spec (its module is code, not a
literal), so it is loaded *into* a model built with the same architecture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlearn.core.base import Estimator
from streamlearn.core.serialize import dumps_safetensors, loads_safetensors, write_atomically

FORMAT = 1
_LITERALS = (type(None), bool, int, float, str)


def save(model: Estimator, path: str | Path) -> None:
    """Write ``model`` (a neural model, or a pipeline ending with one) to ``path``.

    >>> import tempfile, os
    >>> from streamlearn.neural import MLPRegressor, load
    >>> model = MLPRegressor(hidden=(4,), device="cpu").learn_one({"x": 1.0}, 2.0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> load(path).predict_one({"x": 1.0}) == model.predict_one({"x": 1.0})
    True
    """
    header = {"format": FORMAT, "spec": spec_of(model), "snapshot": model.snapshot()}
    write_atomically(path, dumps_safetensors(header))


def load(path: str | Path, into: Estimator | None = None) -> Estimator:
    """Read a model written by :func:`save`. ``into`` is an unfitted estimator of the same
    kind to restore into; it is required for a ``TorchModel``, which needs its module."""
    content = loads_safetensors(Path(path).read_bytes())
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ValueError(f"{path} is not a streamlearn model file (or a newer format)")
    if into is None:
        if content["spec"] is None:
            raise ValueError(
                f"{path} holds a model that cannot be rebuilt from its parameters (a "
                "TorchModel wraps your own module); pass into=TorchModel(<a module of the same "
                "architecture>, ...) to load its weights into it")
        from streamlearn.registry import parse_pipeline

        into = parse_pipeline(content["spec"])
    return into.restore(content["snapshot"])


def spec_of(model: Estimator) -> list[dict[str, dict[str, Any]]] | None:
    """The pipeline spec of ``model`` (``[{ClassName: params}, ...]``), or None when a
    parameter is not a literal."""
    from streamlearn.compose import Pipeline

    steps = model.steps if isinstance(model, Pipeline) else (model,)
    spec = []
    for step in steps:
        params = step.get_params()
        if not all(_is_literal(value) for value in params.values()):
            return None
        spec.append({type(step).__name__: params})
    return spec


def _is_literal(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_literal(v) for k, v in value.items())
    return isinstance(value, _LITERALS)
