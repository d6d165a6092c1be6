"""A safe format for snapshots and checkpoints: a JSON header plus numpy arrays, never pickle.

``dumps(value)`` writes an ``.npz`` archive (numpy's zip of ``.npy`` files) holding the
numeric arrays found in ``value`` and a JSON document for everything else; ``loads`` reads it
back with ``allow_pickle=False``, so loading a file can never run code. Values may be
nested dicts, lists and tuples of numbers, strings, booleans, None and numpy arrays (object
arrays are stored as JSON lists).

>>> import numpy as np
>>> blob = dumps({"w": np.array([1.5, 2.0]), "classes": [False, True], "k": (1, "a"),
...               "by_key": {3: "x"}})
>>> back = loads(blob)
>>> back["w"].tolist(), back["classes"], back["k"], back["by_key"]
([1.5, 2.0], [False, True], (1, 'a'), {3: 'x'})
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 1
_HEADER = "__header__"


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any, path: str = "$") -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            if value.dtype.kind == "O":
                return {"__objarray__": [self.encode(v, f"{path}[]") for v in value.ravel()],
                        "shape": list(value.shape)}
            name = f"a{len(self.arrays)}"
            self.arrays[name] = value
            return {"__array__": name}
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{path}[]") for v in value]}
        if isinstance(value, list):
            return [self.encode(v, f"{path}[]") for v in value]
        if isinstance(value, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in value):
                return {k: self.encode(v, f"{path}.{k}") for k, v in value.items()}
            return {"__dict__": [[self.encode(k, path), self.encode(v, f"{path}[{k!r}]")]
                                 for k, v in value.items()]}
        raise TypeError(f"cannot store a {type(value).__name__} at {path} in a snapshot; "
                        "snapshots hold numbers, strings, lists, dicts and numpy arrays")


def _decode(value: Any, arrays: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__objarray__" in value:
        items = np.empty(len(value["__objarray__"]), dtype=object)
        items[:] = [_decode(v, arrays) for v in value["__objarray__"]]
        return items.reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__dict__" in value:
        return {_hashable(_decode(k, arrays)): _decode(v, arrays) for k, v in value["__dict__"]}
    return {k: _decode(v, arrays) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(value: Any) -> bytes:
    """``value`` as bytes in the safe format."""
    encoder = _Encoder()
    document = {"format": FORMAT_VERSION, "value": encoder.encode(value)}
    header = np.frombuffer(json.dumps(document).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {_HEADER: header, **encoder.arrays}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def loads(blob: bytes) -> Any:
    """Read what :func:`dumps` wrote (never unpickles)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        document = json.loads(archive[_HEADER].tobytes().decode())
        if document.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown snapshot format {document.get('format')!r}; this "
                             f"streamlearn reads format {FORMAT_VERSION}")
        arrays = {name: archive[name] for name in archive.files if name != _HEADER}
    return _decode(document["value"], arrays)


def write_atomically(path: str | Path, blob: bytes) -> None:
    """Write ``blob`` to ``path`` so that a crash leaves either the old file or the new one:
    write a temporary file, fsync it, rename it over ``path``, fsync the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(blob)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
