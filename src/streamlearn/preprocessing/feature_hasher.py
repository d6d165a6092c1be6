"""The hashing trick: features of any cardinality into a fixed-width sparse block."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch, SparseBlock
from streamlearn.core.errors import SchemaError
from streamlearn.core.learners import Transformer
from streamlearn.preprocessing._categories import factorise
from streamlearn.preprocessing._hashing_kernels import bucket_and_sign
from streamlearn.preprocessing._validation import check_bool, check_columns, fail


class FeatureHasher(Transformer):
    """Hash features into ``n_features`` buckets (Weinberger et al. 2009, "Feature hashing for
    large scale multitask learning").

    A categorical feature contributes 1 under the token ``"name=value"``, a numeric one its
    value under the token ``"name"``. A token goes to bucket ``|h| mod n_features`` where
    ``h`` is its signed 32-bit MurmurHash3 (utf-8 bytes, ``seed``); with ``alternate_sign``
    the contribution is negated when ``h < 0``, which keeps inner products unbiased under
    collisions. Colliding contributions add up. The buckets and signs are those of
    scikit-learn's ``FeatureHasher(input_type="dict")`` (whose seed is 0). Each distinct
    token of a batch is hashed once, in one compiled call.

    The hashed columns (all, or those listed in ``columns``) leave ``X`` and ``categorical``
    and come out as a :class:`~streamlearn.core.batch.SparseBlock` of width ``n_features``
    on the batch (entries of a row sorted by bucket, zeros left out); other columns pass
    through. Missing and non-finite values contribute nothing. The hasher learns nothing.
    ``transform_one`` gives the remaining features plus ``{bucket: value}``, as River does.

    >>> hasher = FeatureHasher(n_features=16)
    >>> hasher.transform_one({"colour": "red", "size": 2.5})
    {1: 1.0, 6: -2.5}
    >>> block = hasher.transform_many([{"colour": "red"}, {"colour": "blue"}]).sparse
    >>> block.indptr.tolist(), block.indices.tolist(), block.values.tolist()
    ([0, 1, 2], [1, 0], [1.0, -1.0])
    """

    _tags = {"handles_categorical": True}

    def __init__(self, n_features: int = 2**18, columns: list[str] | None = None,
                 seed: int = 0, alternate_sign: bool = True):
        self.n_features = n_features
        self.columns = columns
        self.seed = seed
        self.alternate_sign = alternate_sign

    def _check_params(self) -> tuple[str, ...] | None:
        for name, high in (("n_features", 2**31 - 1), ("seed", 2**32 - 1)):
            value = getattr(self, name)
            low = 1 if name == "n_features" else 0
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or not (
                    low <= value <= high):
                fail(self, name, f"an int in [{low}, {high}]", value)
        check_bool(self, "alternate_sign", self.alternate_sign)
        return check_columns(self, "columns", self.columns)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        out_pred = self._hash(X_pred)
        return out_pred, out_pred if X_learn is X_pred else self._hash(X_learn)

    def _tokens(self, batch: Batch) -> tuple[list[str], list[tuple[np.ndarray, np.ndarray]]]:
        """Every distinct token of the batch, and per token group (rows, token, value)."""
        listed = self._check_params()
        tokens: list[str] = []
        groups = []
        for name in sorted(set(batch.columns) | set(batch.categorical)):
            if listed is not None and name not in listed:
                continue
            if name in batch.categorical:
                values, codes = factorise(batch.categorical[name])
                rows = np.flatnonzero(codes >= 0)
                groups.append((rows, codes[rows] + len(tokens), np.ones(len(rows))))
                tokens += [f"{name}={v}" for v in values]
            else:
                column = batch.X[:, batch.columns.index(name)]
                rows = np.flatnonzero(np.isfinite(column) & (column != 0.0))
                groups.append((rows, np.full(len(rows), len(tokens)), column[rows]))
                tokens.append(name)
        return tokens, groups

    def _hash(self, batch: Batch) -> Batch:
        tokens, groups = self._tokens(batch)
        encoded = [t.encode("utf-8") for t in tokens]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        buckets = np.empty(len(tokens), dtype=np.int64)
        signs = np.empty(len(tokens))
        bucket_and_sign(data, offsets, self.seed, self.n_features, bool(self.alternate_sign),
                        buckets, signs)
        rows = [g[0] for g in groups]
        indices = [buckets[g[1]] for g in groups]
        values = [signs[g[1]] * g[2] for g in groups]
        if batch.sparse is not None:
            if batch.sparse.width != self.n_features:
                raise SchemaError(
                    f"the batch already holds hashed features of width {batch.sparse.width}; "
                    f"give every FeatureHasher of the pipeline n_features={batch.sparse.width}")
            rows.append(np.repeat(np.arange(len(batch)), np.diff(batch.sparse.indptr)))
            indices.append(batch.sparse.indices)
            values.append(batch.sparse.values)
        block = _canonical(len(batch), self.n_features, rows, indices, values)
        hashed = {name for name in batch.columns if self.columns is None or name in self.columns}
        kept = [j for j, name in enumerate(batch.columns) if name not in hashed]
        categorical = {
            k: v for k, v in batch.categorical.items()
            if self.columns is not None and k not in self.columns
        }
        return batch.with_features(np.ascontiguousarray(batch.X[:, kept]),
                                   [batch.columns[j] for j in kept], categorical, sparse=block)


def _canonical(n: int, width: int, rows: list, indices: list, values: list) -> SparseBlock:
    """CSR with each row's entries sorted by bucket, duplicates summed in input order, zeros
    dropped."""
    row = np.concatenate([*rows, np.zeros(0, np.int64)]).astype(np.int64)
    index = np.concatenate([*indices, np.zeros(0, np.int64)]).astype(np.int64)
    value = np.concatenate([*values, np.zeros(0)]).astype(np.float64)
    order = np.argsort(row * width + index, kind="stable")
    row, index, value = row[order], index[order], value[order]
    if len(row):
        starts = np.flatnonzero(np.r_[True, (row[1:] != row[:-1]) | (index[1:] != index[:-1])])
        row, index, value = row[starts], index[starts], np.add.reduceat(value, starts)
        nonzero = value != 0.0
        row, index, value = row[nonzero], index[nonzero], value[nonzero]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return SparseBlock(indptr, index, value, width)
