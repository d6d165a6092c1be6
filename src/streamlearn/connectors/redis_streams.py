"""Redis Streams: a consumer-group source, a pipelined sink, and a fast ``produce`` helper.

Each stream entry carries one event as JSON in one field (``data`` by default). The source
reads through a consumer group (https://redis.io/docs/latest/develop/data-types/streams/):
``XREADGROUP`` hands each entry to one consumer and keeps it in that consumer's pending
entries list (PEL) until ``XACK``. streamlearn acknowledges only at ``commit``, i.e. after a
checkpoint, so after a crash the entries read since the last checkpoint are still pending and
are read again from the PEL: nothing is lost, and ``seek`` skips what the checkpoint holds.

>>> source = RedisStreamSource("redis://127.0.0.1:6379/0", "transactions", Schema(target="y"))
>>> source.position()  # nothing read yet; no connection is made before open() or read()
'0-0'
>>> with RedisStreamSource("redis://127.0.0.1:6379/0", "transactions",
...                        stop_when_empty=True) as source:  # doctest: +SKIP
...     for decoded in source.batches(1000):
...         model.learn_many(decoded.batch, decoded.batch.y)
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterable, Sequence
from typing import Any

from streamlearn.connectors._redis import check_int, check_name, connect, dumps, parse_id
from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.decode import DEFAULT_MAX_EVENT_BYTES, decode_payloads
from streamlearn.core.errors import ParameterError, require
from streamlearn.core.schema import DeadLetter, Decoded, Schema

PIPELINE_CHUNK = 10_000  # commands per round trip when writing or acknowledging in bulk


class RedisStreamSource(Source):
    """Events from a Redis stream, read through a consumer group.

    ``open`` creates the group if needed (``XGROUP CREATE <stream> <group> 0 MKSTREAM``: from
    the first entry, creating an empty stream if there is none). ``read`` first re-reads this
    consumer's pending entries after the current position (``XREADGROUP ... <id>``, which
    returns the consumer's own delivered-but-unacknowledged history), then new entries
    (``XREADGROUP ... >``), waiting up to ``block_ms`` (default: read's ``timeout_ms``; 0
    polls, as ``BLOCK 0`` would wait forever). Without ``seek`` a restarted source re-reads
    all its pending entries; after ``seek(position)``, only those after ``position``.

    The event id is the schema's id field when the event has one, else the entry id
    (``"1700000000000-0"``), the same on every replay. ``position()`` is the id of the last
    entry returned; ``commit(position)`` acknowledges (``XACK``) every entry up to it.
    Several workers share a stream by using the same ``group`` and distinct, stable
    ``consumer`` names (default: the host name) — a consumer that restarts under the same
    name finds its pending entries again.

    ``claim_idle_ms`` (off by default) recovers the entries of a consumer that never comes
    back: every ``claim_idle_ms / 2`` the source takes over the group's entries pending
    longer than ``claim_idle_ms`` with ``XAUTOCLAIM`` (into the consumer
    ``<consumer>-claims``) and returns them before new ones. A consumer silent that long is
    deemed dead, so ``claim_idle_ms`` must exceed the time between a read and its ``commit``
    (the checkpoint interval). The position is then ``{"last": <id>, "claimed": [ids]}``: the
    claimed entries returned since the last ``commit``, which ``commit`` acknowledges and
    which a source restored with ``seek`` does not return again (the claims it made and its
    checkpoint does not hold are returned again, first). Entries taken from a dead consumer
    are at-least-once with respect to that consumer's own, abandoned, state.
    """

    name = "redis"

    def __init__(self, url: str, stream: str, schema: Schema | None = None, *,
                 group: str = "streamlearn", consumer: str | None = None, field: str = "data",
                 block_ms: int | None = None,
                 max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
                 stop_when_empty: bool = False, claim_idle_ms: int | None = None):
        check_name(self, "stream", stream)
        check_name(self, "group", group)
        check_name(self, "field", field)
        if consumer is not None:
            check_name(self, "consumer", consumer)
        if block_ms is not None:
            check_int(self, "block_ms", block_ms, 0)
        check_int(self, "max_event_bytes", max_event_bytes, 1)
        if claim_idle_ms is not None:
            check_int(self, "claim_idle_ms", claim_idle_ms, 1)
        self.url = url
        self.stream = stream
        self.schema = schema if schema is not None else Schema()
        self.group = group
        self.consumer = consumer if consumer is not None else socket.gethostname()
        self.field = field
        self.block_ms = block_ms
        self.max_event_bytes = max_event_bytes
        self.stop_when_empty = stop_when_empty
        self._client: Any = None
        self._position = "0-0"
        self._replay_after: str | None = "0-0"  # re-reading our own PEL; None: new entries
        self._floor = (0, 0)  # entries at or before this id are never returned (seek)
        self._unacked: list[str] = []  # delivered since the last commit, in delivery order
        self._entries_read = 0  # numbers events in dead-letter reasons
        self.claim_idle_ms = claim_idle_ms
        self.claims_consumer = f"{self.consumer}-claims"
        self._claimed: list[str] = []  # claimed entries returned (or held) since the commit
        self._claims_held: set[str] = set()  # claims the restored state holds
        self._claims_replay: str | None = "0-0"  # re-reading the claims consumer's PEL
        self._claim_cursor = "0-0"
        self._next_claim = 0.0  # time.monotonic() of the next XAUTOCLAIM

    def open(self) -> None:
        if self._client is not None:
            return
        client = connect(self.url, type(self).__name__)
        redis = require("redis", "redis")
        try:
            client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.exceptions.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # BUSYGROUP: the group exists already
                client.close()
                raise
        self._client = client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        if not isinstance(max_events, int) or max_events < 1:
            raise ParameterError(f"max_events must be an int >= 1. Got {max_events!r} instead.")
        self.open()
        if self.claim_idle_ms is not None:
            claimed = self._claim(max_events)
            if claimed:
                return self._decode(claimed, claimed=True)
        entries = self._fetch(max_events, self.block_ms if self.block_ms is not None
                              else timeout_ms)
        if not entries and self.stop_when_empty:
            return None
        return self._decode(entries)

    def position(self) -> Any:
        if self.claim_idle_ms is None:
            return self._position
        return {"last": self._position, "claimed": list(self._claimed)}

    def consumer_lag(self) -> int | None:
        """Entries of the stream not yet delivered to the group (``XINFO GROUPS``' lag,
        Redis >= 7; None when Redis cannot tell)."""
        self.open()
        for group in self._client.xinfo_groups(self.stream):
            name = group["name"]
            if (name.decode() if isinstance(name, bytes) else name) == self.group:
                lag = group.get("lag")
                return None if lag is None else int(lag)
        return None

    def seek(self, position: Any) -> None:
        """Continue with the entries after ``position`` (an entry id), this consumer's pending
        ones first. Pending entries at or before it stay pending until the next ``commit``."""
        position, claimed = _split_position(position)
        self._claimed, self._claims_held = list(claimed), set(claimed)
        self._claims_replay = "0-0"
        self._floor = parse_id(position)
        self._position = "{}-{}".format(*self._floor)
        self._replay_after = self._position
        self.open()
        self._unacked = self._pending_up_to(self._position)

    def commit(self, position: Any) -> None:
        """``XACK`` every entry delivered to this source up to and including ``position``
        (and the claimed entries it names)."""
        position, claimed = _split_position(position)
        if claimed:
            self.open()
            self._client.xack(self.stream, self.group, *claimed)
            done_claims = set(claimed)
            self._claimed = [i for i in self._claimed if i not in done_claims]
            self._claims_held -= done_claims
        limit = parse_id(position)
        if self._unacked and parse_id(self._unacked[-1]) <= limit:
            done = self._unacked  # delivered in id order: the usual case, everything is due
        else:
            done = [i for i in self._unacked if parse_id(i) <= limit]
        if not done:
            return
        self.open()
        with self._client.pipeline(transaction=False) as pipe:
            for start in range(0, len(done), PIPELINE_CHUNK):
                pipe.xack(self.stream, self.group, *done[start:start + PIPELINE_CHUNK])
            pipe.execute()
        self._unacked = ([] if done is self._unacked
                         else [i for i in self._unacked if parse_id(i) > limit])

    # ------------------------------------------------------------------ internals
    def _fetch(self, count: int, block_ms: int) -> list[tuple[bytes, dict[bytes, bytes]]]:
        if self._replay_after is not None:
            # An explicit id reads our own pending history; BLOCK does not apply to it.
            entries = self._xreadgroup(self._replay_after, count, None)
            if entries:
                self._replay_after = entries[-1][0].decode()
                return entries
            self._replay_after = None
        while True:
            entries = self._xreadgroup(">", count, block_ms if block_ms > 0 else None)
            if not entries or parse_id(entries[0][0]) > self._floor:
                return entries
            # The group is behind a position we sought to (it was recreated, say): entries up
            # to there are in the checkpoint already; skip them and acknowledge at commit.
            kept = [entry for entry in entries if parse_id(entry[0]) > self._floor]
            self._unacked.extend(e[0].decode() for e in entries[:len(entries) - len(kept)])
            if kept:
                return kept

    def _xreadgroup(self, after: str, count: int, block_ms: int | None,
                    consumer: str | None = None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        reply = self._client.xreadgroup(self.group, consumer or self.consumer,
                                        {self.stream: after}, count=count, block=block_ms)
        return reply[0][1] if reply else []

    def _claim(self, count: int) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Claimed entries to process: first those claimed before a restart that the
        checkpoint does not hold, then (when due) those ``XAUTOCLAIM`` takes over."""
        while self._claims_replay is not None:
            entries = self._xreadgroup(self._claims_replay, count, None, self.claims_consumer)
            if not entries:
                self._claims_replay = None
                break
            self._claims_replay = entries[-1][0].decode()
            entries = [e for e in entries if e[0].decode() not in self._claims_held]
            if entries:
                return entries
        now = time.monotonic()
        if now < self._next_claim:
            return []
        self._next_claim = now + self.claim_idle_ms / 2000  # type: ignore[operator]
        cursor, entries, *_ = self._client.xautoclaim(
            self.stream, self.group, self.claims_consumer, self.claim_idle_ms,
            start_id=self._claim_cursor, count=count)
        self._claim_cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
        # entries this source read itself and has not acknowledged yet are held by its
        # state already (it was slow, not dead): acknowledged as claims at commit
        own, already = set(self._unacked), set(self._claimed)
        held = [e[0].decode() for e in entries if e[0].decode() in own]
        if held:
            self._unacked = [i for i in self._unacked if i not in own.intersection(held)]
            self._claimed.extend(held)
        return [e for e in entries if e[0].decode() not in own | already]

    def _decode(self, entries: Sequence[tuple[bytes, dict[bytes, bytes]]],
                claimed: bool = False) -> Decoded:
        ids = [entry_id.decode() for entry_id, _ in entries]
        key = self.field.encode()
        payloads: list[Any] = []
        missing: dict[int, dict[bytes, bytes]] = {}
        for offset, (_, fields) in enumerate(entries):
            payload = fields.get(key)
            if payload is None:
                missing[offset] = fields
                payload = b""  # a placeholder that decodes to a dead letter, reworded below
            payloads.append(payload)
        first = self._entries_read
        decoded = decode_payloads(payloads, self.schema, ids, first_index=first,
                                  max_event_bytes=self.max_event_bytes)
        dead = [self._explain(letter, ids[letter.index - first],
                              missing.get(letter.index - first))
                for letter in decoded.dead_letters]
        if ids:
            self._entries_read += len(ids)
            if claimed:   # older than the position: acknowledged by id, as claims
                self._claimed.extend(ids)
            else:
                self._unacked.extend(ids)
                self._position = ids[-1]
        return Decoded(decoded.batch, dead)

    def _explain(self, letter: DeadLetter, entry_id: str,
                 fields: dict[bytes, bytes] | None) -> DeadLetter:
        where = f"event {letter.index} (entry {entry_id} of stream {self.stream!r})"
        if fields is None:
            reason = re.sub(rf"\bevent {letter.index}\b", lambda _: where, letter.reason, count=1)
            return DeadLetter(letter.index, letter.payload, reason)
        if not fields:  # XDEL or MAXLEN trimming removed it while it was pending
            return DeadLetter(letter.index, None, f"{where} was deleted from the stream "
                                                  "before it was acknowledged")
        payload = {k.decode(errors="replace"): v.decode(errors="replace")
                   for k, v in fields.items()}
        return DeadLetter(letter.index, payload,
                          f"{where} has no field {self.field!r} (it has "
                          f"{', '.join(map(repr, payload))}); write the JSON event in "
                          f"{self.field!r} or set field=")

    def _pending_up_to(self, position: str) -> list[str]:
        """This consumer's pending entry ids up to ``position`` (``XPENDING``, paged)."""
        ids: list[str] = []
        start = "-"
        while True:
            page = self._client.xpending_range(self.stream, self.group, min=start,
                                               max=position, count=PIPELINE_CHUNK,
                                               consumername=self.consumer)
            ids.extend(row["message_id"].decode() for row in page)
            if len(page) < PIPELINE_CHUNK:
                return ids
            start = "(" + ids[-1]  # exclusive range start, Redis >= 6.2


