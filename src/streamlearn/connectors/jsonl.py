"""JSON lines files: a source that reads them in large chunks and decodes each micro-batch
with orjson in one call, and a sink that appends records to them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from streamlearn.connectors.base import Sink, Source
from streamlearn.connectors.decode import DEFAULT_MAX_EVENT_BYTES, decode_payloads
from streamlearn.connectors.replay import check_position, rate_limiter
from streamlearn.core.batch import Batch
from streamlearn.core.schema import Decoded, Schema

READ_CHUNK_BYTES = 1 << 20


class JSONLinesSource(Source):
    """Events from a file holding one JSON object per line.

    An event's id is its ``schema.id`` field, else its line number (0-based), so a replay
    gives the same ids. Blank lines are skipped but counted: ``position()`` is the number of
    lines consumed, and ``seek(n)`` continues at line ``n``. A line that is not a JSON
    object, is over ``max_event_bytes``, or fails the schema becomes a dead letter. ``rate``
    (events per second) replays the file at that pace instead of as fast as possible.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "events.jsonl")
    >>> with open(path, "w") as handle:
    ...     _ = handle.write('{"a": 1.5, "y": 1}\\n\\n{"a": "oops", "y": 0}\\n'
    ...                      '{"a": 2.5, "y": 0}\\n')
    >>> with JSONLinesSource(path, Schema(target="y", numeric=["a"])) as source:
    ...     decoded = source.read(10)
    ...     decoded.batch.ids.tolist(), decoded.batch.X.tolist(), source.position()
    ([0, 3], [[1.5], [2.5]], 4)
    >>> decoded.dead_letters[0].reason
    "column 'a' of event 2 holds 'oops', which is not a number"
    """

    name = "jsonl"

    def __init__(self, path: str | Path, schema: Schema | None = None, *,
                 rate: float | None = None, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES):
        self.path = Path(path)
        self.schema = schema
        self.rate = rate
        self.max_event_bytes = max_event_bytes
        if not self.path.is_file():
            raise FileNotFoundError(f"no JSON lines file at {self.path}")
        self._schema = schema or Schema()
        self._limiter = rate_limiter(rate)
        self._handle: BinaryIO | None = None
        self._lines: list[bytes] = []   # complete lines read ahead, not yet handed out
        self._next = 0                  # index in _lines of the next line to hand out
        self._partial = b""             # the start of a line whose end is not read yet
        self._line = 0                  # number of the next line to hand out
        self._eof = False

    @property
    def size_hint(self) -> int:
        """The number of lines (blank ones included)."""
        return _count_lines(self.path)

    def open(self) -> None:
        if self._handle is None:
            self._handle = self.path.open("rb")
            self._skip_to(self._line)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._lines, self._next, self._partial, self._eof = [], 0, b"", False

    def position(self) -> int:
        return self._line

    def seek(self, position: int) -> None:
        position = check_position(self, position, "line")
        was_open = self._handle is not None
        self.close()
        self._line = position
        if self._limiter is not None:
            self._limiter.reset()
        if was_open:
            self.open()

    def read(self, max_events: int, timeout_ms: int = 0) -> Decoded | None:
        self.open()
        if not self._fill(1):
            return None
        wanted = max_events if self._limiter is None else self._limiter.take(max_events,
                                                                              timeout_ms)
        self._fill(wanted)
        lines = self._lines[self._next:self._next + wanted]
        self._next += len(lines)
        first = self._line
        self._line += len(lines)
        return self._decode(lines, first)

    # ------------------------------------------------------------------ internals
    def _decode(self, lines: list[bytes], first: int) -> Decoded:
        """Decode runs of non-blank lines, so that each event keeps its line number."""
        parts: list[Decoded] = []
        start = 0
        for k in [k for k, line in enumerate(lines) if not line or line.isspace()] + [None]:
            stop = len(lines) if k is None else k
            if stop > start:
                parts.append(decode_payloads(
                    lines[start:stop], self._schema, ids=range(first + start, first + stop),
                    first_index=first + start, max_event_bytes=self.max_event_bytes))
            if k is not None:
                start = k + 1
        if not parts:
            return decode_payloads([], self._schema, ids=[])
        if len(parts) == 1:
            return parts[0]
        return Decoded(Batch.concat([p.batch for p in parts]),
                       [dead for p in parts for dead in p.dead_letters])

    def _fill(self, count: int) -> bool:
        """Read ahead until ``count`` lines are buffered or the file ends; say whether at
        least one line is there."""
        if self._next and self._next >= len(self._lines) // 2:
            del self._lines[:self._next]
            self._next = 0
        while len(self._lines) - self._next < count and not self._eof:
            chunk = self._read_chunk()
            if not chunk:
                self._eof = True
                if self._partial:  # a last line without its newline
                    self._lines.append(self._partial)
                    self._partial = b""
                break
            pieces = (self._partial + chunk).split(b"\n")
            self._partial = pieces.pop()
            self._lines.extend(pieces)
        return len(self._lines) > self._next

    def _skip_to(self, line: int) -> None:
        """Discard the first ``line`` lines by counting newlines chunk by chunk."""
        remaining = line
        while remaining:
            chunk = self._read_chunk()
            if not chunk:
                self._eof = True
                return
            newlines = chunk.count(b"\n")
            if newlines < remaining:
                remaining -= newlines
                continue
            cut = -1
            for _ in range(remaining):
                cut = chunk.index(b"\n", cut + 1)
            self._lines = chunk[cut + 1:].split(b"\n")
            self._partial = self._lines.pop()
            return

    def _read_chunk(self) -> bytes:
        return self._handle.read(READ_CHUNK_BYTES) if self._handle is not None else b""


class JSONLinesSink(Sink):
    """Appends records (dicts) to a file as JSON lines; ``flush`` fsyncs them to disk.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.jsonl")
    >>> with JSONLinesSink(path) as sink:
    ...     sink.write([{"id": 1, "prediction": np.float64(0.25)}])
    >>> from pathlib import Path
    >>> Path(path).read_text()
    '{"id":1,"prediction":0.25}\\n'
    """

    name = "jsonl"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._handle: BinaryIO | None = None

    def open(self) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("ab")

    def write(self, records: list[dict[str, Any]]) -> None:
        self.open()
        lines = b"".join(orjson.dumps(record, default=_plain, option=_OPTIONS) + b"\n"
                         for record in records)
        if self._handle is not None:
            self._handle.write(lines)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self.flush()
            self._handle.close()
            self._handle = None


_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


def _count_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK_BYTES):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")
