"""Periodic parameter averaging: global models kept in step across workers.

Each worker learns its own partitions. Every ``every_events`` events it learnt (or every
``every_seconds``), it sends the **global array state** of its pipeline to the coordinator
and adopts the average it gets back; this is iterative parameter mixing (McDonald, Hall and
Mann 2010, "Distributed Training Strategies for the Structured Perceptron", NAACL; Zinkevich,
Weimer, Smola and Li 2010, "Parallelized Stochastic Gradient Descent", NeurIPS), run
asynchronously: the coordinator keeps the latest contribution of every worker and answers
at once with their average, so a fast worker never waits for a slow one.

What is averaged, exactly:

- every floating-point array of the state of every step (a scaler's means and variances, a
  linear model's weights and intercept), weighted by the number of events the worker learnt
  since its previous contribution (equal weights when none learnt anything);
- only when the step has the same fitted features and classes (``feature_names_``,
  ``classes_``) and the array the same shape on every contributing worker; otherwise the
  step stays as each worker has it.

What is never averaged: **keyed state** (a step whose state has per-key slots, ``keys_``,
such as ``WindowedAggregates``: each key lives on one worker, whose state is exact),
integer arrays (step counters), lists and scalars, and the metrics (each worker scores the
events it predicted).

The model published to the registry at the end is the average of the workers' final
arrays weighted by the events each learnt in all, put into the first worker's pipeline
(its keyed steps hold the keys of that worker's partitions only).

>>> import numpy as np
>>> averager = ParameterAverager()
>>> a = {"0/weights_": np.array([1.0, 2.0])}
>>> b = {"0/weights_": np.array([3.0, 6.0])}
>>> _ = averager.sync(0, a, {"0": "x"}, 1)
>>> averager.sync(1, b, {"0": "x"}, 3)["0/weights_"].tolist()
[2.5, 5.0]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

# fitted attributes that must agree for two workers' arrays to mean the same thing
_SIGNATURE_KEYS = ("feature_names_", "classes_", "columns_", "categories_")


def _estimator_nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, state) of every estimator in a snapshot (``{"class", "state", "nested"}``)."""
    if isinstance(node, dict):
        if "class" in node and isinstance(node.get("state"), dict):
            yield path, node["state"]
        for key, child in node.items():
            if key != "state":
                yield from _estimator_nodes(child, f"{path}/{key}" if path else str(key))
    elif isinstance(node, list | tuple):
        for index, child in enumerate(node):
            yield from _estimator_nodes(child, f"{path}/{index}" if path else str(index))


def is_keyed(state: dict[str, Any]) -> bool:
    """Whether a step holds per-key state (never averaged: each key has one home)."""
    return "keys_" in state


def global_arrays(snapshot: Any) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The averageable arrays of a pipeline snapshot by ``"<step path>.<attribute>"``, and
    each step's signature (its fitted features and classes)."""
    arrays: dict[str, np.ndarray] = {}
    signatures: dict[str, str] = {}
    for path, state in _estimator_nodes(snapshot):
        if is_keyed(state):
            continue
        floats = {name: value for name, value in state.items()
                  if isinstance(value, np.ndarray) and value.dtype.kind == "f"}
        if not floats:
            continue
        signatures[path] = repr([state.get(k) for k in _SIGNATURE_KEYS])
        for name, value in floats.items():
            arrays[f"{path}.{name}"] = value
    return arrays, signatures


def with_arrays(snapshot: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The snapshot with the given arrays in place of its own (the snapshot is changed)."""
    states = dict(_estimator_nodes(snapshot))
    for name, value in arrays.items():
        path, attribute = name.rsplit(".", 1)
        state = states.get(path)
        if state is not None and attribute in state:
            state[attribute] = np.array(value, dtype=state[attribute].dtype, copy=True)
    return snapshot


def average(contributions: list[tuple[dict[str, np.ndarray], dict[str, str], float]]
            ) -> dict[str, np.ndarray]:
    """The weighted average of each array that every contribution holds with the same shape
    and the same step signature (see the module docstring)."""
    if not contributions:
        return {}
    weights = np.array([max(float(w), 0.0) for _, _, w in contributions])
    if weights.sum() <= 0:
        weights = np.ones(len(contributions))
    weights = weights / weights.sum()
    first_arrays, first_signatures, _ = contributions[0]
    merged: dict[str, np.ndarray] = {}
    for name, value in first_arrays.items():
        step = name.rsplit(".", 1)[0]
        same = all(name in arrays and arrays[name].shape == value.shape
                   and signatures.get(step) == first_signatures.get(step)
                   for arrays, signatures, _ in contributions)
        if same:
            merged[name] = sum(w * arrays[name] for w, (arrays, _, _) in
                               zip(weights, contributions))
    return merged


class ParameterAverager:
    """The coordinator (a Ray actor in a cluster): the latest global arrays of each worker,
    and their weighted average."""

    def __init__(self) -> None:
        self.latest: dict[int, tuple[dict[str, np.ndarray], dict[str, str], float]] = {}
        self.finals: dict[int, tuple[dict[str, np.ndarray], dict[str, str], float]] = {}
        self.rounds = 0

    def sync(self, worker: int, arrays: dict[str, np.ndarray], signatures: dict[str, str],
             learnt_since_last: float) -> dict[str, np.ndarray]:
        """Record a worker's arrays and return the average over every worker's latest."""
        self.latest[worker] = (arrays, signatures, learnt_since_last)
        self.rounds += 1
        return average([self.latest[w] for w in sorted(self.latest)])

    def final(self, worker: int, arrays: dict[str, np.ndarray], signatures: dict[str, str],
              learnt_in_all: float) -> None:
        """Record a worker's arrays at the end of its run."""
        self.finals[worker] = (arrays, signatures, learnt_in_all)

    def merged(self) -> dict[str, np.ndarray]:
        """The published model's arrays: the average of the workers' final arrays, weighted
        by the events each learnt in all."""
        return average([self.finals[w] for w in sorted(self.finals)])

    def stats(self) -> dict[str, Any]:
        return {"rounds": self.rounds, "workers": sorted(self.latest)}
