"""Turning raw message payloads into a `Batch`, once per micro-batch, with orjson."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from streamlearn.core.schema import DeadLetter, Decoded, Schema

DEFAULT_MAX_EVENT_BYTES = 1 << 20


def decode_payloads(payloads: Sequence[Any], schema: Schema, ids: Sequence[Any],
                    first_index: int = 0,
                    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> Decoded:
    """Parse JSON payloads (bytes, str, or already a dict) and validate them against
    ``schema``. ``ids`` are the deterministic ids of events that do not carry their own
    (e.g. ``"transactions:1700000000000-0"``). Unparsable, oversized or non-object payloads
    become dead letters with the raw payload and the reason.

    >>> decoded = decode_payloads([b'{"a": 1, "y": 0}', b'{"a": ', b'[1]'],
    ...                           Schema(target="y"), ids=["m1", "m2", "m3"])
    >>> decoded.batch.ids.tolist()
    ['m1']
    >>> for dead in decoded.dead_letters:
    ...     print(dead.reason)
    event 1 is not valid JSON: unexpected end of data
    event 2 is a list, not a JSON object
    """
    events: list[dict[str, Any]] = []
    kept_ids: list[Any] = []
    positions: list[int] = []
    dead: list[DeadLetter] = []
    for offset, payload in enumerate(payloads):
        index = first_index + offset
        if isinstance(payload, dict):
            event: Any = payload
        else:
            size = len(payload)
            if size > max_event_bytes:
                dead.append(DeadLetter(index, _preview(payload),
                                       f"event {index} is {size:,} bytes, over the limit of "
                                       f"{max_event_bytes:,} (max_event_bytes)"))
                continue
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                reason = str(exc).split(":")[0]
                dead.append(DeadLetter(index, _preview(payload),
                                       f"event {index} is not valid JSON: {reason}"))
                continue
        if not isinstance(event, dict):
            dead.append(DeadLetter(index, _preview(payload),
                                   f"event {index} is a {_json_kind(event)}, not a JSON object"))
            continue
        events.append(event)
        kept_ids.append(ids[offset])
        positions.append(index)
    decoded = schema.decode(events, ids=kept_ids, indices=positions)
    dead.extend(decoded.dead_letters)
    dead.sort(key=lambda d: d.index)
    return Decoded(decoded.batch, dead)


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def _preview(payload: Any, limit: int = 4096) -> Any:
    """The raw payload kept with a dead letter, cut to ``limit`` bytes."""
    if isinstance(payload, bytes | bytearray):
        payload = bytes(payload[:limit]).decode("utf-8", errors="replace")
    elif isinstance(payload, str):
        payload = payload[:limit]
    return payload
