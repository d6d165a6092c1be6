"""MurmurHash3 (32-bit, x86 variant) over many byte strings at once, in numba."""

from __future__ import annotations

import numpy as np
from numba import njit

_MASK = np.uint64(0xFFFFFFFF)


@njit(cache=True)
def _rotate_left(x, r):
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _MASK


@njit(cache=True)
def _mix_block(k):
    k = (k * np.uint64(0xCC9E2D51)) & _MASK
    k = _rotate_left(k, 15)
    return (k * np.uint64(0x1B873593)) & _MASK


@njit(cache=True)
def murmurhash3_32(data, start, stop, seed):
    """Signed 32-bit MurmurHash3 of ``data[start:stop]`` (the value scikit-learn's
    ``murmurhash3_32(key, seed)`` gives for the same utf-8 bytes)."""
    h = np.uint64(seed) & _MASK
    length = stop - start
    end = start + (length // 4) * 4
    for p in range(start, end, 4):
        k = (np.uint64(data[p]) | (np.uint64(data[p + 1]) << np.uint64(8))
             | (np.uint64(data[p + 2]) << np.uint64(16))
             | (np.uint64(data[p + 3]) << np.uint64(24)))
        h ^= _mix_block(k)
        h = _rotate_left(h, 13)
        h = (h * np.uint64(5) + np.uint64(0xE6546B64)) & _MASK
    tail = length & 3
    if tail:
        k = np.uint64(0)
        if tail == 3:
            k ^= np.uint64(data[end + 2]) << np.uint64(16)
        if tail >= 2:
            k ^= np.uint64(data[end + 1]) << np.uint64(8)
        k ^= np.uint64(data[end])
        h ^= _mix_block(k)
    h ^= np.uint64(length)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _MASK
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _MASK
    h ^= h >> np.uint64(16)
    signed = np.int64(h)
    if signed >= 2**31:
        signed -= 2**32
    return signed


@njit(cache=True)
def bucket_and_sign(data, offsets, seed, width, alternate_sign, buckets, signs):
    """Bucket (``|h| mod width``, as scikit-learn) and sign (of ``h``) of every string
    ``data[offsets[t]:offsets[t + 1]]``."""
    for t in range(len(offsets) - 1):
        h = murmurhash3_32(data, offsets[t], offsets[t + 1], seed)
        if h == -(2**31):  # |h| overflows a 32-bit int; scikit-learn special-cases it
            buckets[t] = (2**31 - 1 - (width - 1)) % width
        else:
            buckets[t] = abs(h) % width
        signs[t] = -1.0 if alternate_sign and h < 0 else 1.0
