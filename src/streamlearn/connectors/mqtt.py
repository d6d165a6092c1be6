"""MQTT: a topic subscription as a `Source`, publishing as a `Sink` (paho-mqtt, MQTT 3.1.1).

MQTT is a message bus, not a log: the broker keeps no replayable offsets. What that means
for the protocol of :mod:`streamlearn.connectors.base`, honestly:

- Delivery is QoS 1 (at least once) from the broker to this client. A message is
  acknowledged to the broker once it sits in the local buffer, so messages still in the
  buffer, or read but not yet checkpointed, are lost if the process dies: across a crash,
  MQTT gives at most once for those. With ``clean_session=False`` and a stable
  ``client_id`` the broker queues what arrives while the client is away (subject to its own
  limits, e.g. mosquitto's ``max_queued_messages``) and delivers it on reconnect.
- ``position()`` is the number of messages read in this session (after a ``seek``, counted
  from the position sought). ``seek(position)`` can only skip forward within the current
  session; on a fresh source (nothing read yet, as after a restart) it continues the
  numbering from ``position`` and skips nothing, because the broker cannot replay.
  ``commit`` does nothing: there is nothing to acknowledge later.
- Event ids are the schema's id field, else ``f"{topic}:{n}"`` with ``n`` the message's
  number in the sequence above; they are only deterministic within a session.

Back-pressure: incoming messages go to a queue of at most ``max_buffer`` messages. When it
is full the network thread waits for room before acknowledging the message and stops
reading the socket, so the broker holds (or, past its own limits, drops) what follows;
memory never grows without bound.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlparse

import orjson

from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.errors import ParameterError, require
from streamlearn.core.schema import Decoded, Schema

CONNECT_TIMEOUT_S = 10.0
FLUSH_TIMEOUT_S = 30.0
MAX_UNCONFIRMED = 10_000  # the sink flushes itself beyond this many unacknowledged publishes


class MQTTSource(Source):
    """Events published to an MQTT ``topic`` (wildcards allowed), decoded as JSON.

    Without a ``client_id`` the session is clean whatever ``clean_session`` says: a random
    id could never be resumed, and its persistent session would pile up on the broker.

    >>> source = MQTTSource("mqtt://127.0.0.1:1883", "sensors/+/temperature", max_buffer=500)
    >>> source.qos, source.max_buffer
    (1, 500)
    """

    name = "mqtt"

    def __init__(self, url: str, topic: str, schema: Schema | None = None, qos: int = 1,
                 client_id: str | None = None, clean_session: bool = False,
                 max_buffer: int = 100_000):
        _check_qos(qos, "MQTTSource")
        if max_buffer < 1:
            raise ParameterError("The 'max_buffer' parameter of MQTTSource must be >= 1. "
                                 f"Got {max_buffer!r} instead.")
        self.url = url
        self.topic = topic
        self.schema = schema
        self.qos = qos
        self.client_id = client_id
        self.clean_session = clean_session
        self.max_buffer = max_buffer
        self._client: Any = None
        self._buffer: queue.Queue[bytes] = queue.Queue(max_buffer)
        self._closing = threading.Event()
        self._subscribed = threading.Event()
        self._read = 0       # messages taken from the buffer (numbering included)
        self._skip = 0       # messages still to drop, after a forward seek
        self._fresh = True   # nothing read since open: a seek renumbers instead of skipping

    def open(self) -> None:
        if self._client is not None:
            return
        clean = self.clean_session or self.client_id is None
        client_id = self.client_id or f"streamlearn-{uuid.uuid4().hex[:16]}"
        self._closing.clear()
        self._subscribed.clear()
        client = _client(self.url, client_id, clean, manual_ack=True)
        client.on_subscribe = lambda *args: self._subscribed.set()
        client.on_message = self._on_message
        self._client = client
        try:
            # subscribe on every (re)connection: a clean session forgets its topics
            _connect(client, self.url, lambda c: c.subscribe(self.topic, self.qos))
            if not self._subscribed.wait(CONNECT_TIMEOUT_S):
                raise ConnectionError(f"the MQTT broker at {self.url} did not confirm the "
                                      f"subscription to {self.topic!r}")
        except BaseException:
            self.close()
            raise

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        # Runs on paho's network thread: waiting here is the back-pressure.
        while not self._closing.is_set():
            try:
                self._buffer.put(message.payload, timeout=0.1)
            except queue.Full:
                continue
            client.ack(message.mid, message.qos)
            return

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded:
        self.open()
        deadline = time.monotonic() + timeout_ms / 1000
        payloads: list[bytes] = []
        while len(payloads) < max_events:
            wait = deadline - time.monotonic()
            try:
                payload = (self._buffer.get(timeout=wait) if wait > 0 and not payloads
                           else self._buffer.get_nowait())
            except queue.Empty:
                break
            self._fresh = False
            self._read += 1
            if self._skip:
                self._skip -= 1
                continue
            payloads.append(payload)
        first = self._read - len(payloads)
        ids = [f"{self.topic}:{n}" for n in range(first, self._read)]
        return decode_payloads(payloads, self.schema or Schema(), ids, first_index=first)

    def position(self) -> int:
        return self._read + self._skip

    def seek(self, position: Any) -> None:
        position = int(position)
        if self._fresh:
            self._read, self._skip = position, 0
            return
        if position < self.position():
            raise ParameterError(
                f"MQTT cannot replay: position {position} is before the current position "
                f"{self.position()}; only a forward seek within the session is possible")
        self._skip += position - self.position()

    @property
    def buffered(self) -> int:
        """How many received messages wait in the local buffer."""
        return self._buffer.qsize()

    def close(self) -> None:
        if self._client is None:
            return
        self._closing.set()  # lets a network thread waiting for room give up
        client, self._client = self._client, None
        client.disconnect()
        client.loop_stop()
        self._buffer = queue.Queue(self.max_buffer)
        self._fresh = True


class MQTTSink(Sink):
    """Records published as JSON to ``topic``; ``flush`` waits for the QoS 1 acks."""

    name = "mqtt"

    def __init__(self, url: str, topic: str, qos: int = 1):
        _check_qos(qos, "MQTTSink")
        self.url = url
        self.topic = topic
        self.qos = qos
        self._client: Any = None
        self._unconfirmed: list[Any] = []

    def open(self) -> None:
        if self._client is not None:
            return
        client = _client(self.url, f"streamlearn-sink-{uuid.uuid4().hex[:16]}", True)
        try:
            _connect(client, self.url)
        except BaseException:
            client.loop_stop()
            raise
        self._client = client

    def write(self, records: list[Any]) -> None:
        self.open()
        for record in records:
            info = self._client.publish(self.topic, _encode(record), self.qos)
            self._unconfirmed.append(info)
            if len(self._unconfirmed) >= MAX_UNCONFIRMED:
                self.flush()

    def flush(self) -> None:
        deadline = time.monotonic() + FLUSH_TIMEOUT_S
        for info in self._unconfirmed:
            info.wait_for_publish(max(deadline - time.monotonic(), 0.0))
            if not info.is_published():
                raise TimeoutError(f"the MQTT broker at {self.url} did not acknowledge the "
                                   f"messages to {self.topic!r} within {FLUSH_TIMEOUT_S} s")
        self._unconfirmed.clear()

    def close(self) -> None:
        if self._client is None:
            return
        try:
            self.flush()
        finally:
            client, self._client = self._client, None
            client.disconnect()
            client.loop_stop()


def publish(url: str, topic: str, events: list[Any], qos: int = 1) -> int:
    """Publish ``events`` (dicts as JSON; bytes and str as they are) to ``topic`` and wait
    for the broker's acknowledgements; return how many were published."""
    with MQTTSink(url, topic, qos) as sink:
        sink.write(events)
    return len(events)


