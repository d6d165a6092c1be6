"""`ModelService`: the live model behind the server.

The learner (:mod:`streamlearn.serve.learner`) owns the runner: it runs the job's stream,
learns, joins feedback, checkpoints and keeps the registry, on a thread or in a process of
its own. The service answers predictions from the latest copy of the model the learner
published (a whole copy swapped in at once: a prediction never sees half an update) and
hands everything else to the learner, waiting for its reply where the request needs one.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import StreamlearnError
from streamlearn.core.schema import DeadLetter, Decoded, Schema
from streamlearn.registry import parse_pipeline
from streamlearn.runtime import Job
from streamlearn.serve import answers
from streamlearn.serve.learner import learner_main
from streamlearn.store import Store

COMMAND_QUEUE_SIZE = 10_000     # back-pressure: a request waits when the learner lags this far
REPLY_TIMEOUT_SECONDS = 300.0
START_TIMEOUT_SECONDS = 120.0
RECORD_SECONDS = 0.02   # answered predictions reach the learner in one message this often


@dataclass(frozen=True)
class ServedModel:
    """The copy predictions come from, with what its answers report."""

    model: Any
    classifier: bool
    version: int | None


class ModelService:
    """``learner="thread"`` keeps the learner in this process (quick to start; requests and
    the stream then share one interpreter), ``"process"`` gives it a process of its own
    (what ``streamlearn serve`` uses: the stream learns at full speed while requests are
    answered)."""

    def __init__(self, job: Job, token: str | None = None, stream: bool = True,
                 learner: str = "thread", publish_seconds: float = 0.1):
        if learner not in ("thread", "process"):
            raise ValueError(f"learner must be 'thread' or 'process'; got {learner!r}")
        self.job = job
        self.name = job.config.name
        self.token = token
        self.schema = job._schema()
        self.label_schema = Schema(id="id", target="label")
        self.stream = stream
        self.started_at = time.time()
        self.ready = False
        self._samples: deque[tuple[float, int]] = deque(maxlen=600)
        self._cluster_samples: deque[dict[str, Any]] = deque(maxlen=600)
        self._served: ServedModel | None = None
        self._spec: Any = None
        self._status: dict[str, Any] = {}
        self._replies: dict[int, tuple[threading.Event, list[Any]]] = {}
        self._request_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._predicted: list[tuple[Any, np.ndarray]] = []
        self._flushed_at = time.monotonic()
        self._flush_lock = threading.Lock()
        self._failure: str | None = None
        self._first_publish = threading.Event()
        self._start_learner(learner, publish_seconds)

    @classmethod
    def from_yaml(cls, path_or_text: Any, token: str | None = None, stream: bool = True,
                  learner: str = "thread") -> ModelService:
        return cls(Job.from_yaml(path_or_text), token=token, stream=stream, learner=learner)

    @classmethod
    def from_registry(cls, name: str, store_url: str, version: int | None = None,
                      token: str | None = None, learner: str = "thread",
                      follow_seconds: float | None = None) -> ModelService:
        """Serve a saved version (the latest when ``version`` is None) without a job file:
        the job is the version's pipeline and recorded schema, fed over HTTP only. With
        ``follow_seconds`` the registry is checked that often and a newer version (one a
        Ray job publishes while it runs, say) is served as soon as it appears."""
        from streamlearn.serve.artifacts import unpack

        store = Store(store_url)
        try:
            number, metadata, artifact = store.load_model_version(name, version)
        finally:
            store.close()
        if not metadata.get("schema"):
            raise StreamlearnError(
                f"version {number} of model {name!r} records no schema; save it from a "
                f"server (or import it with --schema) so the served events can be decoded")
        spec, _ = unpack(artifact)
        job = Job.from_dict({"name": name, "source": {"type": "http", "port": 0},
                             "schema": metadata["schema"], "pipeline": spec,
                             "metrics": metadata.get("metric_names") or ["Accuracy"],
                             "store": store_url})
        service = cls(job, token=token, stream=False, learner=learner)
        service.rollback(number)
        if follow_seconds:
            service._call("follow", follow_seconds)
        return service

    # ------------------------------------------------------------------ the learner
    def _start_learner(self, kind: str, publish_seconds: float) -> None:
        own_process = kind == "process"
        if own_process:
            # spawn, not fork: this process may already run threads (uvicorn, the receiver)
            context = multiprocessing.get_context("spawn")
            self._commands: Any = context.Queue(COMMAND_QUEUE_SIZE)
            self._events: Any = context.Queue()
            worker_class: Any = context.Process
        else:
            self._commands, self._events = queue.Queue(COMMAND_QUEUE_SIZE), queue.Queue()
            worker_class = threading.Thread
        self._worker = worker_class(
            target=learner_main, name="streamlearn-learner", daemon=True,
            args=(self.job.config.as_dict(), self.stream, self._commands, self._events,
                  publish_seconds, own_process))
        self._worker.start()
        self._receiver = threading.Thread(target=self._receive, name="streamlearn-receiver",
                                          daemon=True)
        self._receiver.start()
        self._first_publish.wait(START_TIMEOUT_SECONDS)
        if self._failure is not None or self._served is None:
            self._worker.join(timeout=10)
            raise StreamlearnError(f"the learner did not start: "
                                   f"{self._failure or 'it published no model in time'}")

    def _receive(self) -> None:
        """The learner's messages, in order: a publication is applied before the replies
        that follow it, so a request answered has its effect on the served copy."""
        while True:
            try:
                message = self._events.get(timeout=0.5)
            except queue.Empty:
                self._flush_quietly()
                if not self._worker.is_alive():
                    self._fail("the learner exited unexpectedly")
                    return
                continue
            kind = message[0]
            if kind == "publish":
                self._apply(message[1])
                self._flush_quietly()   # a quiet server's predictions reach the learner too
            elif kind == "reply":
                _, request_id, ok, value = message
                with self._lock:
                    waiting = self._replies.pop(request_id, None)
                if waiting is not None:
                    waiting[1].extend((ok, value))
                    waiting[0].set()
            elif kind == "failed":
                self._fail(message[1])
                return
            elif kind == "stopped":
                self._fail("the learner has stopped")
                return

    def _apply(self, message: dict[str, Any]) -> None:
        served = self._served
        if "model" in message:
            spec, snapshot = message["model"]
            template = (served.model if served is not None and spec == self._spec
                        else parse_pipeline(spec))
            model = template.clone()
            model.restore(snapshot)
            self._warm_up(model)
            self._spec = spec
            served = ServedModel(model, bool(model.tags["classifier"]), message["version"])
        elif served is not None and served.version != message["version"]:
            served = ServedModel(served.model, served.classifier, message["version"])
        self._served = served           # one assignment: requests see the old or the new
        self._status = message["status"]
        self._samples.append((time.time(), self._status["counters"]["events_in"]))
        if self._status.get("cluster_sizes") is not None:
            self._cluster_samples.append({"time": time.time(),
                                          "sizes": self._status["cluster_sizes"]})
        self._first_publish.set()

    def _flush_quietly(self) -> None:
        # the learner lags: the next request or message retries
        with contextlib.suppress(StreamlearnError):
            self._flush_predictions()

    def _fail(self, reason: str) -> None:
        self._failure = reason
        self.ready = False
        with self._lock:
            waiting, self._replies = self._replies, {}
        for event, slot in waiting.values():
            slot.extend((False, ("RuntimeError", reason)))
            event.set()
        self._first_publish.set()

    def _flush_predictions(self) -> None:
        """Hand the learner the predictions answered since the last flush, in one message
        (it stores them and keeps them waiting for feedback)."""
        with self._flush_lock:
            self._flushed_at = time.monotonic()
            if not self._predicted:
                return
            records, self._predicted = self._predicted, []
            try:
                self._commands.put(("predicted", None, records), timeout=5)
            except queue.Full:
                self._predicted[:0] = records   # kept for the next flush
                raise StreamlearnError("the learner is too far behind to record more "
                                       "predictions; retry shortly") from None

    def _call(self, kind: str, payload: Any = None,
              timeout: float = REPLY_TIMEOUT_SECONDS) -> Any:
        """Send a command and wait for the learner's reply."""
        if self._failure is not None:
            raise StreamlearnError(self._failure)
        self._flush_predictions()    # feedback may be for them: they go first
        request_id = next(self._request_ids)
        done, slot = threading.Event(), []
        with self._lock:
            self._replies[request_id] = (done, slot)
        self._commands.put((kind, request_id, payload))
        if not done.wait(timeout):
            with self._lock:
                self._replies.pop(request_id, None)
            raise StreamlearnError(f"the learner did not answer {kind!r} in {timeout:.0f} s")
        ok, value = slot
        if ok:
            return value
        error_kind, text = value
        raise (LookupError(text) if error_kind == "LookupError"
               else StreamlearnError(f"{error_kind}: {text}"))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        # what the server allocated so far leaves the garbage collector's way: fewer and
        # shorter collection pauses while serving
        gc.collect()
        gc.freeze()
        self._commands.put(("start", None, None))
        self.ready = self._failure is None

    def _warm_up(self, model: Any) -> None:
        """A new copy answers one made-up event (not recorded) before it serves, so that no
        request pays for loading the compiled kernels its state needs."""
        numeric = self.schema.numeric
        if numeric is None:   # the features are only known from the events
            return
        categorical = {name: np.array(["?"], dtype=object)
                       for name in self.schema.categorical or ()}
        batch = Batch(X=np.zeros((1, len(numeric))), columns=tuple(numeric),
                      categorical=categorical, ids=np.array(["warm-up"], dtype=object))
        with contextlib.suppress(Exception):   # best effort: a real request will tell
            model.process_many(batch, batch, np.zeros(1, dtype=bool))

    def close(self) -> None:
        self.ready = False
        if self._failure is None:
            self._flush_quietly()
            with contextlib.suppress(StreamlearnError):
                self._call("stop")
        self._worker.join(timeout=60)
        self._receiver.join(timeout=5)

    # ------------------------------------------------------------------ requests
    def _decode(self, events: list[dict[str, Any]], schema: Schema,
                required: tuple[str, ...] = ()) -> Decoded:
        """Decode what passes the id and label checks; dead letters keep request indices."""
        kept, positions, dead = _screen(events, (schema.id, schema.target), required)
        ids = _random_ids(len(kept))  # ids for events that bring none
        decoded = schema.decode(kept, ids=ids)
        dead += [DeadLetter(positions[d.index], d.payload, d.reason)
                 for d in decoded.dead_letters]
        return Decoded(decoded.batch, sorted(dead, key=lambda d: d.index))

    def predict(self, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
        """Predictions for the events that decode (their ids, generated when absent, are
        what feedback refers to), and the dead letters of the others."""
        decoded = self._decode(events, self.schema)
        batch = decoded.batch
        if len(batch) == 0:
            return [], decoded.dead_letters
        served = self._served           # one copy for the whole request
        if served is None:
            raise StreamlearnError("no model is published yet")
        model = served.model
        answers = model.process_many(batch, batch, np.zeros(len(batch), dtype=bool))
        # the learner stores them and keeps them waiting for their feedback
        self._predicted.append((batch, answers))
        if time.monotonic() - self._flushed_at >= RECORD_SECONDS:
            self._flush_predictions()
        ids, version = batch.ids.tolist(), served.version
        if not served.classifier:
            return [{"id": event_id, "prediction": value, "proba": None,
                     "model_version": version}
                    for event_id, value in zip(ids, answers.tolist())], decoded.dead_letters
        classes = [str(c) for c in model.known_classes]
        labels = model.labels_from_proba(answers).tolist()
        return [{"id": event_id, "prediction": label, "proba": dict(zip(classes, row)),
                 "model_version": version}
                for event_id, label, row in zip(ids, labels, answers.tolist())
                ], decoded.dead_letters

    def explain(self, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
        """Each event's per-feature contributions to the served model's score (nothing is
        recorded or learnt); ``NotExplainableError`` for a model that is not linear."""
        decoded = self._decode(events, self.schema)
        served = self._require_served()
        return (answers.explanations(served.model, served.classifier, served.version,
                                     decoded.batch), decoded.dead_letters)

    def learn(self, events: list[dict[str, Any]]) -> tuple[int, list[Any]]:
        decoded = self._decode(events, self.schema)
        return int(self._call("learn", decoded)), decoded.dead_letters

    def feedback(self, pairs: list[dict[str, Any]]) -> tuple[int, int, list[Any]]:
        decoded = self._decode(pairs, self.label_schema, required=("id", "label"))
        matched = self._call("feedback", decoded)
        return matched, len(decoded.batch) - matched, decoded.dead_letters

    def recommend(self, user: str, k: int = 10, exclude_seen: bool = True) -> dict[str, Any]:
        """The top-``k`` items for ``user`` from the served copy (see
        :func:`streamlearn.serve.answers.recommendation`)."""
        served = self._require_served()
        return answers.recommendation(served.model, served.version, user, k, exclude_seen)

    def _require_served(self) -> ServedModel:
        served = self._served
        if served is None:
            raise StreamlearnError("no model is published yet")
        return served

    # ------------------------------------------------------------------ monitoring
    def throughput(self) -> list[dict[str, float]]:
        """Events per second between successive publications of the learner."""
        samples = list(self._samples)
        points = []
        for (t0, n0), (t1, n1) in pairwise(samples):
            if t1 > t0:
                points.append({"time": t1, "events_per_second": (n1 - n0) / (t1 - t0)})
        return points[-300:]

    def status(self) -> dict[str, Any]:
        """The learner's last published status (at most ``publish_seconds`` old, and
        current after any learn, feedback or registry request has been answered)."""
        return {"name": self.name, "model_version": self.live_version, **self._status,
                "throughput": self.throughput(),
                "cluster_history": list(self._cluster_samples)[-300:],
                "uptime_seconds": time.time() - self.started_at}

    @property
    def live_version(self) -> int | None:
        served = self._served
        return None if served is None else served.version

    # ------------------------------------------------------------------ the registry
    def save_version(self, note: str | None = None) -> int:
        return int(self._call("save", note))

    def versions(self) -> list[dict[str, Any]]:
        return self._call("versions")

    def version(self, number: int) -> dict[str, Any]:
        """One version's number, creation time and metadata; LookupError when absent."""
        for entry in self.versions():
            if entry["version"] == number:
                return entry
        raise LookupError(f"model {self.name!r} has no version {number}")

    def rollback(self, version: int) -> int:
        """Serve (and keep learning from) a saved version."""
        return int(self._call("rollback", version))

    def promote(self) -> str:
        """The challenger becomes the champion (and the champion the challenger); returns
        the new champion's pipeline."""
        return str(self._call("promote"))

    def is_authorised(self, header: str | None) -> bool:
        if not self.token:
            return True
        return header is not None and _constant_time_equal(header, f"Bearer {self.token}")


def _screen(items: list[dict[str, Any]], fields: tuple[str | None, ...],
            required: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[int], list[DeadLetter]]:
    """The items whose id and label ``fields`` hold a string or a number (an object or list
    can be neither looked up by id nor learnt as a class), with the ``required`` ones
    present; their positions; dead letters for the others."""
    kept, positions, dead = [], [], []
    for index, item in enumerate(items):
        reason = None
        for name in fields:
            if name is None:
                continue
            value = item.get(name)
            if value is None and name in required:
                reason = (f"field {name!r} is missing from item {index}; "
                          f"send {{{', '.join(required)}}}")
            elif value is not None and not isinstance(value, str | int | float):
                reason = (f"field {name!r} of item {index} holds a {type(value).__name__}; "
                          f"send a string or a number")
            if reason is not None:
                break
        if reason is None:
            kept.append(item)
            positions.append(index)
        else:
            dead.append(DeadLetter(index, item, reason))
    return kept, positions, dead


def _random_ids(n: int) -> list[str]:
    """``n`` random 128-bit ids in hex (as unguessable as uuid4, a hundredth the cost)."""
    text = os.urandom(16 * n).hex()
    return [text[k:k + 32] for k in range(0, 32 * n, 32)]


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())

