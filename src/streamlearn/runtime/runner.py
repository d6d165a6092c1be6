"""The runner: micro-batches from a source through the pipeline, with labels joined later,
metrics, predictions to the store and a sink, and exactly-once checkpoints.

Per micro-batch (closed by ``max_events`` or ``max_delay_ms``, by the source's ``read``):
events that carry their label are predicted then learnt (test-then-train); the others are
predicted and wait in :class:`PendingPredictions` until their label arrives on the labels
source, which joins it by id, scores the stored answer and learns. Predictions go to the
store and the sink on a writer thread behind a bounded queue: a slow sink makes the loop
wait instead of filling memory.

A checkpoint holds the pipeline, the metrics, the pending predictions, the counters and the
source positions, written in one transaction of the store (or to a file, written then
fsynced then renamed over the last one); the sources are acknowledged only after it.
After a crash the job restores the last checkpoint and the sources replay from there: every
model is exactly batch-size invariant, so the replay rebuilds exactly the state an
uninterrupted run has, and predictions (upserted by id) are written at least once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from streamlearn.connectors.base import Sink, Source
from streamlearn.core.batch import Batch
from streamlearn.core.schema import Decoded
from streamlearn.core.serialize import dumps, loads, write_atomically
from streamlearn.evaluate.scoring import Scorer
from streamlearn.runtime.drift_watch import DriftWatch, errors_of
from streamlearn.runtime.pending import PendingPredictions, batch_from_state, batch_state
from streamlearn.runtime.writer import OutputWriter
from streamlearn.store import Store


@dataclass
class Counters:
    """What the serving layer and the dashboard read."""

    events_in: int = 0
    predicted: int = 0
    learnt: int = 0
    dead_lettered: int = 0
    labels_in: int = 0
    unmatched_labels: int = 0
    checkpoints: int = 0
    drifts: int = 0
    started_at: float = field(default_factory=time.time)
    last_event_time: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}


class Runner:
    def __init__(self, run_id: str, model: Any, scorer: Scorer, source: Source,
                 store: Store, *, labels: Source | None = None, sink: Sink | None = None,
                 max_events: int = 1000, max_delay_ms: int = 50,
                 checkpoint_events: int = 50_000, checkpoint_seconds: float = 10.0,
                 max_pending: int = 1_000_000, dead_letter_sink: Sink | None = None,
                 checkpoint_path: str | None = None, max_pending_in_memory: int | None = None,
                 challenger: tuple[Any, Scorer] | None = None,
                 specs: dict[str, Any] | None = None, drift: DriftWatch | None = None,
                 features: Any = None):
        self.run_id = run_id
        self.model = model
        self.scorer = scorer
        self.source = source
        self.labels = labels
        self.sink = sink
        self.dead_letter_sink = dead_letter_sink
        self.challenger = challenger        # (model, scorer) learning in the shadow
        self.drift = drift                  # a detector over the champion's errors
        # transformers every event goes through as it arrives, labelled or not (per-key
        # windowed aggregates): the model sees, and the pending predictions keep, their output
        self.features = features
        self.held_labels: Batch | None = None  # labels read before their time (see below)
        self._reset_due = False
        # the pipelines as specs (job-file form), kept in checkpoints and artifacts
        self.specs: dict[str, Any] = dict(specs or {"champion": None, "challenger": None})
        self.checkpoint_path = None if checkpoint_path is None else Path(checkpoint_path)
        self.store = store
        self.max_events = max_events
        self.max_delay_ms = max_delay_ms
        self.checkpoint_events = checkpoint_events
        self.checkpoint_seconds = checkpoint_seconds
        self.pending = PendingPredictions(max_pending, max_pending_in_memory,
                                          spill=store.spill(run_id))
        self.counters = Counters()
        self.classifier = bool(model.tags["classifier"])
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._history_saved = 0
        self.writer: OutputWriter | None = None

    # ------------------------------------------------------------------ the loop
    def run(self, stop: Any = None, max_batches: int | None = None,
            between_batches: Callable[[], None] | None = None) -> None:
        """Run until the source ends, ``stop.is_set()``, or ``max_batches`` batches, then
        checkpoint; ``between_batches`` is called after each (the server's learner handles
        its requests there). An error skips that last checkpoint on purpose: a restart
        replays from the previous one, so nothing half-done is ever saved."""
        for connector in (self.source, self.labels, self.sink, self.dead_letter_sink):
            if connector is not None:
                connector.open()
        batches = 0
        try:
            while stop is None or not stop.is_set():
                decoded = self.source.read(self.max_events, self.max_delay_ms)
                if decoded is None and self._labels_done():
                    break
                if decoded is not None:
                    self.process_events(decoded)
                if self.labels is not None:
                    self.process_labels()
                batches += 1
                if between_batches is not None:
                    between_batches()
                if self.checkpoint_due():
                    self.checkpoint()
                if max_batches is not None and batches >= max_batches:
                    break
        except BaseException:
            if self.writer is not None:
                self.writer.close()   # stop the thread; what it wrote is upserted again later
                self.writer = None
            raise
        self.checkpoint()

    def _labels_done(self) -> bool:
        # a finite events source has ended: read what labels remain, then stop
        if self.labels is None:
            return True
        return not self.process_labels(release_all=True)

    def _dead_letters(self, source: str, dead_letters: list[Any]) -> None:
        """To the store, and to the dead-letter sink when the job names one."""
        if not dead_letters:
            return
        self.store.write_dead_letters(self.run_id, source, dead_letters)
        self.counters.dead_lettered += len(dead_letters)
        if self.dead_letter_sink is not None:
            self.dead_letter_sink.write([
                {"id": f"{self.run_id}:{source}:{d.index}", "source": source,
                 "index": d.index, "reason": d.reason, "payload": _json_ready(d.payload)}
                for d in dead_letters])

    def process_events(self, decoded: Decoded) -> int:
        """Predict and learn a micro-batch; returns how many events were learnt."""
        self._dead_letters("events", decoded.dead_letters)
        batch = decoded.batch
        self.counters.events_in += len(batch) + len(decoded.dead_letters)
        self._since_checkpoint += len(batch) + len(decoded.dead_letters)
        if len(batch) == 0:
            return 0
        batch = self.featurize(batch)
        supervised = self.supervised
        labelled = batch.labelled()
        # a clusterer or an anomaly detector learns every event; a supervised model the
        # labelled ones, the others wait for their labels
        learn = labelled if supervised else np.ones(len(batch), dtype=bool)
        answers = self.model.process_many(batch, batch, learn)
        self.counters.predicted += len(batch)
        self.counters.learnt += int(learn.sum())
        if batch.times is not None and len(batch.times) and not np.isnan(batch.times).all():
            latest = float(np.nanmax(batch.times))
            previous = self.counters.last_event_time
            self.counters.last_event_time = latest if previous is None else max(previous,
                                                                                latest)
        if supervised and labelled.any():
            self._score(batch.y[labelled], answers[labelled])
        if self.challenger is not None:
            self._shadow(batch, labelled)
        if supervised and not labelled.all():
            waiting = ~labelled
            self.pending.add(batch.take(waiting), answers[waiting])
        self._write_predictions(batch, answers)
        self._reset_if_due()
        return int(learn.sum())

    @property
    def supervised(self) -> bool:
        """Whether the model learns from labels (a classifier or a regressor)."""
        tags = self.model.tags
        return bool(tags["classifier"] or tags["regressor"])

    def featurize(self, batch: Batch) -> Batch:
        """The job's ``features`` stage over arriving events, whether or not their label is
        known: each event is answered with the state the events before it left (its card's
        payments before it), then learnt (counted in the windows of the next ones)."""
        if self.features is None or len(batch) == 0:
            return batch
        transformed, _ = self.features.process_many(batch, batch,
                                                    np.ones(len(batch), dtype=bool))
        return transformed

    def process_labels(self, release_all: bool = False) -> bool:
        """Join the labels that arrived on the labels source; returns whether any did.

        Labels that carry a time (the labels source's ``time_field``: when the label became
        known, a chargeback's date) are joined only once the events stream has reached that
        time (its latest event time): a file of labels replayed beside a file of events
        then teaches the model in the order the world did, never before the event it labels
        was predicted. Labels read ahead of time wait (one micro-batch of them at most, kept
        in checkpoints); ``release_all`` (the events source has ended) joins them all."""
        if self.labels is None:
            return False
        joined = False
        while True:
            if self.held_labels is None:
                decoded = self.labels.read(self.max_events, 0)
                if decoded is None or (len(decoded.batch) == 0 and not decoded.dead_letters):
                    return joined
                if decoded.batch.times is None:     # no label times: join as they come
                    self.join_labels(decoded)
                    return True
                self._dead_letters("labels", decoded.dead_letters)
                self.held_labels = decoded.batch
            batch = self.held_labels
            watermark = self.counters.last_event_time
            if release_all:
                later = np.zeros(len(batch), dtype=bool)
            elif watermark is None:
                later = np.ones(len(batch), dtype=bool)
            else:
                later = batch.times > watermark
            if not later.all():
                self.join_labels(Decoded(batch.take(~later), []))
                joined = True
            self.held_labels = batch.take(later) if later.any() else None
            if self.held_labels is not None:
                return joined                    # the stream has not reached them yet

    def join_labels(self, decoded: Decoded) -> int:
        """Learn and score the waiting predictions these ``{id, label}`` events belong to;
        returns how many matched."""
        self._dead_letters("labels", decoded.dead_letters)
        ids, labels = decoded.batch.ids.tolist(), decoded.batch.y
        self.counters.labels_in += len(ids)
        found = self.pending.take(ids)
        matched = 0 if found is None else len(found[2])
        self.counters.unmatched_labels += len(ids) - matched
        if found is not None:
            rows, answers, positions = found
            rows = rows.with_labels(labels[positions])
            self.model.process_many(rows, rows, np.ones(len(rows), dtype=bool))
            if self.challenger is not None:   # it learns late labels too (unscored)
                self.challenger[0].process_many(rows, rows, np.ones(len(rows), dtype=bool))
            self.counters.learnt += len(rows)
            self._score(rows.y, answers)
            self.store.write_labels(self.run_id, zip(rows.ids.tolist(), rows.y.tolist()))
            self._reset_if_due()
        return matched

    def record_predictions(self, batch: Batch, answers: np.ndarray) -> None:
        """Events answered elsewhere (the server, from a published copy of the model):
        counted, stored, and waiting for feedback like the stream's own."""
        self.counters.events_in += len(batch)
        self.counters.predicted += len(batch)
        self._since_checkpoint += len(batch)
        batch = self.featurize(batch)
        if self.supervised:     # an unsupervised model's answers wait for nothing
            self.pending.add(batch, answers)
        self._write_predictions(batch, answers)

    # ------------------------------------------------------------------ champion/challenger
    def _shadow(self, batch: Batch, labelled: np.ndarray) -> None:
        """The challenger answers and learns the same events; it is scored on those that
        carry their label (on late labels it learns but is not scored: only the champion's
        answers wait for them)."""
        model, scorer = self.challenger  # type: ignore[misc]
        answers = model.process_many(batch, batch, labelled)
        if labelled.any():
            scorer.score_answers(model, batch.y[labelled], answers[labelled])

    def promote(self) -> None:
        """Swap champion and challenger (models and their metrics)."""
        if self.challenger is None:
            raise LookupError("this job has no challenger to promote")
        (model, scorer), self.challenger = self.challenger, (self.model, self.scorer)
        self.model, self.scorer = model, scorer
        self.classifier = bool(model.tags["classifier"])
        self.specs["champion"], self.specs["challenger"] = (self.specs["challenger"],
                                                            self.specs["champion"])

    # ------------------------------------------------------------------ outputs
    def _score(self, y_true: np.ndarray, answers: np.ndarray) -> None:
        self.scorer.score_answers(self.model, y_true, answers)
        if self.drift is not None:
            events = self.drift.observe(errors_of(self.model, self.classifier, y_true, answers))
            if events:
                self.counters.drifts += len(events)
                self.store.write_drift_events(self.run_id, events)
                self._reset_due = any(e["action"] == "reset" for e in events)

    def _reset_if_due(self) -> None:
        """The drift watch's ``reset``: the champion starts over from its spec."""
        if not self._reset_due:
            return
        from streamlearn.registry import parse_pipeline

        self._reset_due = False
        self.model = parse_pipeline(self.specs["champion"])
        self.classifier = bool(self.model.tags["classifier"])

    def _write_predictions(self, batch: Batch, answers: np.ndarray) -> None:
        columns = prediction_columns(self.model, batch, answers, self.classifier)
        if self.writer is None:
            self.writer = OutputWriter(self._write_columns)
        self.writer.submit(columns)

    def _write_columns(self, items: list[dict[str, Any]]) -> None:
        """On the writer thread: the store, then the sink (several micro-batches at once)."""
        columns = items[0] if len(items) == 1 else {
            name: [v for item in items for v in _as_list(item[name])] for name in items[0]}
        self.store.write_prediction_columns(self.run_id, columns["id"], columns["prediction"],
                                            columns["score"], columns["time"])
        if self.sink is not None:
            keys = list(columns)
            values = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns.values()]
            self.sink.write([dict(zip(keys, row)) for row in zip(*values)])

    # ------------------------------------------------------------------ checkpoints
    def checkpoint_due(self) -> bool:
        return (self._since_checkpoint >= self.checkpoint_events
                or time.monotonic() - self._last_checkpoint >= self.checkpoint_seconds)

    def checkpoint(self) -> None:
        if self.writer is not None:
            self.writer.drain()     # outputs first: at least once
        for sink in (self.sink, self.dead_letter_sink):
            if sink is not None:
                sink.flush()
        self._save_history()
        state = {
            "specs": self.specs,
            "pipeline": self.model.snapshot(), "scorer": self.scorer.state(),
            "challenger": None if self.challenger is None else {
                "pipeline": self.challenger[0].snapshot(),
                "scorer": self.challenger[1].state()},
            "drift": None if self.drift is None else self.drift.state(),
            "features": None if self.features is None else self.features.snapshot(),
            "held_labels": (None if self.held_labels is None
                            else batch_state(self.held_labels)),
            "pending": self.pending.state(), "counters": self.counters.as_dict(),
            "positions": {"events": self.source.position(),
                          "labels": None if self.labels is None else self.labels.position()},
        }
        blob = dumps(state)
        if self.checkpoint_path is not None:   # a file: write, fsync, rename
            write_atomically(self.checkpoint_path, blob)
        else:                                  # the store: one transaction
            self.store.save_checkpoint(self.run_id, self.counters.events_in, blob)
        self.source.commit(state["positions"]["events"])
        if self.labels is not None:
            self.labels.commit(state["positions"]["labels"])
        self.pending.after_checkpoint()
        self.counters.checkpoints += 1
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()

    def _save_history(self) -> None:
        history = self.scorer.history
        names = [k for k in history if k != "events"]
        rows = [(events, name, history[name][k])
                for k, events in enumerate(history["events"]) if k >= self._history_saved
                for name in names]
        self.store.write_metric_history(self.run_id, rows)
        self._history_saved = len(history["events"])

    def served_model(self) -> tuple[Any, Any]:
        """(spec, snapshot) of what the server answers requests with: the ``features``
        stage followed by the champion, as one pipeline."""
        if self.features is None:
            return self.specs["champion"], self.model.snapshot()
        from streamlearn.compose import Pipeline

        spec = _spec_steps(self.specs["features"]) + _spec_steps(self.specs["champion"])
        return spec, Pipeline(self.features, self.model).snapshot()

    def status(self) -> dict[str, Any]:
        """What monitoring reads: counters, throughput since start, event-time lag, the
        pending and expired counts, and the metrics (whole stream and rolling window)."""
        counters = self.counters.as_dict()
        elapsed = max(time.time() - self.counters.started_at, 1e-9)
        lag = (None if self.counters.last_event_time is None
               else max(0.0, time.time() - self.counters.last_event_time))
        return {"run_id": self.run_id, "counters": counters,
                "events_per_second": self.counters.events_in / elapsed, "lag_seconds": lag,
                "pending": len(self.pending), "expired": self.pending.expired,
                "spilled_chunks": self.pending.spilled,
                "metrics": self.scorer.values(), "rolling": self.scorer.rolling_values(),
                "drift_events": [] if self.drift is None else list(self.drift.events),
                "cluster_sizes": cluster_sizes(self.model)}

    def _rebuild_if_changed(self, specs: dict[str, Any] | None) -> None:
        """A checkpoint taken after a promotion or a rollback to another pipeline holds that
        pipeline's state: build the pipelines it names before restoring them."""
        if not specs or specs == self.specs:
            return
        from streamlearn.registry import parse_pipeline

        if specs.get("champion") is not None:
            self.model = parse_pipeline(specs["champion"])
            self.classifier = bool(self.model.tags["classifier"])
        if self.challenger is not None and specs.get("challenger") is not None:
            self.challenger = (parse_pipeline(specs["challenger"]), self.challenger[1])
        self.specs = {**self.specs, **specs}

    def forget_checkpoint(self) -> None:
        """Start over: the next run ignores what was checkpointed."""
        if self.checkpoint_path is not None:
            self.checkpoint_path.unlink(missing_ok=True)
        self.store.delete_checkpoint(self.run_id)

    def restore(self) -> bool:
        """Continue from the last checkpoint, if there is one."""
        if self.checkpoint_path is not None:
            blob = self.checkpoint_path.read_bytes() if self.checkpoint_path.exists() else None
        else:
            blob = self.store.load_checkpoint(self.run_id)
        if blob is None:
            return False
        state = loads(blob)
        self._rebuild_if_changed(state.get("specs"))
        self.model.restore(state["pipeline"])
        self.scorer.restore(state["scorer"])
        if self.challenger is not None and state.get("challenger") is not None:
            self.challenger[0].restore(state["challenger"]["pipeline"])
            self.challenger[1].restore(state["challenger"]["scorer"])
        if self.drift is not None and state.get("drift") is not None:
            self.drift.restore(state["drift"])
        if self.features is not None and state.get("features") is not None:
            self.features.restore(state["features"])
        held = state.get("held_labels")
        self.held_labels = None if held is None else batch_from_state(held)
        self.pending.restore(state["pending"])
        for name, value in state["counters"].items():
            setattr(self.counters, name, value)
        self.source.seek(state["positions"]["events"])
        if self.labels is not None and state["positions"]["labels"] is not None:
            self.labels.seek(state["positions"]["labels"])
        self._history_saved = len(self.scorer.history["events"])
        return True

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        for connector in (self.source, self.labels, self.sink, self.dead_letter_sink):
            if connector is not None:
                connector.close()


