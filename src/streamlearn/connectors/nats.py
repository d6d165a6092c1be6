"""NATS JetStream: a durable pull consumer as a `Source`, JetStream publishing as a `Sink`.

JetStream keeps every message of a stream under a sequence number, so this source replays:

- ``position()`` is the stream sequence of the last message read (at open, the consumer's
  ack floor: everything up to it was acknowledged by an earlier run).
- ``commit(position)`` acknowledges, in order, every message read up to that sequence and
  flushes, so the server has them before ``commit`` returns; they are never redelivered.
  Messages read but not committed stay in memory (at most ``max_ack_pending``: the server
  stops delivering beyond that many, which is the back-pressure bound).
- ``seek(position)`` makes the next ``read`` deliver exactly the messages after
  ``position``, promptly and in order. JetStream cannot rewind a durable consumer, so when the
  consumer is not already there (it still holds unacknowledged messages, from a crash, or
  was delivered beyond ``position``), ``seek`` deletes the durable and creates it again with
  ``deliver_policy=by_start_sequence`` at ``position + 1``: the checkpoint, not the old ack
  state, is the truth. Workers sharing one durable (a consumer group) should therefore not
  seek; they rely on redelivery after ``ack_wait`` instead.
- ``close()`` negatively acknowledges what was read but not committed, so that the next
  reader of the durable gets it at once rather than after ``ack_wait``.

Event ids are the schema's id field, else ``f"{stream}:{sequence}"``: a replay gives the same
ids. Outputs are at-least-once; sinks upsert by id.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import orjson

from streamlearn.connectors._loop_thread import LoopThread
from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.errors import ParameterError, require
from streamlearn.core.schema import Decoded, Schema

MIN_FETCH_MS = 20  # a pull request is a round trip to the server; 0 ms cannot be honoured
API_TIMEOUT_S = 10.0


class NATSSource(Source):
    """Events from a JetStream stream, read with a durable pull consumer.

    ``stream`` is created when it does not exist, covering ``subject`` (when ``None``, the
    stream that holds ``subject`` is used, or one named after the subject is created).
    ``max_ack_pending`` applies when the durable consumer is created.

    >>> source = NATSSource("nats://127.0.0.1:4222", "payments.card", durable="scorer")
    >>> source.durable, source.max_ack_pending
    ('scorer', 100000)
    """

    name = "nats"

    def __init__(self, url: str, subject: str, stream: str | None = None,
                 durable: str = "streamlearn", schema: Schema | None = None,
                 max_ack_pending: int = 100_000):
        if max_ack_pending < 1:
            raise ParameterError("The 'max_ack_pending' parameter of NATSSource must be >= 1. "
                                 f"Got {max_ack_pending!r} instead.")
        self.url = url
        self.subject = subject
        self.stream = stream
        self.durable = durable
        self.schema = schema
        self.max_ack_pending = max_ack_pending
        self._loop: LoopThread | None = None
        self._unacked: dict[int, Any] = {}  # stream sequence -> message, read and not committed

    def open(self) -> None:
        if self._loop is not None:
            return
        self._nats = require("nats", "nats")
        self._loop = LoopThread(f"streamlearn-nats-{self.subject}")
        try:
            self._loop.run(self._connect(), API_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    async def _connect(self) -> None:
        self._nc = await self._nats.connect(self.url, connect_timeout=5,
                                            max_reconnect_attempts=5)
        self._js = self._nc.jetstream()
        self.stream_ = await _ensure_stream(self._js, self.stream, self.subject)
        self._sub = await self._js.pull_subscribe(self.subject, durable=self.durable,
                                                  stream=self.stream_,
                                                  config=self._consumer_config(0))
        info = await self._js.consumer_info(self.stream_, self.durable)
        self._last = info.ack_floor.stream_seq
        self._read_count = 0

    def _consumer_config(self, start_after: int) -> Any:
        api = self._nats.js.api
        return api.ConsumerConfig(
            durable_name=self.durable, ack_policy=api.AckPolicy.EXPLICIT,
            deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE if start_after else
            api.DeliverPolicy.ALL, opt_start_seq=start_after + 1 if start_after else None,
            filter_subject=self.subject, max_ack_pending=self.max_ack_pending)

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded:
        self.open()
        timeout = max(timeout_ms, MIN_FETCH_MS) / 1000
        messages = self._loop.run(self._fetch(max_events, timeout), timeout + API_TIMEOUT_S)
        fresh = []
        for message in messages:
            sequence = message.metadata.sequence.stream
            if sequence in self._unacked:  # redelivered after ack_wait: already handed out
                self._unacked[sequence] = message
                continue
            self._unacked[sequence] = message
            self._last = max(self._last, sequence)
            fresh.append((sequence, message.data))
        ids = [f"{self.stream_}:{sequence}" for sequence, _ in fresh]
        decoded = decode_payloads([data for _, data in fresh], self.schema or Schema(), ids,
                                  first_index=self._read_count)
        self._read_count += len(fresh)
        return decoded

    async def _fetch(self, max_events: int, timeout: float) -> list[Any]:
        try:
            return await self._sub.fetch(max_events, timeout=timeout)
        except TimeoutError:  # nats' own, and asyncio's when the deadline passes mid-fetch
            return []

    def position(self) -> int:
        self.open()
        return self._last

    def commit(self, position: Any) -> None:
        self.open()
        position = int(position)
        done = sorted(sequence for sequence in self._unacked if sequence <= position)
        self._loop.run(self._ack([self._unacked[sequence] for sequence in done]),
                       API_TIMEOUT_S)
        for sequence in done:
            del self._unacked[sequence]

    async def _ack(self, messages: list[Any]) -> None:
        for message in messages:
            await message.ack()
        await self._nc.flush()

    def seek(self, position: Any) -> None:
        self.open()
        position = int(position)
        self._loop.run(self._restart_at(position), API_TIMEOUT_S)
        self._unacked.clear()
        self._last = position

    async def _restart_at(self, position: int) -> None:
        info = await self._js.consumer_info(self.stream_, self.durable)
        if info.num_ack_pending == 0 and info.delivered.stream_seq == position:
            return  # the durable delivers exactly what follows position already
        await self._sub.unsubscribe()
        await self._js.delete_consumer(self.stream_, self.durable)
        await self._js.add_consumer(self.stream_, self._consumer_config(position))
        self._sub = await self._js.pull_subscribe_bind(durable=self.durable,
                                                       stream=self.stream_)

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            if getattr(self, "_nc", None) is not None:
                self._loop.run(self._disconnect(), API_TIMEOUT_S)
        finally:
            self._loop.close()
            self._loop = None
            self._nc = None
            self._unacked.clear()

    async def _disconnect(self) -> None:
        if not self._nc.is_closed:
            for sequence in sorted(self._unacked):
                await self._unacked[sequence].nak()
        await self._nc.close()


class NATSSink(Sink):
    """Records published as JSON to a JetStream ``subject``; ``flush`` waits for the acks.

    A stream must cover ``subject`` (``NATSSource`` creates one). At most 4,000 publishes
    wait for their acknowledgement at a time; ``write`` blocks beyond that.
    """

    name = "nats"

    def __init__(self, url: str, subject: str):
        self.url = url
        self.subject = subject
        self._loop: LoopThread | None = None
        self._pending: list[asyncio.Future] = []

    def open(self) -> None:
        if self._loop is not None:
            return
        nats = require("nats", "nats")
        self._errors = nats.js.errors
        self._loop = LoopThread(f"streamlearn-nats-sink-{self.subject}")
        try:
            self._loop.run(self._connect(nats), API_TIMEOUT_S)
        except BaseException:
            self._loop.close()
            self._loop = None
            raise

    async def _connect(self, nats: Any) -> None:
        self._nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=5)
        self._js = self._nc.jetstream()  # its asyncio primitives belong to this loop

    def write(self, records: list[Any]) -> None:
        self.open()
        payloads = [_encode(record) for record in records]
        self._loop.run(self._publish(payloads))

    async def _publish(self, payloads: list[bytes]) -> None:
        for payload in payloads:
            self._pending.append(await self._js.publish_async(self.subject, payload))

    def flush(self) -> None:
        if self._loop is None or not self._pending:
            return
        pending, self._pending = self._pending, []
        outcomes = self._loop.run(_gather(pending), API_TIMEOUT_S)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            if isinstance(failures[0], self._errors.NoStreamResponseError):
                raise ConnectionError(
                    f"no JetStream stream covers subject {self.subject!r}; create one (a "
                    "NATSSource on this subject does) before publishing") from failures[0]
            raise ConnectionError(f"{len(failures)} of {len(outcomes)} publishes to "
                                  f"{self.subject!r} were not acknowledged") from failures[0]

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            self.flush()
        finally:
            try:
                self._loop.run(self._nc.close(), API_TIMEOUT_S)
            finally:
                self._loop.close()
                self._loop = None


def publish(url: str, subject: str, events: list[Any]) -> int:
    """Publish ``events`` (dicts as JSON; bytes and str as they are) to a JetStream subject
    and wait for every acknowledgement; return how many were published."""
    with NATSSink(url, subject) as sink:
        sink.write(events)
        sink.flush()
    return len(events)


async def _gather(futures: list[asyncio.Future]) -> list[Any]:
    return await asyncio.gather(*futures, return_exceptions=True)


async def _ensure_stream(js: Any, stream: str | None, subject: str) -> str:
    from nats.js.errors import NotFoundError

    if stream is None:
        try:
            return await js.find_stream_name_by_subject(subject)
        except NotFoundError:
            stream = re.sub(r"[^A-Za-z0-9_-]", "_", subject)
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(name=stream, subjects=[subject])
    return stream


def _encode(record: Any) -> bytes:
    if isinstance(record, bytes):
        return record
    if isinstance(record, str):
        return record.encode()
    return orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY)
