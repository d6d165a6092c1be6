"""Events pushed over HTTP: a small threaded server (standard library only) that queues what
clients POST, with back-pressure, for the stream to read."""

from __future__ import annotations

import threading
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import orjson

from streamlearn.connectors.base import Source
from streamlearn.connectors.decode import decode_payloads
from streamlearn.core.errors import ParameterError
from streamlearn.core.schema import Decoded, Schema

DEFAULT_MAX_BODY_BYTES = 16 << 20
DRAIN_LIMIT_BYTES = 16 << 20  # a too-large body up to this size is read and dropped
RETRY_AFTER_S = 1


class HTTPIngestSource(Source):
    """An HTTP endpoint that events are POSTed to: ``open()`` starts the server in a
    background thread, ``read`` drains what arrived, ``close()`` stops it.

    A body is one JSON object, a JSON array of objects, or JSON lines. The answer is ``202``
    with ``{"accepted": n}``; ``413`` when the body is over ``max_body_bytes`` (or holds more
    events than the queue can ever hold); ``400`` with ``{"error": ...}`` when it is not JSON
    at all; ``503`` with ``Retry-After`` when the queue of ``max_queue`` events is full — the
    body is then refused whole, so the client can send it again as is. Array items that are
    not objects, bad JSON lines and events that fail the schema become dead letters when they
    are read. An event's id is its ``schema.id`` field, else ``"http:<n>"`` with ``n`` its
    number in arrival order; ``position()`` is the number of events read, and ``seek(n)``
    makes the numbering continue from ``n`` after a restart (what was posted before the
    restart and not checkpointed cannot be read again: HTTP has no replay).

    >>> import urllib.request
    >>> with HTTPIngestSource() as source:
    ...     request = urllib.request.Request(source.url, data=b'[{"a": 1}, {"a": 2}]',
    ...                                      method="POST")
    ...     with urllib.request.urlopen(request) as response:
    ...         response.status, response.read()
    ...     decoded = source.read(10, timeout_ms=1000)
    (202, b'{"accepted":2}')
    >>> decoded.batch.ids.tolist(), decoded.batch.X.tolist()
    (['http:0', 'http:1'], [[1.0], [2.0]])
    """

    name = "http"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/events",
                 schema: Schema | None = None, *, max_queue: int = 100_000,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
        if max_queue < 1:
            raise ParameterError(f"The 'max_queue' parameter of HTTPIngestSource must be >= 1. "
                                 f"Got {max_queue!r} instead.")
        if not path.startswith("/"):
            raise ParameterError(f"The 'path' parameter of HTTPIngestSource must start with "
                                 f"'/'. Got {path!r} instead.")
        self.host = host
        self.port = port
        self.path = path
        self.schema = schema
        self.max_queue = max_queue
        self.max_body_bytes = max_body_bytes
        self._schema = schema or Schema()
        self._queue: deque[Any] = deque()
        self._arrived = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._read = 0

    @property
    def url(self) -> str:
        """Where to POST events (known once the source is open)."""
        if self._server is None:
            raise RuntimeError("the HTTPIngestSource is not open yet: call open() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def open(self) -> None:
        if self._server is not None:
            return
        self._server = _Server((self.host, self.port), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True,
                                        name=f"streamlearn-http-ingest {self.url}")
        self._thread.start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._arrived:
            self._arrived.notify_all()

    def position(self) -> int:
        return self._read

    def seek(self, position: int) -> None:
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise ParameterError(f"an HTTPIngestSource position is a count of events >= 0. "
                                 f"Got {position!r} instead.")
        self._read = position

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        with self._arrived:
            if not self._queue and timeout_ms > 0:
                self._arrived.wait(timeout_ms / 1000)
            count = min(max_events, len(self._queue))
            payloads = [self._queue.popleft() for _ in range(count)]
        first, self._read = self._read, self._read + count
        return decode_payloads(payloads, self._schema,
                               ids=[f"http:{n}" for n in range(first, first + count)],
                               first_index=first)

    def _offer(self, payloads: list[Any]) -> HTTPStatus:
        """Queue all of ``payloads``, or none when they do not fit."""
        if len(payloads) > self.max_queue:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        with self._arrived:
            if len(self._queue) + len(payloads) > self.max_queue:
                return HTTPStatus.SERVICE_UNAVAILABLE
            self._queue.extend(payloads)
            self._arrived.notify_all()
        return HTTPStatus.ACCEPTED


def parse_body(body: bytes) -> list[Any] | None:
    """The events of a request body: dicts, and raw bytes for items that will become dead
    letters; None when the body is not JSON at all.

    >>> parse_body(b'{"a": 1}'), parse_body(b'[{"a": 1}, 2]'), parse_body(b'nope')
    ([{'a': 1}], [{'a': 1}, b'2'], None)
    >>> parse_body(b'{"a": 1}\\n{"a": \\n')
    [{'a': 1}, b'{"a": ']
    """
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        lines = [line for line in body.split(b"\n") if line.strip()]
        if len(lines) < 2:
            return None
        events = [_parse_line(line) for line in lines]
        return events if any(isinstance(e, dict) for e in events) else None
    if not isinstance(document, list | dict):
        return None
    items = document if isinstance(document, list) else [document]
    return [item if isinstance(item, dict) else orjson.dumps(item) for item in items]


def _parse_line(line: bytes) -> Any:
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        return line
    return event if isinstance(event, dict) else line


class _Server(ThreadingHTTPServer):
    # request threads are joined by server_close(), so close() leaves no thread behind
    daemon_threads = False
    block_on_close = True


def _handler_for(source: HTTPIngestSource) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 30  # a client that stalls mid-request does not hold its thread forever
        server_version = "streamlearn"

        def do_POST(self) -> None:
            if urlsplit(self.path).path != source.path:
                return self._answer(HTTPStatus.NOT_FOUND, {"error": f"POST events to "
                                                                    f"{source.path}"})
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                return self._answer(HTTPStatus.LENGTH_REQUIRED,
                                    {"error": "send a Content-Length header"})
            size = int(length)
            if size > source.max_body_bytes:
                self._discard(size)
                return self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {
                    "error": f"the body is {size:,} bytes, over the limit of "
                             f"{source.max_body_bytes:,} (max_body_bytes); send smaller batches"})
            events = parse_body(self.rfile.read(size))
            if events is None:
                return self._answer(HTTPStatus.BAD_REQUEST, {
                    "error": "the body is not JSON: send a JSON object, a JSON array of "
                             "objects, or JSON lines"})
            status = source._offer(events)
            if status is HTTPStatus.ACCEPTED:
                return self._answer(status, {"accepted": len(events)})
            if status is HTTPStatus.SERVICE_UNAVAILABLE:
                return self._answer(status, {"error": "the queue is full; retry later"},
                                    {"Retry-After": str(RETRY_AFTER_S)})
            return self._answer(status, {"error": f"the body holds {len(events):,} events, more "
                                                  f"than the queue holds ({source.max_queue:,}, "
                                                  "max_queue); send smaller batches"})

        def do_GET(self) -> None:
            self._answer(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "POST events"},
                         {"Allow": "POST"})

        do_PUT = do_DELETE = do_PATCH = do_GET

        def _discard(self, size: int) -> None:
            """Read a refused body, so that closing the connection does not reset it
            before the client reads the answer; past a limit, just close."""
            self.close_connection = True
            remaining = size if size <= DRAIN_LIMIT_BYTES else 0
            while remaining > 0 and (chunk := self.rfile.read(min(remaining, 1 << 16))):
                remaining -= len(chunk)

        def _answer(self, status: HTTPStatus, body: dict[str, Any],
                    headers: dict[str, str] | None = None) -> None:
            content = orjson.dumps(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: one line per request on stderr would swamp a busy stream."""

    return Handler
