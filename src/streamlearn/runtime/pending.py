"""Predictions waiting for labels that arrive later, joined by event id.

Kept in arrival order, in chunks (one per micro-batch): the features as the model saw them,
and the answer it gave. At most ``max_events`` are held; beyond that the oldest chunk
expires (its events are counted as ``expired`` and a label arriving for them later is
counted as unmatched). Nothing is ever unbounded.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch


class PendingPredictions:
    def __init__(self, max_events: int):
        self.max_events = max_events
        self.chunks: OrderedDict[int, tuple[Batch, np.ndarray]] = OrderedDict()
        self.where: dict[Any, tuple[int, int]] = {}     # event id -> (chunk, row)
        self.next_chunk = 0
        self.expired = 0

    def __len__(self) -> int:
        return len(self.where)

    def add(self, batch: Batch, answers: np.ndarray) -> None:
        if len(batch) == 0:
            return
        chunk = self.next_chunk
        self.next_chunk += 1
        self.chunks[chunk] = (batch, answers)
        for row, event_id in enumerate(batch.ids.tolist()):
            self.where[event_id] = (chunk, row)
        while len(self.where) > self.max_events and self.chunks:
            self._expire_oldest()

    def _expire_oldest(self) -> None:
        chunk, (batch, _) = self.chunks.popitem(last=False)
        for event_id in batch.ids.tolist():
            if self.where.get(event_id, (None,))[0] == chunk:
                del self.where[event_id]
                self.expired += 1

    def take(self, event_ids: list[Any]) -> tuple[Batch, np.ndarray, list[int]] | None:
        """Remove and return the waiting events with these ids (features and answers), and
        the positions in ``event_ids`` that matched."""
        found = [(k, self.where.pop(i)) for k, i in enumerate(event_ids) if i in self.where]
        if not found:
            return None
        parts, answers = [], []
        for _, (chunk, row) in found:
            batch, chunk_answers = self.chunks[chunk]
            parts.append(batch.take(np.array([row])))
            answers.append(chunk_answers[row: row + 1])
        self._drop_empty_chunks({chunk for _, (chunk, _) in found})
        width = max(a.shape[1] for a in answers) if answers[0].ndim == 2 else 0
        if width:
            answers = [np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in answers]
        return Batch.concat(parts), np.concatenate(answers), [k for k, _ in found]

    def _drop_empty_chunks(self, touched: set[int]) -> None:
        alive = {chunk for chunk, _ in self.where.values()} if touched else set()
        for chunk in touched - alive:
            self.chunks.pop(chunk, None)

    # ------------------------------------------------------------------ checkpoints
    def state(self) -> dict[str, Any]:
        live = []
        for chunk, (batch, answers) in self.chunks.items():
            rows = [r for r, i in enumerate(batch.ids.tolist())
                    if self.where.get(i, (None,))[0] == chunk]
            if rows:
                live.append({"batch": batch_state(batch.take(np.array(rows))),
                             "answers": answers[rows]})
        return {"chunks": live, "expired": self.expired}

    def restore(self, state: dict[str, Any]) -> None:
        self.chunks.clear()
        self.where.clear()
        for item in state["chunks"]:
            self.add(batch_from_state(item["batch"]), item["answers"])
        self.expired = state["expired"]


def batch_state(batch: Batch) -> dict[str, Any]:
    return {"X": batch.X, "columns": list(batch.columns), "categorical": dict(batch.categorical),
            "y": batch.y, "ids": batch.ids, "times": batch.times, "keys": batch.keys}


def batch_from_state(state: dict[str, Any]) -> Batch:
    return Batch(X=state["X"], columns=tuple(state["columns"]), categorical=state["categorical"],
                 y=state["y"], ids=state["ids"], times=state["times"], keys=state["keys"])
