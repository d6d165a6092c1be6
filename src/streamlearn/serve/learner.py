"""The learner: the one owner of the runner (its stream, its learning, its pending
predictions, its checkpoints and the model registry), on a thread or in a process of its own.

The server never touches the learning model. The learner publishes whole copies of it
(a snapshot, at most every ``publish_seconds`` while the stream learns, and at once after a
request that changes it) and the server predicts from the latest copy, so a prediction never
sees half an update. Everything else the server needs goes through two queues:

- commands, server to learner: ``(kind, request_id, payload)``; the learner handles them
  between micro-batches of its stream (or as they come when it has no stream), in order;
- events, learner to server: ``("publish", {...})`` (status, and the model when it changed),
  ``("reply", request_id, ok, value)``, ``("failed", message)``, ``("stopped", None)``.

In a process of its own (what ``streamlearn serve`` uses) the learner has its own
interpreter: the stream learns at full speed on one core while requests are answered on
another, instead of taking turns for one interpreter lock. It runs at a lower scheduling
priority, so on a busy machine requests are answered first.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
import time
import traceback
from typing import Any

from streamlearn.runtime import Job
from streamlearn.serve.artifacts import pack, unpack

LEARNER_NICENESS = 19   # the lowest priority: a request never waits for the learner
MAX_COMMANDS_AT_ONCE = 1000
WORKERS_READ_SECONDS = 1.0   # how stale the scale-out workers' rows in a status may be


def learner_main(job_data: dict[str, Any], stream: bool, commands: Any, events: Any,
                 publish_seconds: float, own_process: bool) -> None:
    """The learner's entry point (a thread's or a spawned process's target)."""
    if own_process:
        # Ctrl-C reaches the terminal's whole process group: the server stops this process
        # through its command queue (with a last checkpoint), not by an interrupt mid-batch
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # where lowering it is not permitted, the same priority as the server is still correct
        with contextlib.suppress(OSError):
            os.nice(LEARNER_NICENESS)
    try:
        learner = Learner(Job.from_dict(job_data), stream, commands, events, publish_seconds)
    except Exception as exc:  # the job cannot be built: say why, the server refuses to start
        events.put(("failed", f"{type(exc).__name__}: {exc}"))
        return
    learner.serve()