def prediction_columns(model: Any, batch: Batch, answers: np.ndarray,
                       classifier: bool) -> dict[str, Any]:
    """Per event: id, predicted label or value, P(positive) for binary models, event time."""
    n = len(batch)
    ids = batch.ids if batch.ids is not None else np.arange(n)
    times = batch.times.tolist() if batch.times is not None else [None] * n
    if classifier:
        predictions = model.labels_from_proba(answers)
        scores = answers[:, -1].tolist() if answers.shape[1] == 2 else [None] * n
    else:
        predictions, scores = answers, [None] * n
    return {"id": ids.tolist(), "prediction": predictions, "score": scores, "time": times}


def cluster_sizes(model: Any) -> list[int] | None:
    """How many events each cluster holds, when the model (or its last step) clusters."""
    final = getattr(model, "final", model)
    sizes = getattr(final, "cluster_sizes", None)
    return None if sizes is None else list(sizes)


def _spec_steps(spec: Any) -> list[Any]:
    """A pipeline spec (``"A | B"`` or a list of steps) as a list of steps."""
    from streamlearn.registry import _split_top_level

    if isinstance(spec, str):
        return [part.strip() for part in _split_top_level(spec)]
    return list(spec)


def _json_ready(payload: Any) -> Any:
    if isinstance(payload, dict):
        return {str(k): v if isinstance(v, str | int | float | bool | None) else str(v)
                for k, v in payload.items()}
    return payload if isinstance(payload, str | int | float | bool | None) else str(payload)


def _as_list(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else values