def _split_position(position: Any) -> tuple[Any, list[str]]:
    """(last entry id, claimed ids) of a position: an id, or ``{"last", "claimed"}``."""
    if isinstance(position, dict):
        if "last" not in position:
            raise ParameterError(f"a redis position is an entry id or {{'last': <id>, "
                                 f"'claimed': [<ids>]}}. Got {position!r} instead.")
        return position["last"], [str(i) for i in position.get("claimed") or ()]
    return position, []


class RedisStreamSink(Sink):
    """Writes records (dicts) to a Redis stream as JSON in ``field``, one entry each.

    ``write`` queues ``XADD`` commands on a pipeline; ``flush`` sends them in one round trip
    (``write`` also sends them once ``PIPELINE_CHUNK`` are queued, to bound memory).
    ``maxlen`` caps the stream at about that many entries (``XADD MAXLEN ~``: Redis trims
    whole nodes, so the stream may hold up to a node's worth more — 100 entries by default).
    """

    name = "redis"

    def __init__(self, url: str, stream: str, *, field: str = "data",
                 maxlen: int | None = None):
        check_name(self, "stream", stream)
        check_name(self, "field", field)
        if maxlen is not None:
            check_int(self, "maxlen", maxlen, 1)
        self.url = url
        self.stream = stream
        self.field = field
        self.maxlen = maxlen
        self._client: Any = None
        self._pipeline: Any = None
        self._queued = 0

    def open(self) -> None:
        if self._client is None:
            self._client = connect(self.url, type(self).__name__)
            self._pipeline = self._client.pipeline(transaction=False)

    def write(self, records: list[dict[str, Any]]) -> None:
        self.open()
        # XADD as a raw command: redis-py's xadd() wrapper costs more than the command itself
        head = (("XADD", self.stream, "*") if self.maxlen is None
                else ("XADD", self.stream, "MAXLEN", "~", self.maxlen, "*"))
        command = self._pipeline.execute_command
        for record in records:
            command(*head, self.field, dumps(record))
        self._queued += len(records)
        if self._queued >= PIPELINE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._queued:
            self._pipeline.execute()
            self._queued = 0

    def close(self) -> None:
        if self._client is not None:
            try:
                self.flush()
            finally:
                self._pipeline.reset()
                self._client.close()
                self._client = self._pipeline = None


def produce(url: str, stream: str, events: Iterable[Any], *, field: str = "data",
            maxlen: int | None = None) -> list[str]:
    """Append ``events`` to ``stream`` (pipelined, ``PIPELINE_CHUNK`` per round trip) and
    return their entry ids. A dict is written as JSON; bytes or str are written as they are
    (handy to send a malformed payload on purpose)."""
    with RedisStreamSink(url, stream, field=field, maxlen=maxlen) as sink:
        ids: list[str] = []
        pipe = sink._pipeline
        for event in events:
            payload = event if isinstance(event, bytes | str) else dumps(event)
            pipe.xadd(stream, {field: payload}, maxlen=maxlen, approximate=True)
            if len(pipe) >= PIPELINE_CHUNK:
                ids.extend(i.decode() for i in pipe.execute())
        ids.extend(i.decode() for i in pipe.execute())
        return ids

