"""`ModelService`: the live model behind the server.

It runs the job's stream on a background thread and answers requests on the same model:
predictions, learning, feedback (labels joined to stored predictions by id), metrics, and
versions kept in the store's model registry. The runner's lock is held while the model
changes, so a prediction never sees half an update.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from itertools import pairwise
from typing import Any

from streamlearn.core.schema import Decoded, Schema
from streamlearn.runtime import Job
from streamlearn.serve.artifacts import pack, unpack


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

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self.stream and self._thread is None:
            self._thread = threading.Thread(target=self._run_stream, name="streamlearn-stream",
                                            daemon=True)
            self._thread.start()
        self.ready = True

    def _run_stream(self) -> None:
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
    def _decode(self, events: list[dict[str, Any]], schema: Schema) -> Decoded:
        ids = [uuid.uuid4().hex for _ in events]  # ids for events that bring none
        return schema.decode(events, ids=ids)

    def predict(self, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
        """Predictions for the events that decode (their ids, generated when absent, are
        what feedback refers to), and the dead letters of the others."""
        decoded = self._decode(events, self.schema)
        batch = decoded.batch
        if len(batch) == 0:
            return [], decoded.dead_letters
        answers = self.runner.predict(batch)
        model = self.runner.model
        results = []
        if self.runner.classifier:
            classes = model.known_classes
            labels = model.labels_from_proba(answers).tolist()
            for event_id, label, row in zip(batch.ids.tolist(), labels, answers.tolist()):
                results.append({"id": event_id, "prediction": label,
                                "proba": {str(c): p for c, p in zip(classes, row)},
                                "model_version": self.live_version})
        else:
            for event_id, value in zip(batch.ids.tolist(), answers.tolist()):
                results.append({"id": event_id, "prediction": value, "proba": None,
                                "model_version": self.live_version})
        self._sample()
        return results, decoded.dead_letters

    def learn(self, events: list[dict[str, Any]]) -> tuple[int, list[Any]]:
        decoded = self._decode(events, self.schema)
        labelled = int(decoded.batch.labelled().sum())
        self.runner.process_events(decoded)
        self._sample()
        return labelled, decoded.dead_letters

    def feedback(self, pairs: list[dict[str, Any]]) -> tuple[int, int, list[Any]]:
        decoded = self.label_schema.decode(pairs)
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
                "challenger": None, "drift_events": [],
                "uptime_seconds": time.time() - self.started_at}

    # ------------------------------------------------------------------ the registry
    def save_version(self, note: str | None = None) -> int:
        with self.runner.lock:
            artifact = pack(self.job.config.pipeline, self.runner.model)
            metadata = {"pipeline": repr(self.runner.model),
                        "metrics": self.runner.scorer.values(),
                        "events_seen": self.runner.counters.events_in,
                        "learnt": self.runner.counters.learnt, "note": note}
        version = self.runner.store.save_model_version(self.name, metadata, artifact)
        self.live_version = version
        return version

    def versions(self) -> list[dict[str, Any]]:
        return self.runner.store.model_versions(self.name)

    def rollback(self, version: int) -> int:
        """Serve (and keep learning from) a saved version."""
        number, _, artifact = self.runner.store.load_model_version(self.name, version)
        _, model = unpack(artifact)
        with self.runner.lock:
            self.runner.model.restore(model.snapshot())
            self.live_version = number
        return number

    def is_authorised(self, header: str | None) -> bool:
        if not self.token:
            return True
        return header is not None and _constant_time_equal(header, f"Bearer {self.token}")


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())

