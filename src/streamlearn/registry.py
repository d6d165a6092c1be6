"""Discovery of every estimator the package exports, and pipelines described as text.

The conformance suite runs over ``all_estimators()``; the CLI and job files name
estimators by their class name.
"""

from __future__ import annotations

import ast
import importlib
import re
from typing import Any

from streamlearn.core.base import Estimator
from streamlearn.core.errors import ParameterError

ESTIMATOR_PACKAGES = ("preprocessing", "linear", "compose", "selection", "trees", "neural", "drift",
                      "bayes", "neighbors", "anomaly", "recommend", "features", "cluster")


def all_estimators() -> dict[str, type[Estimator]]:
    """Exported estimator classes by name, from every algorithm package."""
    found: dict[str, type[Estimator]] = {}
    for package in ESTIMATOR_PACKAGES:
        module = importlib.import_module(f"streamlearn.{package}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            # parameter objects such as optimizers are estimators but do not process events
            if (isinstance(value, type) and issubclass(value, Estimator)
                    and hasattr(value, "process_many")):
                found[name] = value
    return found


def estimator_class(name: str) -> type[Estimator]:
    classes = all_estimators()
    if name in classes:
        return classes[name]
    lowered = {key.lower(): value for key, value in classes.items()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    raise ParameterError(f"unknown estimator {name!r}; known estimators: "
                         + ", ".join(sorted(classes)))


_STEP = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_step(text: str) -> Estimator:
    """``"LogisticRegression"`` or ``"LogisticRegression(learning_rate=0.1, l2=0.0)"``."""
    match = _STEP.match(text)
    if match is None:
        raise ParameterError(f"cannot read the pipeline step {text!r}; write Name or "
                             "Name(param=value, ...)")
    name, arguments = match.groups()
    params: dict[str, Any] = {}
    if arguments and arguments.strip():
        call = ast.parse(f"f({arguments})", mode="eval").body
        if not isinstance(call, ast.Call) or call.args:
            raise ParameterError(f"parameters of {name} must be given by name: {text!r}")
        params = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
    return build_step(name, params)


def build_step(name: str, params: dict[str, Any] | None) -> Estimator:
    cls = estimator_class(name)
    params = dict(params or {})
    unknown = set(params) - set(cls._param_names())
    if unknown:
        raise ParameterError(f"{cls.__name__} has no parameter {sorted(unknown)[0]!r}; its "
                             f"parameters are {', '.join(cls._param_names()) or 'none'}")
    return cls(**params)


def parse_pipeline(spec: Any) -> Estimator:
    """A pipeline from ``"StandardScaler | LogisticRegression"`` or from a YAML-style list
    (``["StandardScaler", {"LogisticRegression": {"learning_rate": 0.01}}]``).

    >>> parse_pipeline("StandardScaler | LogisticRegression(learning_rate=0.1)")
    StandardScaler() | LogisticRegression(learning_rate=0.1)
    >>> parse_pipeline(["StandardScaler", {"LogisticRegression": {"l2": 0.001}}])
    StandardScaler() | LogisticRegression(l2=0.001)
    """
    from streamlearn.compose import Pipeline

    if isinstance(spec, dict) and "pipeline" in spec:
        spec = spec["pipeline"]
    if isinstance(spec, str):
        steps = [parse_step(part) for part in _split_top_level(spec)]
    elif isinstance(spec, list):
        steps = [_list_step(item) for item in spec]
    else:
        raise ParameterError("a pipeline is a string like 'StandardScaler | "
                             f"LogisticRegression' or a list of steps; got {spec!r}")
    if not steps:
        raise ParameterError("the pipeline has no step")
    return steps[0] if len(steps) == 1 else Pipeline(*steps)


def _list_step(item: Any) -> Estimator:
    if isinstance(item, str):
        return parse_step(item)
    if isinstance(item, dict) and len(item) == 1:
        name, params = next(iter(item.items()))
        return build_step(str(name), params)
    raise ParameterError(f"a pipeline step is a name or {{Name: {{param: value}}}}; got {item!r}")


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]
