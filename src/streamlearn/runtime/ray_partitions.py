"""Which partitions of the job's log each worker reads, and one source over several of them.

The log assigns the partitions; streamlearn only names them (DESIGN.md §7):

- **Redis Streams**, ``source: {type: redis, stream: tx, partitions: 4}``: partition ``p`` is
  the stream ``tx:p`` (see :func:`~streamlearn.runtime.partitioning.produce_redis`), read
  through the job's consumer group by the consumer ``<consumer>-p<p>``. The consumer name
  belongs to the partition, not to the worker, so whichever actor reads a partition after a
  restart finds that partition's pending entries (its PEL) again.
- **Redis Streams** without ``partitions``: one stream shared by every worker through the
  consumer group (``XREADGROUP`` hands each entry to one consumer, ``<consumer>-w<i>``).
  Entries go to whichever worker asks first, so this mode is for jobs without keyed state.
  Each worker takes over, with ``XAUTOCLAIM``, the entries pending longer than
  ``claim_idle_ms`` (default :data:`SHARED_CLAIM_IDLE_MS`) in a consumer that is gone
  (a worker of a run with more workers, say), so none is stranded.
- **Kafka**: the topic's partitions (or the ``partitions`` listed), partition ``p`` to worker
  ``i`` when ``p mod workers == i``; offsets are committed for the job's consumer group.
- **Files** (csv, jsonl, parquet) whose ``path`` is a glob: the ``k``-th matching file (in
  sorted order) is shard ``k``, read by worker ``k mod workers``.

Each worker reads its partitions through one :class:`MergedSource`; its position is the
mapping of every partition's own position, so a checkpoint holds them all.
"""

from __future__ import annotations

import glob
import socket
from dataclasses import replace
from typing import Any

from streamlearn.connectors.base import Source
from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Decoded, Schema
from streamlearn.runtime.factory import make_source
from streamlearn.runtime.partitioning import partition_stream

FILE_TYPES = ("csv", "jsonl", "parquet")
SHARED_CLAIM_IDLE_MS = 30_000


def list_partitions(source: dict[str, Any]) -> list[str] | None:
    """The partitions of the job's source, or None for a source shared through a consumer
    group (a Redis stream without ``partitions``)."""
    kind = source["type"]
    if kind == "redis":
        count = source.get("partitions")
        if count is None:
            return None
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ParameterError("The 'partitions' of a redis source must be an int >= 1 (the "
                                 f"streams <stream>:0 .. <stream>:N-1). Got {count!r} instead.")
        return [str(p) for p in range(count)]
    if kind == "kafka":
        if source.get("partitions") is not None:
            return [str(int(p)) for p in source["partitions"]]
        options = {k: v for k, v in source.items() if k not in ("type", "stop_when_empty")}
        probe = make_source({"type": "kafka", **options}, Schema())
        try:
            return probe.partitions
        finally:
            probe.close()
    if kind in FILE_TYPES:
        files = sorted(glob.glob(str(source["path"])))
        if not files:
            raise ParameterError(f"no file matches the path {source['path']!r} of the "
                                 f"{kind} source")
        return files
    raise ParameterError(f"a {kind} source cannot be spread over workers; use redis, kafka "
                         "or files (csv, jsonl, parquet), or the local executor")


def assigned(partitions: list[str], worker: int, workers: int) -> list[str]:
    """The partitions of ``worker``: the ``k``-th partition goes to worker ``k mod workers``."""
    return [p for k, p in enumerate(partitions) if k % workers == worker]


def worker_sources(source: dict[str, Any], partitions: list[str] | None,
                   worker: int) -> dict[str, dict[str, Any]]:
    """The source configuration of each partition a worker reads, by partition name."""
    kind, options = source["type"], {k: v for k, v in source.items() if k != "partitions"}
    if kind == "redis":
        consumer = source.get("consumer") or socket.gethostname()
        if partitions is None:
            return {"shared": {**options, "consumer": f"{consumer}-w{worker}",
                               "claim_idle_ms": claim_idle_ms(source)}}
        return {p: {**options, "stream": partition_stream(source["stream"], int(p)),
                    "consumer": f"{consumer}-p{p}"} for p in partitions}
    if kind == "kafka":
        return {"kafka": {**options, "partitions": [int(p) for p in partitions or ()]}}
    return {path: {**options, "path": path} for path in partitions or ()}


