"""Replay buffers: events kept from the past and mixed into later gradient steps.

``"reservoir"`` keeps a uniform sample of everything seen (Vitter's Algorithm R, 1985);
``"recent"`` keeps the most recent events (a ring buffer), so older concepts fade out. Both
hold model inputs (after imputation) and targets as numpy arrays on the estimator, so they
are part of its snapshot.

J. S. Vitter. Random sampling with a reservoir. ACM Transactions on Mathematical Software
11(1), 37-57, 1985.
"""

from __future__ import annotations

import numpy as np

KINDS = (None, "reservoir", "recent")


def slots(kind: str, capacity: int, seen: int, count: int, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray]:
    """(positions among the ``count`` new events that are kept, the slot each one takes).

    When two new events land in the same slot the later one wins, as if added one by one.
    """
    order = seen + np.arange(count)
    if kind == "recent":
        target = order % capacity
    else:
        target = order.copy()
        full = order >= capacity
        if full.any():
            target[full] = rng.integers(0, order[full] + 1)
    kept = np.flatnonzero(target < capacity)
    target = target[kept]
    # keep the last event that lands in each slot
    _, last = np.unique(target[::-1], return_index=True)
    chosen = np.sort(len(target) - 1 - last)
    return kept[chosen], target[chosen]


def sample(filled: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` slots drawn uniformly, with replacement, among the ``filled`` ones."""
    return rng.integers(0, filled, size=count)
