"""A tree as a dict of numpy arrays: allocation and growth.

The node and leaf arrays are described in :mod:`streamlearn.trees._kernels`. Each task adds
its leaf statistics, described by a *schema*: array name -> the size of each axis after the
first (the leaf slot), either a number or the name of a dimension that grows with the
stream (``"classes"``, ``"numeric"`` and ``"nominal"`` features, ``"categories"``). The
first axis is the leaf capacity, doubled whenever a kernel stops for want of a free slot.
Growth appends zeros, which every kernel reads as "nothing learnt yet", so arrays can grow
between any two events without changing a single answer.
"""

from __future__ import annotations

import numpy as np

from streamlearn.trees import _kernels as k

Schema = dict[str, tuple[int | str, ...]]
INITIAL_CAPACITY = 4


def new_tree(schema: Schema, dims: dict[str, int], seed: int, stream: int,
             max_features: int) -> dict[str, np.ndarray]:
    """A tree with one empty, active root leaf; ``stream`` keys its random numbers."""
    capacity = INITIAL_CAPACITY
    tree = {
        "node_int": np.full((2 * capacity, k.NODE_INT_WIDTH), -1, dtype=np.int64),
        "node_float": np.zeros((2 * capacity, k.NODE_FLOAT_WIDTH)),
        "counts": np.array([1, 1, 0, seed, stream], dtype=np.int64),
        "leaf_float": np.zeros((capacity, k.LEAF_FLOAT_WIDTH)),
        "leaf_int": np.zeros((capacity, k.LI_FEATURES + max_features), dtype=np.int64),
    }
    for name, axes in schema.items():
        tree[name] = np.zeros((capacity, *(_size(a, dims) for a in axes)))
    tree["node_int"][0] = (-1, -1, 0, 0)
    tree["leaf_float"][0, k.L_ACTIVE] = 1.0
    tree["leaf_int"][0, k.LI_SUBSPACE] = -1
    return tree


def _size(axis: int | str, dims: dict[str, int]) -> int:
    return axis if isinstance(axis, int) else dims[axis]


def fit_dims(tree: dict[str, np.ndarray], schema: Schema, dims: dict[str, int]) -> None:
    """Grow the statistics of ``tree`` so each named axis has the size ``dims`` gives."""
    for name, axes in schema.items():
        array = tree[name]
        target = tuple(_size(a, dims) for a in axes)
        if array.shape[1:] != target:
            pad = [(0, 0)] + [(0, t - s) for s, t in zip(array.shape[1:], target)]
            tree[name] = np.pad(array, pad)


def grow_capacity(tree: dict[str, np.ndarray], schema: Schema) -> None:
    """Double the number of leaf slots and nodes of ``tree`` (per-node arrays are those
    with twice as many rows as there are slots; new integer rows are -1, float rows 0)."""
    capacity = tree["leaf_float"].shape[0]
    for name, array in tree.items():
        if name == "counts" or array.ndim == 0 or name.endswith("counts"):
            continue
        if array.shape[0] == 2 * capacity:
            fill = -1 if array.dtype.kind == "i" else 0
            tree[name] = np.concatenate([array, np.full_like(array, fill)])
        elif name in ("leaf_float", "leaf_int", *schema):
            tree[name] = np.concatenate([array, np.zeros_like(array)])


def n_leaves(tree: dict[str, np.ndarray]) -> int:
    return int(tree["counts"][k.C_LEAVES])


def depth(tree: dict[str, np.ndarray]) -> int:
    n = int(tree["counts"][k.C_NODES])
    return int(tree["node_int"][:n, k.N_DEPTH].max()) if n else 0


def copy_tree(tree: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in tree.items()}