def claim_idle_ms(source: dict[str, Any]) -> int:
    """How long an entry of a shared Redis stream stays pending before a worker claims it."""
    return int(source.get("claim_idle_ms") or SHARED_CLAIM_IDLE_MS)


def make_worker_source(source: dict[str, Any], schema: Schema,
                       partitions: list[str] | None, worker: int) -> Source:
    """One source over all the partitions a worker reads (the source itself when one)."""
    configs = worker_sources(source, partitions, worker)
    parts = {name: make_source(config, schema) for name, config in configs.items()}
    return next(iter(parts.values())) if len(parts) == 1 else MergedSource(parts)


class MergedSource(Source):
    """Several sources read as one: each ``read`` takes what every part has (up to
    ``max_events`` in all, starting with a different part each time so that none starves);
    ``position()`` is ``{part: its position}``; ``None`` once every part has ended.

    Dead letters are renumbered ``index * parts + part`` so that their numbers stay unique.
    """

    name = "merged"

    def __init__(self, parts: dict[str, Source]):
        if not parts:
            raise ParameterError("a MergedSource needs at least one part")
        self.parts = parts
        self._ended: set[str] = set()
        self._start = 0

    @property
    def partitions(self) -> list[str]:
        return list(self.parts)

    @property
    def size_hint(self) -> int | None:
        sizes = [part.size_hint for part in self.parts.values()]
        return None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[misc]

    def open(self) -> None:
        for part in self.parts.values():
            part.open()

    def close(self) -> None:
        for part in self.parts.values():
            part.close()

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        names = list(self.parts)
        order = names[self._start:] + names[:self._start]
        self._start = (self._start + 1) % len(names)
        pieces = self._read_round(order, max_events, 0)
        if not pieces and timeout_ms > 0:
            live = [n for n in order if n not in self._ended]
            pieces = self._read_round(live, max_events, max(1, timeout_ms // max(len(live), 1)))
        if not pieces and len(self._ended) == len(names):
            return None
        batches = [d.batch for _, d in pieces if len(d.batch)]
        dead = [replace(letter, index=letter.index * len(names) + names.index(name))
                for name, d in pieces for letter in d.dead_letters]
        batch = Batch.concat(batches) if batches else _empty(pieces)
        return Decoded(batch, dead)

    def _read_round(self, order: list[str], max_events: int,
                    timeout_ms: int) -> list[tuple[str, Decoded]]:
        pieces: list[tuple[str, Decoded]] = []
        room = max_events
        for name in order:
            if room <= 0:
                break
            if name in self._ended:
                continue
            decoded = self.parts[name].read(room, timeout_ms)
            if decoded is None:
                self._ended.add(name)
                continue
            if len(decoded.batch) or decoded.dead_letters:
                pieces.append((name, decoded))
                room -= len(decoded.batch) + len(decoded.dead_letters)
        return pieces

    def position(self) -> dict[str, Any]:
        return {name: part.position() for name, part in self.parts.items()}

    def seek(self, position: Any) -> None:
        for name, value in _by_part(position, self.parts).items():
            self.parts[name].seek(value)
            self._ended.discard(name)

    def commit(self, position: Any) -> None:
        for name, value in _by_part(position, self.parts).items():
            self.parts[name].commit(value)

    def consumer_lag(self) -> int | None:
        """Entries of every part not yet read, when each part knows its own (else None)."""
        lags = [getattr(part, "consumer_lag", lambda: None)() for part in self.parts.values()]
        return None if any(lag is None for lag in lags) else sum(lags)


def _by_part(position: Any, parts: dict[str, Source]) -> dict[str, Any]:
    if not isinstance(position, dict) or set(position) - set(parts):
        raise ParameterError(f"a merged position maps the parts {sorted(parts)} to their "
                             f"positions. Got {position!r} instead (were the partitions "
                             "or workers changed since the checkpoint? then start with --fresh)")
    return {name: value for name, value in position.items() if value is not None}


def _empty(pieces: list[tuple[str, Decoded]]) -> Batch:
    """An empty batch: one a part returned (it has the schema's columns) or a blank one."""
    if pieces:
        return pieces[0][1].batch
    return decode_payloads([], Schema(), ids=[]).batch
