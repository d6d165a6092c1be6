"""Helpers of the Redis Streams connector: connecting, checking parameters, entry ids."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from streamlearn.core.errors import ParameterError, require

_ENTRY_ID = re.compile(r"(\d+)(?:-(\d+))?")
_DUMPS_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def connect(url: str, owner: str) -> Any:
    """A client that has answered a PING, or an error naming the (password-free) URL."""
    redis = require("redis", "redis")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10)
    except ValueError as exc:
        raise ParameterError(f"The 'url' parameter of {owner} must be a redis://, rediss:// or "
                             f"unix:// URL. Got {redact(url)!r} instead ({exc}).") from None
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        client.close()
        raise ConnectionError(f"{owner} cannot reach Redis at {redact(url)}: {exc}. Start a "
                              "server there or pass the url of a running one.") from exc
    return client


def redact(url: Any) -> str:
    parts = urlsplit(str(url))
    if parts.password is None:
        return str(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def check_name(owner: object, name: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ParameterError(f"The {name!r} parameter of {type(owner).__name__} must be a "
                             f"non-empty str. Got {value!r} instead.")


def check_int(owner: object, name: str, value: Any, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"The {name!r} parameter of {type(owner).__name__} must be an "
                             f"int >= {minimum}. Got {value!r} instead.")


def parse_id(position: Any) -> tuple[int, int]:
    text = position.decode() if isinstance(position, bytes) else str(position)
    match = _ENTRY_ID.fullmatch(text)
    if match is None:
        raise ParameterError(f"{position!r} is not a Redis stream entry id; a position is an "
                             "id such as '1700000000000-0', as position() returns it.")
    return int(match[1]), int(match[2] or 0)


def dumps(record: Any) -> bytes:
    return orjson.dumps(record, option=_DUMPS_OPTIONS)
