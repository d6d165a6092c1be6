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

``dumps_safetensors`` / ``loads_safetensors`` hold the same document in a safetensors file
instead (extra ``deep``): the arrays as tensors, the JSON document in the file's metadata.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from streamlearn.core.errors import require

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
            if self.as_json(value):
                encoded = {"__objarray__": [self.encode(v, f"{path}[]") for v in value.ravel()],
                           "shape": list(value.shape)}
                if value.dtype.kind != "O":
                    encoded["dtype"] = value.dtype.str
                return encoded
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

    def as_json(self, array: np.ndarray) -> bool:
        """Whether an array goes into the JSON document rather than the binary part."""
        return array.dtype.kind == "O"


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
        if "dtype" in value:
            items = items.astype(value["dtype"])
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


_SAFETENSORS_KEY = "streamlearn"


class _TensorEncoder(_Encoder):
    def as_json(self, array: np.ndarray) -> bool:
        return array.dtype.kind not in "biuf"  # what safetensors stores


def dumps_safetensors(value: Any) -> bytes:
    """``value`` as a safetensors file: numeric arrays as tensors, everything else in the JSON
    document kept in the file's metadata (never pickle, like :func:`dumps`)."""
    safetensors_numpy = require("safetensors.numpy", "deep")
    encoder = _TensorEncoder()
    document = {"format": FORMAT_VERSION, "value": encoder.encode(value)}
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
    arrays = {name: array if array.flags.c_contiguous else array.copy(order="C")
              for name, array in encoder.arrays.items()}
    return bytes(safetensors_numpy.save(arrays, metadata={_SAFETENSORS_KEY: json.dumps(document)}))


def loads_safetensors(blob: bytes) -> Any:
    """Read what :func:`dumps_safetensors` wrote."""
    safetensors_numpy = require("safetensors.numpy", "deep")
    header_size = int.from_bytes(blob[:8], "little")
    if len(blob) < 8 or header_size > len(blob) - 8:
        raise ValueError("not a safetensors file (truncated header)")
    metadata = json.loads(blob[8:8 + header_size]).get("__metadata__") or {}
    if _SAFETENSORS_KEY not in metadata:
        raise ValueError("not a streamlearn safetensors file (no streamlearn header)")
    document = json.loads(metadata[_SAFETENSORS_KEY])
    if document.get("format") != FORMAT_VERSION:
        raise ValueError(f"unknown snapshot format {document.get('format')!r}; this "
                         f"streamlearn reads format {FORMAT_VERSION}")
    arrays = safetensors_numpy.load(blob)
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
