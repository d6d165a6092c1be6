"""The HTTP API (FastAPI): predict, learn, feedback, models, metrics, health, dashboard."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field, ValidationError

from streamlearn.core.errors import StreamlearnError
from streamlearn.serve.dashboard import add_dashboard
from streamlearn.serve.prometheus import prometheus_text
from streamlearn.serve.service import ModelService

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_EVENTS_PER_REQUEST = 10_000
MAX_VERSION = 2**31 - 1  # the registry's version column is a 32-bit integer
MAX_RECOMMENDED = 1000


class Events(BaseModel):
    """One event or a list: each a JSON object of the job's fields."""

    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class Prediction(BaseModel):
    id: Any
    prediction: Any
    proba: dict[str, float] | None
    model_version: int | None


class Rejected(BaseModel):
    index: int
    reason: str


class PredictResponse(BaseModel):
    predictions: list[Prediction]
    rejected: list[Rejected]


class LearnResponse(BaseModel):
    learnt: int
    rejected: list[Rejected]


class Feedback(BaseModel):
    """Labels for earlier predictions, by the ids the predictions returned."""

    feedback: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class FeedbackResponse(BaseModel):
    matched: int
    unmatched: int
    rejected: list[Rejected]


class Contribution(BaseModel):
    feature: str = Field(description="an input feature (one-hot columns summed into it) or "
                                     "a feature the pipeline derives")
    contribution: float = Field(description="its share of the score: weight x transformed "
                                            "value")


class Explanation(BaseModel):
    id: Any
    prediction: Any = Field(description="the predicted class (null for a regressor)")
    proba: float | None = Field(description="P(positive class) of a logistic model")
    score: float = Field(description="the raw score: the logit of a logistic model")
    intercept: float
    contributions: list[Contribution] = Field(
        description="largest magnitude first; they sum to score - intercept")
    model_version: int | None


class ExplainResponse(BaseModel):
    explanations: list[Explanation]
    rejected: list[Rejected]


class Version(BaseModel):
    version: int
    created_at: float
    metadata: dict[str, Any]


class VersionsResponse(BaseModel):
    name: str
    live_version: int | None
    versions: list[Version]


class Rollback(BaseModel):
    version: int = Field(ge=1, le=MAX_VERSION)


class SaveVersion(BaseModel):
    note: str | None = Field(None, max_length=1000)


class Recommendation(BaseModel):
    user: str = Field(description="the user, as asked")
    items: list[int | str] = Field(description="the recommended items, best first")
    k: int
    exclude_seen: bool = Field(description="whether the items the user rated are left out")
    cold_start: bool = Field(description="true when the model has learnt nothing from this "
                                         "user: the items are the non-personal list")
    source: str | None = Field(description="the candidate list served (a hybrid model's "
                                           "'bpr', 'mf' or 'popular'), or the model's class")
    model_version: int | None


def _rejected(dead_letters: list[Any]) -> list[dict[str, Any]]:
    return [{"index": int(d.index), "reason": d.reason} for d in dead_letters]


def _body_of(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for an endpoint that parses its JSON body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _parse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of an ``Events`` body, or the 422 FastAPI would give for it."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos),
                                       "msg": f"JSON decode error: {exc.msg}",
                                       "input": {}}]) from None
    events = data.get("events") if type(data) is dict else None
    if (type(events) is list and 0 < len(events) <= MAX_EVENTS_PER_REQUEST
            and all(type(event) is dict for event in events)):
        return events
    try:
        Events.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])}
                                      for error in exc.errors()]) from None
    raise RequestValidationError([{"type": "value_error", "loc": ("body",),
                                   "msg": "send {\"events\": [...]}", "input": None}])


