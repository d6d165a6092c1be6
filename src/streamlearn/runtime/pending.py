"""Predictions waiting for labels that arrive later, joined by event id.

Kept in arrival order, in chunks (one per micro-batch): the features as the model saw them,
and the answer it gave. Two bounds keep memory in check:

- past ``max_in_memory`` waiting events, the oldest chunks are *spilled* to the store
  (their features leave memory; only their ids stay, to find them) and read back when one of
  their labels arrives;
- past ``max_events`` waiting events in all, the oldest chunk *expires*: its events are
  counted as ``expired`` and a label arriving for them later is counted as unmatched.

A spilled chunk is deleted from the store only after the next checkpoint, so a restore from
the previous checkpoint always finds every chunk it refers to.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.serialize import dumps, loads


class SpillStore(Protocol):
    def save(self, chunk: int, blob: bytes) -> None: ...
    def load(self, chunk: int) -> bytes: ...
    def delete(self, chunks: list[int]) -> None: ...


class PendingPredictions:
    def __init__(self, max_events: int, max_in_memory: int | None = None,
                 spill: SpillStore | None = None):
        self.max_events = max_events
        self.max_in_memory = max_in_memory
        self.spill = spill
        # chunk id -> (features, answers), or None while the chunk is spilled to the store
        self.chunks: OrderedDict[int, tuple[Batch, np.ndarray] | None] = OrderedDict()
        self.where: dict[Any, tuple[int, int]] = {}     # event id -> (chunk, row)
        self.chunk_ids: dict[int, list[Any]] = {}       # chunk -> the ids it was given
        self.next_chunk = 0
        self.expired = 0
        self.spilled = 0                                # chunks written to the store, ever
        self._in_memory = 0                             # rows held by chunks in memory
        self._to_delete: list[int] = []                 # spilled chunks done with

    def __len__(self) -> int:
        return len(self.where)

    def add(self, batch: Batch, answers: np.ndarray) -> None:
        if len(batch) == 0:
            return
        chunk = self.next_chunk
        self.next_chunk += 1
        self.chunks[chunk] = (batch, answers)
        self._in_memory += len(batch)
        ids = batch.ids.tolist()
        self.chunk_ids[chunk] = ids
        for row, event_id in enumerate(ids):
            self.where[event_id] = (chunk, row)
        while len(self.where) > self.max_events and self.chunks:
            self._expire_oldest()
        self._spill_if_needed(keep=chunk)

    def _spill_if_needed(self, keep: int) -> None:
        if self.spill is None or self.max_in_memory is None:
            return
        for chunk, held in self.chunks.items():
            if self._in_memory <= self.max_in_memory:
                return
            if held is None or chunk == keep:
                continue
            batch, answers = held
            self.spill.save(chunk, dumps({"batch": batch_state(batch), "answers": answers}))
            if chunk in self._to_delete:   # read back earlier, spilled again: keep it
                self._to_delete.remove(chunk)
            self.chunks[chunk] = None
            self._in_memory -= len(batch)
            self.spilled += 1

    def _held(self, chunk: int) -> tuple[Batch, np.ndarray]:
        held = self.chunks[chunk]
        if held is None:  # read a spilled chunk back
            state = loads(self.spill.load(chunk))  # type: ignore[union-attr]
            held = (batch_from_state(state["batch"]), state["answers"])
            self.chunks[chunk] = held
            self._in_memory += len(held[0])
            self._to_delete.append(chunk)
        return held

    def _expire_oldest(self) -> None:
        chunk, held = self.chunks.popitem(last=False)
        for event_id in self.chunk_ids.pop(chunk, []):
            if self.where.get(event_id, (None,))[0] == chunk:
                del self.where[event_id]
                self.expired += 1
        if held is None:
            self._to_delete.append(chunk)
        else:
            self._in_memory -= len(held[0])

    def take(self, event_ids: list[Any]) -> tuple[Batch, np.ndarray, list[int]] | None:
        """Remove and return the waiting events with these ids (features and answers), and
        the positions in ``event_ids`` that matched."""
        found = [(k, self.where.pop(i)) for k, i in enumerate(event_ids) if i in self.where]
        if not found:
            return None
        # one take per chunk (not per event), then the rows back in the order of event_ids
        members: dict[int, list[int]] = {}
        for n, (_, (chunk, _)) in enumerate(found):
            members.setdefault(chunk, []).append(n)
        parts, answers, order = [], [], []
        for chunk, ns in members.items():
            batch, chunk_answers = self._held(chunk)
            rows = np.array([found[n][1][1] for n in ns])
            parts.append(batch.take(rows))
            answers.append(chunk_answers[rows])
            order.extend(ns)
        self._drop_empty_chunks(set(members))
        if answers[0].ndim == 2:
            width = max(a.shape[1] for a in answers)
            answers = [np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in answers]
        joined = parts[0] if len(parts) == 1 else Batch.concat(parts)
        back = np.argsort(np.array(order), kind="stable")
        return joined.take(back), np.concatenate(answers)[back], [k for k, _ in found]

    def _drop_empty_chunks(self, touched: set[int]) -> None:
        alive = {chunk for chunk, _ in self.where.values()}
        for chunk in touched - alive:
            held = self.chunks.pop(chunk, None)
            self.chunk_ids.pop(chunk, None)
            if held is not None:
                self._in_memory -= len(held[0])

    def after_checkpoint(self) -> None:
        """Spilled chunks read back or expired before this checkpoint can go."""
        if self._to_delete and self.spill is not None:
            self.spill.delete(self._to_delete)
        self._to_delete = []

    # ------------------------------------------------------------------ checkpoints
    def state(self) -> dict[str, Any]:
        live_rows: dict[int, list[int]] = {}
        for chunk, row in self.where.values():
            live_rows.setdefault(chunk, []).append(row)
        in_memory, spilled = [], []
        for chunk, held in self.chunks.items():
            rows = sorted(live_rows.get(chunk, []))
            if not rows:
                continue
            if held is None:
                ids = [i for i in self.chunk_ids[chunk] if self.where.get(i, (None,))[0] == chunk]
                spilled.append({"chunk": chunk, "ids": ids,
                                "rows": [self.where[i][1] for i in ids]})
            else:
                batch, answers = held
                in_memory.append({"batch": batch_state(batch.take(np.array(rows))),
                                  "answers": answers[rows]})
        return {"chunks": in_memory, "spilled": spilled, "expired": self.expired,
                "next_chunk": self.next_chunk, "spilled_count": self.spilled}

    def restore(self, state: dict[str, Any]) -> None:
        self.chunks.clear()
        self.where.clear()
        self.chunk_ids.clear()
        self._in_memory = 0
        for item in state.get("spilled", []):
            self.chunks[item["chunk"]] = None
            self.chunk_ids[item["chunk"]] = list(item["ids"])
            for event_id, row in zip(item["ids"], item["rows"]):
                self.where[event_id] = (item["chunk"], row)
        self.next_chunk = max([state.get("next_chunk", 0),
                               *[c + 1 for c in self.chunks]])
        for item in state["chunks"]:
            self.add(batch_from_state(item["batch"]), item["answers"])
        self.expired = state["expired"]
        self.spilled = state.get("spilled_count", 0)


def batch_state(batch: Batch) -> dict[str, Any]:
    return {"X": batch.X, "columns": list(batch.columns), "categorical": dict(batch.categorical),
            "y": batch.y, "ids": batch.ids, "times": batch.times, "keys": batch.keys}


def batch_from_state(state: dict[str, Any]) -> Batch:
    return Batch(X=state["X"], columns=tuple(state["columns"]), categorical=state["categorical"],
                 y=state["y"], ids=state["ids"], times=state["times"], keys=state["keys"])
