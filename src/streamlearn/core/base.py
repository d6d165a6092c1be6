"""The `Estimator` base: parameters from ``__init__``, clone, snapshot/restore, tags.

Every estimator has two faces over the same state (DESIGN.md §3): per event
(``learn_one``/``predict_one``/``transform_one``, River-compatible) and per micro-batch
(``learn_many``/``predict_many``/``transform_many``). Both are thin wrappers over one primitive,
``process_many``, which walks the rows in order and is where the compiled kernels run.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

import numpy as np

DEFAULT_TAGS: dict[str, Any] = {
    "supervised": False,      # a transformer that needs labels (transforms before it learns)
    "classifier": False,
    "regressor": False,
    "transformer": False,
    "binary_only": False,     # a classifier limited to two classes
    "mini_batch": False,      # checked for determinism instead of batch-size invariance
    "handles_categorical": False,
    "clusterer": False,       # answers a cluster index
}


class Estimator:
    """Base class: hyper-parameters are exactly the ``__init__`` signature.

    Learned state lives in attributes whose names end with ``_``; ``snapshot()`` copies them,
    ``restore()`` puts them back, ``clone()`` gives an unfitted copy with the same parameters.
    """

    _tags: ClassVar[dict[str, Any]] = {}
    _param_names_cache: ClassVar[list[str] | None] = None
    _class_tags_cache: ClassVar[dict[str, Any] | None] = None

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        names = cls.__dict__.get("_param_names_cache")
        if names is None:
            signature = inspect.signature(cls.__init__)
            names = [
                name for name, p in signature.parameters.items()
                if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            cls._param_names_cache = names
        return list(names)

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters, as given to ``__init__``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def clone(self, **overrides: Any) -> Estimator:
        """An unfitted copy with the same hyper-parameters (``overrides`` replace some)."""
        params = {
            name: value.clone() if isinstance(value, Estimator) else copy.deepcopy(value)
            for name, value in self.get_params().items()
        }
        params.update(overrides)
        return type(self)(**params)

    @property
    def tags(self) -> dict[str, Any]:
        cls = type(self)
        static = cls.__dict__.get("_class_tags_cache")
        if static is None:
            static = dict(DEFAULT_TAGS)
            for klass in reversed(cls.__mro__):
                static.update(klass.__dict__.get("_tags", {}))
            cls._class_tags_cache = static
        dynamic = self._dynamic_tags()
        return {**static, **dynamic} if dynamic else dict(static)

    def _dynamic_tags(self) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------------ state
    def _state_names(self) -> list[str]:
        return sorted(
            name for name in vars(self) if name.endswith("_") and not name.startswith("_")
        )

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the learned state, including that of nested estimators."""
        state = {name: copy.deepcopy(getattr(self, name)) for name in self._state_names()}
        nested = {
            name: value.snapshot() for name, value in self.get_params().items()
            if isinstance(value, Estimator)
        }
        return {"class": type(self).__name__, "state": state, "nested": nested}

    def restore(self, snapshot: dict[str, Any]) -> Estimator:
        """Put back a state taken by :meth:`snapshot`; returns ``self``."""
        if snapshot.get("class") != type(self).__name__:
            raise ValueError(
                f"this snapshot was taken from a {snapshot.get('class')}, not a "
                f"{type(self).__name__}"
            )
        for name in self._state_names():
            delattr(self, name)
        for name, value in snapshot["state"].items():
            setattr(self, name, copy.deepcopy(value))
        for name, nested in snapshot.get("nested", {}).items():
            getattr(self, name).restore(nested)
        self._after_restore()
        return self

    def _after_restore(self) -> None:
        """Rebuild private caches derived from the learned state."""

    @property
    def is_fitted(self) -> bool:
        return bool(self._state_names())

    # ------------------------------------------------------------------ composition
    def __or__(self, other: Any):
        from streamlearn.compose import Pipeline

        return Pipeline(self, other)

    def __ror__(self, other: Any):
        from streamlearn.compose import Pipeline

        return Pipeline(other, self)

    def __repr__(self) -> str:
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        shown = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = default is not inspect.Parameter.empty and bool(default == value)
            except (TypeError, ValueError):
                same = False
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def states_equal(a: Any, b: Any) -> bool:
    """Exact equality of two snapshots (arrays compared element-wise, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        if a.dtype.kind == "f":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(states_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(states_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return bool(a == b)