class Learner:
    def __init__(self, job: Job, stream: bool, commands: Any, events: Any,
                 publish_seconds: float):
        self.job = job
        self.runner = job.build()
        self.runner.restore()
        self.runner.store.start_run(job.config.name, job.config.as_dict())
        self.commands, self.events = commands, events
        self.stream = stream
        self.stream_state = "off" if not stream else "waiting"
        self.stream_error: str | None = None
        self.live_version: int | None = None
        self.min_interval = self.interval = publish_seconds
        self.last_publish = 0.0
        self.published: tuple[int, Any, int | None] | None = None
        self.stop = threading.Event()
        self.stop_request: int | None = None
        self.started = False
        # following the registry (``serve --model``): a newer version is served when it appears
        self.follow_seconds: float | None = None
        self.followed, self.followed_at = 0, 0.0
        self.workers: list[dict[str, Any]] = []
        self.workers_read_at = 0.0

    # ------------------------------------------------------------------ the loop
    def serve(self) -> None:
        self.publish()
        while not self.stop.is_set():
            if self.started and self.stream_state == "waiting":
                self.run_stream()
                continue
            self.handle(block=True)
            self.follow_if_due()
            self.publish_if_due()
            if self.runner.checkpoint_due():
                self.runner.checkpoint()
        self.finish()

    def run_stream(self) -> None:
        self.stream_state = "running"
        self.publish()
        try:
            self.runner.run(stop=self.stop, between_batches=self.between_batches)
            self.stream_state = "ended"
        except Exception as exc:  # the API goes on with the last good state
            traceback.print_exc(file=sys.stderr)
            self.stream_state, self.stream_error = "failed", f"{type(exc).__name__}: {exc}"
        self.publish()

    def between_batches(self) -> None:
        self.handle(block=False)
        self.publish_if_due()

    def finish(self) -> None:
        error = None
        try:
            if self.stream_state != "failed":   # a failed batch is replayed, not saved
                self.runner.checkpoint()
            self.runner.close()
            self.runner.store.close()
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            error = f"{type(exc).__name__}: {exc}"
        if self.stop_request is not None:
            self.events.put(("reply", self.stop_request, error is None, _transportable(
                RuntimeError(error)) if error else None))
        self.events.put(("stopped", None))

    # ------------------------------------------------------------------ commands
    def handle(self, block: bool) -> None:
        """Handle the commands waiting (the first one awaited up to the publishing interval
        when ``block``); publish, then reply, if any of them asked for a reply."""
        try:
            first = (self.commands.get(timeout=self.interval) if block
                     else self.commands.get_nowait())
        except queue.Empty:
            return
        received = [first]
        while len(received) < MAX_COMMANDS_AT_ONCE:
            try:
                received.append(self.commands.get_nowait())
            except queue.Empty:
                break
        replies = []
        for kind, request_id, payload in received:
            try:
                value, ok = getattr(self, f"on_{kind}")(payload), True
            except Exception as exc:  # a request's error is the requester's answer
                value, ok = _transportable(exc), False
            if kind == "stop":
                self.stop_request = request_id
            elif request_id is not None:
                replies.append(("reply", request_id, ok, value))
        if replies:
            self.publish()
            for reply in replies:
                self.events.put(reply)

    def on_start(self, _payload: Any) -> None:
        self.started = True

    def on_stop(self, _payload: Any) -> None:
        self.stop.set()

    def on_predicted(self, records: Any) -> None:
        for batch, answers in records:
            self.runner.record_predictions(batch, answers)

    def on_learn(self, decoded: Any) -> int:
        return self.runner.process_events(decoded)

    def on_feedback(self, decoded: Any) -> int:
        return self.runner.join_labels(decoded)

    def on_versions(self, _payload: Any) -> list[dict[str, Any]]:
        return self.runner.store.model_versions(self.job.config.name)

    def on_save(self, note: str | None) -> int:
        runner, config = self.runner, self.job.config
        artifact = pack(runner.specs["champion"], runner.model)
        metadata = {"pipeline": repr(runner.model), "metrics": runner.scorer.values(),
                    "events_seen": runner.counters.events_in,
                    "learnt": runner.counters.learnt, "note": note,
                    # what `serve --model` needs to rebuild the job around the artifact
                    "schema": config.schema_.model_dump(mode="json"),
                    "metric_names": list(config.metrics)}
        self.live_version = runner.store.save_model_version(config.name, metadata, artifact)
        return self.live_version

    def on_rollback(self, version: int) -> int:
        """Serve (and keep learning from) a saved version; its pipeline replaces the live
        one (it may differ after a promotion)."""
        number, _, artifact = self.runner.store.load_model_version(self.job.config.name,
                                                                   version)
        spec, model = unpack(artifact)
        self.runner.model = model
        self.runner.classifier = bool(model.tags["classifier"])
        self.runner.specs["champion"] = spec
        self.live_version = number
        return number

    def on_follow(self, seconds: float) -> None:
        """Check the registry every ``seconds`` and serve its newest version when one
        appears (a rollback to an older version holds until a newer one is published)."""
        self.follow_seconds = float(seconds)
        self.followed = max(self.live_version or 0,
                            self.runner.store.latest_version(self.job.config.name) or 0)

    def follow_if_due(self) -> None:
        if self.follow_seconds is None or \
                time.monotonic() - self.followed_at < self.follow_seconds:
            return
        self.followed_at = time.monotonic()
        latest = self.runner.store.latest_version(self.job.config.name)
        if latest is not None and latest > self.followed:
            self.followed = latest
            if latest != self.live_version:
                self.on_rollback(latest)
                self.publish()

    def on_promote(self, _payload: Any) -> str:
        self.runner.promote()
        self.live_version = None   # a state no saved version holds
        return repr(self.runner.model)

    # ------------------------------------------------------------------ publishing
    def publish_if_due(self) -> None:
        if time.monotonic() - self.last_publish >= self.interval:
            self.publish()

    def publish(self) -> None:
        """Status always; the model when it learnt, changed or changed version since."""
        runner = self.runner
        started = time.perf_counter()
        message: dict[str, Any] = {"status": self.status(), "version": self.live_version}
        model_state = (runner.counters.learnt, id(runner.model), self.live_version,
                       None if runner.features is None else runner.counters.events_in)
        if model_state != self.published:
            message["model"] = runner.served_model()
            self.published = model_state
        self.events.put(("publish", message))
        # a large model is published less often: at most ~5% of the learner's time
        self.interval = max(self.min_interval, 20 * (time.perf_counter() - started))
        self.last_publish = time.monotonic()

    def status(self) -> dict[str, Any]:
        runner = self.runner
        status = runner.status()
        status["history"] = {k: list(v) for k, v in runner.scorer.history.items()}
        status["pipeline"] = repr(runner.model)
        status["stream"] = {"state": self.stream_state, "error": self.stream_error}
        status["workers"] = self.worker_statuses()
        status["challenger"] = None
        if runner.challenger is not None:
            model, scorer = runner.challenger
            status["challenger"] = {
                "pipeline": repr(model), "metrics": scorer.values(),
                "rolling": scorer.rolling_values(),
                "history": {k: list(v) for k, v in scorer.history.items()}}
        return status


    def worker_statuses(self) -> list[dict[str, Any]]:
        """The scale-out workers' status rows of this job/model in the store (a Ray run
        writes them; empty otherwise), read at most once a second."""
        if time.monotonic() - self.workers_read_at >= WORKERS_READ_SECONDS:
            self.workers_read_at = time.monotonic()
            self.workers = [{k: v for k, v in row.items() if k != "job"} for row in
                            self.runner.store.worker_statuses(self.job.config.name)]
        return self.workers


def _transportable(exc: BaseException) -> tuple[str, str]:
    """An error as (kind, message): it crosses a process boundary whatever it holds."""
    kind = "LookupError" if isinstance(exc, LookupError) else type(exc).__name__
    return kind, str(exc)