def _client(url: str, client_id: str, clean_session: bool, manual_ack: bool = False) -> Any:
    mqtt = require("paho.mqtt.client", "mqtt")
    parsed = urlparse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=clean_session, protocol=mqtt.MQTTv311,
                         manual_ack=manual_ack)
    if parsed.username:
        client.username_pw_set(parsed.username, parsed.password)
    if parsed.scheme in ("mqtts", "ssl"):
        client.tls_set()
    return client


def _connect(client: Any, url: str, on_connected: Any = None) -> None:
    """Connect, start the network thread, and wait for the broker's CONNACK.
    ``on_connected(client)`` runs on every successful (re)connection."""
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "tcp", "mqtts", "ssl"):
        raise ParameterError(f"The MQTT url must start with mqtt:// or mqtts://. Got {url!r}.")
    port = parsed.port or (8883 if parsed.scheme in ("mqtts", "ssl") else 1883)
    connected = threading.Event()
    outcome: list[Any] = []

    def on_connect(client: Any, userdata: Any, flags: Any, reason: Any,
                   properties: Any) -> None:
        outcome[:] = [reason]
        if on_connected is not None and not reason.is_failure:
            on_connected(client)
        connected.set()

    client.on_connect = on_connect
    client.connect(parsed.hostname or "127.0.0.1", port)  # OSError when nothing listens
    client.loop_start()
    if not connected.wait(CONNECT_TIMEOUT_S) or outcome[0].is_failure:
        client.disconnect()
        client.loop_stop()
        reason = outcome[0] if outcome else "no answer"
        raise ConnectionError(f"could not connect to the MQTT broker at {url}: {reason}")


def _check_qos(qos: int, owner: str) -> None:
    if qos not in (0, 1, 2):
        raise ParameterError(f"The 'qos' parameter of {owner} must be 0, 1 or 2. "
                             f"Got {qos!r} instead.")


def _encode(record: Any) -> bytes:
    if isinstance(record, bytes):
        return record
    if isinstance(record, str):
        return record.encode()
    return orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY)
