"""`ModelService`: the live model behind the server.

It runs the job's stream on a background thread and answers requests on the same model:
predictions, learning, feedback (labels joined to stored predictions by id), metrics, and
versions kept in the store's model registry. The runner's lock is held while the model
changes, so a prediction never sees half an update.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections import deque
from itertools import pairwise
from typing import Any

from streamlearn.core.errors import StreamlearnError
from streamlearn.core.schema import DeadLetter, Decoded, Schema
from streamlearn.runtime import Job
from streamlearn.serve.artifacts import pack, unpack
from streamlearn.store import Store


class ModelService:
    def __init__(self, job: Job, token: str | None = None, stream: bool = True):
        self.job = job
        self.name = job.config.name
        self.token = token
        self.runner = job.build()
        self.runner.restore()
        self.runner.store.start_run(self.name, job.config.as_dict())
        self.schema = job._schema()
        self.label_schema = Schema(id="id", target="label")
        self.live_version: int | None = None
        self.stream = stream
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._samples: deque[tuple[float, int]] = deque(maxlen=600)
        self.started_at = time.time()
        self.ready = False

    @classmethod
    def from_yaml(cls, path_or_text: Any, token: str | None = None,
                  stream: bool = True) -> ModelService:
        return cls(Job.from_yaml(path_or_text), token=token, stream=stream)

    @classmethod
    def from_registry(cls, name: str, store_url: str, version: int | None = None,
                      token: str | None = None) -> ModelService:
        """Serve a saved version (the latest when ``version`` is None) without a job file:
        the job is the version's pipeline and recorded schema, fed over HTTP only."""
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
        service = cls(job, token=token, stream=False)
        service.rollback(number)
        return service

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self.stream and self._thread is None:
            self._thread = threading.Thread(target=self._run_stream, name="streamlearn-stream",
                                            daemon=True)
            self._thread.start()
        self.ready = True

    def _run_stream(self) -> None:
        # Requests and the stream share the interpreter: switch threads every 0.5 ms rather
        # than every 5 ms, so a request waits for the stream thread far less.
        sys.setswitchinterval(0.0005)
        self.runner.run(stop=self._stop)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        else:
            self.runner.checkpoint()
        self.runner.close()
        self.runner.store.close()
        self.ready = False

    # ------------------------------------------------------------------ requests
    def _decode(self, events: list[dict[str, Any]], schema: Schema,
                required: tuple[str, ...] = ()) -> Decoded:
        """Decode what passes the id and label checks; dead letters keep request indices."""
        kept, positions, dead = _screen(events, (schema.id, schema.target), required)
        ids = [uuid.uuid4().hex for _ in kept]  # ids for events that bring none
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
        with self.runner.lock:  # the classes and the version are those of the answers
            answers = self.runner.predict(batch)
            model = self.runner.model
            version = self.live_version
            classes = model.known_classes if self.runner.classifier else None
            labels = (model.labels_from_proba(answers).tolist() if classes is not None
                      else None)
        results = []
        if classes is not None:
            for event_id, label, row in zip(batch.ids.tolist(), labels, answers.tolist()):
                results.append({"id": event_id, "prediction": label,
                                "proba": {str(c): p for c, p in zip(classes, row)},
                                "model_version": version})
        else:
            for event_id, value in zip(batch.ids.tolist(), answers.tolist()):
                results.append({"id": event_id, "prediction": value, "proba": None,
                                "model_version": version})
        self._sample()
        return results, decoded.dead_letters

    def learn(self, events: list[dict[str, Any]]) -> tuple[int, list[Any]]:
        decoded = self._decode(events, self.schema)
        labelled = int(decoded.batch.labelled().sum())
        self.runner.process_events(decoded)
        self._sample()
        return labelled, decoded.dead_letters

    def feedback(self, pairs: list[dict[str, Any]]) -> tuple[int, int, list[Any]]:
        decoded = self._decode(pairs, self.label_schema, required=("id", "label"))
        matched = self.runner.join_labels(decoded)
        return matched, len(decoded.batch) - matched, decoded.dead_letters

    # ------------------------------------------------------------------ monitoring
    def _sample(self) -> None:
        self._samples.append((time.time(), self.runner.counters.events_in))

    def throughput(self) -> list[dict[str, float]]:
        """Events per second between successive samples (one per request or second)."""
        samples = list(self._samples)
        points = []
        for (t0, n0), (t1, n1) in pairwise(samples):
            if t1 > t0:
                points.append({"time": t1, "events_per_second": (n1 - n0) / (t1 - t0)})
        return points[-300:]

    def status(self) -> dict[str, Any]:
        self._sample()
        with self.runner.lock:
            status = self.runner.status()
            history = {k: list(v) for k, v in self.runner.scorer.history.items()}
        return {"name": self.name, "model_version": self.live_version, **status,
                "history": history, "throughput": self.throughput(),
                "challenger": self._challenger_status(), "drift_events": [],
                "uptime_seconds": time.time() - self.started_at}

    # ------------------------------------------------------------------ the registry
    def save_version(self, note: str | None = None) -> int:
        with self.runner.lock:
            artifact = pack(self.runner.specs["champion"], self.runner.model)
            metadata = {"pipeline": repr(self.runner.model),
                        "metrics": self.runner.scorer.values(),
                        "events_seen": self.runner.counters.events_in,
                        "learnt": self.runner.counters.learnt, "note": note,
                        # what `serve --model` needs to rebuild the job around the artifact
                        "schema": self.job.config.schema_.model_dump(mode="json"),
                        "metric_names": list(self.job.config.metrics)}
        version = self.runner.store.save_model_version(self.name, metadata, artifact)
        self.live_version = version
        return version

    def versions(self) -> list[dict[str, Any]]:
        return self.runner.store.model_versions(self.name)

    def version(self, number: int) -> dict[str, Any]:
        """One version's number, creation time and metadata; LookupError when absent."""
        for entry in self.versions():
            if entry["version"] == number:
                return entry
        raise LookupError(f"model {self.name!r} has no version {number}")

    def rollback(self, version: int) -> int:
        """Serve (and keep learning from) a saved version."""
        number, _, artifact = self.runner.store.load_model_version(self.name, version)
        spec, model = unpack(artifact)
        with self.runner.lock:
            # the saved pipeline replaces the live one (it may differ after a promotion)
            self.runner.model = model
            self.runner.classifier = bool(model.tags["classifier"])
            self.runner.specs["champion"] = spec
            self.live_version = number
        return number

    def promote(self) -> None:
        """The challenger becomes the champion (and the champion the challenger)."""
        with self.runner.lock:
            self.runner.promote()
            self.live_version = None   # a state no saved version holds

    def _challenger_status(self) -> dict[str, Any] | None:
        if self.runner.challenger is None:
            return None
        model, scorer = self.runner.challenger
        return {"pipeline": repr(model), "metrics": scorer.values(),
                "rolling": scorer.rolling_values(),
                "history": {k: list(v) for k, v in scorer.history.items()}}

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


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())

