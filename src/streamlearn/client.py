"""`Client`: the model server's HTTP API from Python (needs ``httpx``, in the ``serve`` extra).

>>> from streamlearn.client import Client
>>> with Client("http://127.0.0.1:8000", token="t0ken") as client:  # doctest: +SKIP
...     [answer] = client.predict({"id": "e1", "x0": 0.3, "x1": -1.2})
...     client.feedback("e1", True)
...     client.metrics()["metrics"]["Accuracy"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from streamlearn.core.errors import StreamlearnError, require

DEFAULT_URL = "http://127.0.0.1:8000"


class ClientError(StreamlearnError):
    """The server answered 4xx/5xx (``status_code`` and its ``detail``), or could not be
    reached (``status_code`` is None)."""

    def __init__(self, message: str, status_code: int | None = None, detail: Any = None):
        super().__init__(message)
        self.status_code = status_code
        self.detail = detail


class Predictions(list):
    """The predictions (dicts of ``id``, ``prediction``, ``proba``, ``model_version``), in
    the order of the events that decoded; ``rejected`` lists the others (``index``,
    ``reason``)."""

    def __init__(self, predictions: Iterable[dict[str, Any]],
                 rejected: list[dict[str, Any]]):
        super().__init__(predictions)
        self.rejected = rejected


class Client:
    """Predict, teach and monitor a model served by ``streamlearn serve``.

    ``token`` is sent as ``Authorization: Bearer <token>`` (writes need it when the server
    has one); every 4xx/5xx raises :class:`ClientError`. Use it as a context manager, or call
    ``close()``.
    """

    def __init__(self, url: str = DEFAULT_URL, token: str | None = None,
                 timeout: float = 10):
        httpx = require("httpx", "serve")
        self.url = url.rstrip("/")
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        self._transport_error = httpx.TransportError

    # ------------------------------------------------------------------ the stream
    def predict(self, events: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> Predictions:
        """Predictions for one event (a dict) or many; they then wait for feedback under
        their ids (the event's id field, or one the server generates)."""
        body = self._post("/v1/predict", {"events": _as_list(events)})
        return Predictions(body["predictions"], body["rejected"])

    def learn(self, events: Mapping[str, Any] | Iterable[Mapping[str, Any]]
              ) -> dict[str, Any]:
        """Teach labelled events (each is scored before it is learnt): ``{learnt, rejected}``."""
        return self._post("/v1/learn", {"events": _as_list(events)})

    def feedback(self, id: Any, label: Any) -> dict[str, Any]:
        """The label of an earlier prediction: ``{matched, unmatched, rejected}``."""
        return self.feedback_many([(id, label)])

    def feedback_many(self, pairs: Iterable[tuple[Any, Any] | Mapping[str, Any]]
                      ) -> dict[str, Any]:
        """Labels of earlier predictions, as ``(id, label)`` pairs or ``{id, label}`` dicts."""
        items = [dict(p) if isinstance(p, Mapping) else {"id": p[0], "label": p[1]}
                 for p in pairs]
        return self._post("/v1/feedback", {"feedback": items})

    # ------------------------------------------------------------------ monitoring
    def metrics(self) -> dict[str, Any]:
        """Counters, whole-stream and rolling metrics, throughput, lag and history."""
        return self._request("GET", "/v1/metrics")

    def ready(self) -> bool:
        try:
            return bool(self._request("GET", "/readyz")["ready"])
        except ClientError as exc:
            if exc.status_code == 503:
                return False
            raise

    # ------------------------------------------------------------------ the registry
    def models(self) -> list[dict[str, Any]]:
        """The served models: ``name``, ``live_version`` and the number of ``versions``."""
        return self._request("GET", "/v1/models")["models"]

    def versions(self, name: str) -> list[dict[str, Any]]:
        """The saved versions of a model: ``version``, ``created_at``, ``metadata``."""
        return self._request("GET", f"/v1/models/{_segment(name)}/versions")["versions"]

    def version(self, name: str, version: int) -> dict[str, Any]:
        return self._request("GET", f"/v1/models/{_segment(name)}/versions/{int(version)}")

    def save_version(self, name: str, note: str | None = None) -> int:
        """Save the live model as a new version; returns its number."""
        return self._post(f"/v1/models/{_segment(name)}/versions", {"note": note})["version"]

    def rollback(self, name: str, version: int) -> int:
        """Serve a saved version again (it goes on learning); returns the live version."""
        return self._post(f"/v1/models/{_segment(name)}/rollback",
                          {"version": int(version)})["live_version"]

    # ------------------------------------------------------------------ plumbing
    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self._request("POST", path, json=body)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except self._transport_error as exc:
            raise ClientError(f"cannot reach the server at {self.url}: {exc}") from exc
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            detail = body.get("detail", body) if isinstance(body, dict) else body
            raise ClientError(f"{method} {path} failed with {response.status_code}: "
                              f"{_describe(detail)}", response.status_code, detail)
        return response.json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _as_list(events: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(events, Mapping):
        return [dict(events)]
    return [dict(event) for event in events]


def _segment(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _describe(detail: Any) -> str:
    """FastAPI's validation errors as 'body.events.0: Field required; ...'."""
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}"
                         if isinstance(item, dict) else str(item) for item in detail)
    return str(detail)