class BodyLimit:
    """Refuses a body over ``MAX_BODY_BYTES`` (413) or of unknown size (411) before it is
    read (a plain ASGI middleware: it costs a header lookup per request)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            problem = _body_problem(dict(scope["headers"]))
            if problem is not None:
                status, detail = problem
                await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _body_problem(headers: dict[bytes, bytes]) -> tuple[int, str] | None:
    length = headers.get(b"content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return 413, f"body: it is over {MAX_BODY_BYTES:,} bytes; send fewer events per request"
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        # a chunked body's size is unknown until it is read: ask for it up front instead
        return 411, "body: send it with a Content-Length header (chunked bodies are refused)"
    return None


def create_app(service: ModelService, start: bool = True) -> FastAPI:
    """The application serving ``service``; ``start`` runs its stream while the app lives."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if start:
            service.start()
        yield
        if start:
            service.close()

    app = FastAPI(title="streamlearn", version="1", lifespan=lifespan,
                  description="Predict with, teach and monitor a model that learns from a "
                              "stream. Write endpoints need `Authorization: Bearer <token>` "
                              "when the server has a token.")
    app.state.service = service

    app.add_middleware(BodyLimit)

    @app.exception_handler(StreamlearnError)
    async def unavailable(_request: Request, exc: StreamlearnError) -> JSONResponse:
        # the learner is gone or behind: the request may succeed later, elsewhere
        return JSONResponse({"detail": f"learner: {exc}"}, status_code=503)

    async def writer(request: Request) -> None:  # async: no hop to a thread pool
        if not service.is_authorised(request.headers.get("authorization")):
            raise HTTPException(401, "a valid 'Authorization: Bearer <token>' header is "
                                     "required", headers={"WWW-Authenticate": "Bearer"})

    def known(name: str) -> None:
        if name != service.name:
            raise HTTPException(404, f"name: no model named {name!r}; this server serves "
                                     f"{service.name!r}")

    @app.post("/v1/predict", response_model=PredictResponse, dependencies=[Depends(writer)],
              tags=["stream"], openapi_extra=_body_of(Events))
    async def predict(request: Request) -> Response:
        """Predict events (they then wait for feedback under the returned ids)."""
        # the hot endpoint: parsed with orjson, checked in one pass (pydantic only explains
        # a body that fails), answered inline (a prediction takes less than a hop to a
        # thread pool) and serialised without re-validating its own output
        events = _parse_events(await request.body())
        predictions, dead = service.predict(events)
        return Response(orjson.dumps({"predictions": predictions, "rejected": _rejected(dead)},
                                     option=orjson.OPT_SERIALIZE_NUMPY),
                        media_type="application/json")

    @app.post("/v1/explain", response_model=ExplainResponse, dependencies=[Depends(writer)],
              tags=["stream"], responses={422: {"description": "the model cannot explain"}})
    def explain(body: Events) -> dict[str, Any]:
        """Why the model says so: each feature's contribution to the score of each event
        (a pipeline ending in a linear model; nothing is recorded or learnt)."""
        from streamlearn.compose.explain import NotExplainableError

        try:
            explanations, dead = service.explain(body.events)
        except NotExplainableError as exc:
            raise HTTPException(422, f"model: {exc}") from None
        return {"explanations": explanations, "rejected": _rejected(dead)}

    @app.post("/v1/learn", response_model=LearnResponse, dependencies=[Depends(writer)],
              tags=["stream"])
    def learn(body: Events) -> dict[str, Any]:
        """Learn events that carry their label (test-then-train: each is scored first)."""
        learnt, dead = service.learn(body.events)
        return {"learnt": learnt, "rejected": _rejected(dead)}

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=[Depends(writer)],
              tags=["stream"])
    def feedback(body: Feedback) -> dict[str, Any]:
        """Labels `{id, label}` for earlier predictions: each is scored and learnt."""
        matched, unmatched, dead = service.feedback(body.feedback)
        return {"matched": matched, "unmatched": unmatched, "rejected": _rejected(dead)}

    @app.get("/v1/models", tags=["models"])
    def models() -> dict[str, Any]:
        """The served model and how many versions it has."""
        return {"models": [{"name": service.name, "live_version": service.live_version,
                            "versions": len(service.versions())}]}

    @app.get("/v1/models/{name}/versions", response_model=VersionsResponse, tags=["models"])
    def versions(name: str) -> dict[str, Any]:
        known(name)
        return {"name": name, "live_version": service.live_version,
                "versions": service.versions()}

    @app.get("/v1/models/{name}/versions/{version}", response_model=Version, tags=["models"])
    def one_version(name: str, version: Annotated[int, PathParam(ge=1, le=MAX_VERSION)]
                    ) -> dict[str, Any]:
        """One version's creation time and metadata (pipeline, metrics, schema, note)."""
        known(name)
        try:
            return service.version(version)
        except LookupError as exc:
            raise HTTPException(404, f"version: {exc}") from None

    @app.post("/v1/models/{name}/versions", dependencies=[Depends(writer)], tags=["models"])
    def save_version(name: str, body: SaveVersion | None = None) -> dict[str, int]:
        """Save the live state as a new version."""
        known(name)
        return {"version": service.save_version(None if body is None else body.note)}

    @app.post("/v1/models/{name}/rollback", dependencies=[Depends(writer)], tags=["models"])
    def rollback(name: str, body: Rollback) -> dict[str, int]:
        """Serve a saved version again (it goes on learning from there)."""
        known(name)
        try:
            return {"live_version": service.rollback(body.version)}
        except LookupError as exc:
            raise HTTPException(404, f"version: {exc}") from None

    @app.post("/v1/models/{name}/promote", dependencies=[Depends(writer)], tags=["models"])
    def promote(name: str) -> dict[str, Any]:
        """Swap champion and challenger: the shadow pipeline starts answering requests."""
        known(name)
        try:
            return {"champion": service.promote()}
        except LookupError as exc:
            raise HTTPException(409, f"name: {exc}") from None

    @app.get("/v1/recommend", response_model=Recommendation, tags=["stream"],
             responses={404: {"description": "the served model does not recommend"}})
    def recommend(user: Annotated[str, Query(min_length=1, max_length=200)],
                  k: Annotated[int, Query(ge=1, le=MAX_RECOMMENDED)] = 10,
                  exclude_seen: bool = True) -> dict[str, Any]:
        """The top-k items for a user, from the served copy of the model (a pipeline ending
        in a recommender); an unknown user is a cold start, answered with popular items."""
        try:
            return service.recommend(user, k, exclude_seen)
        except LookupError as exc:
            raise HTTPException(404, f"model: {exc}") from None

    @app.get("/v1/metrics", tags=["monitoring"])
    async def metrics() -> dict[str, Any]:
        """Rolling and whole-stream metrics, counters, throughput, lag, history."""
        return service.status()

    @app.get("/metrics", response_class=PlainTextResponse, tags=["monitoring"])
    async def prometheus() -> str:
        """The same, in Prometheus' text format."""
        return prometheus_text(service.status())

    @app.get("/healthz", tags=["monitoring"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["monitoring"])
    async def readyz() -> JSONResponse:
        ready = service.ready
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    add_dashboard(app)
    return app
