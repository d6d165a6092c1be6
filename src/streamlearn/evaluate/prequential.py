"""Prequential (test-then-train) evaluation over a stream, with optional label delays."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from streamlearn.connectors.memory import as_source
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.params import check_choice, check_number
from streamlearn.evaluate.progress import progress_bar
from streamlearn.evaluate.report import Report
from streamlearn.evaluate.schedule import arrival_events, interleave, validate_delay
from streamlearn.evaluate.scoring import Scorer
from streamlearn.metrics import Metric


def prequential(
    data: Any,
    model: Any,
    metrics: Sequence[Metric] = (),
    *,
    batch_size: int = 1000,
    delay: Any = None,
    keep_predictions: bool = False,
    target: str | None = None,
    on_error: str = "raise",
    progress: bool = False,
    rolling_window: int = 1000,
    history_every: int | None = None,
    max_events: int | None = None,
) -> Report:
    """Predict each event, then learn from it once its label arrives; score as labels arrive.

    ``data`` is a :class:`~streamlearn.connectors.Source`, ``(X, y)`` arrays, a data frame
    (with ``target`` naming the label column), a ``Dataset``, or an iterable of
    ``(dict, label)`` pairs. Events are processed in micro-batches of ``batch_size``; the
    predictions do not depend on it. ``delay`` (events, or a ``timedelta`` over event times)
    holds each label back as described in :mod:`streamlearn.evaluate.schedule`.
    ``on_error="skip"`` counts broken events and goes on; ``"raise"`` stops at the first.

    >>> from streamlearn import metrics
    >>> from streamlearn.datasets import SEA
    >>> from streamlearn.linear import LogisticRegression
    >>> from streamlearn.preprocessing import StandardScaler
    >>> report = prequential(SEA(seed=1).take(5000), StandardScaler() | LogisticRegression(),
    ...                      [metrics.Accuracy()])
    >>> report.events, round(report.metrics["Accuracy"], 4)
    (5000, 0.891)
    """
    caller = "prequential"  # named in parameter error messages
    check_number(caller, "batch_size", batch_size, low=1, integer=True)
    check_number(caller, "rolling_window", rolling_window, low=1, integer=True)
    check_choice(caller, "on_error", on_error, ("raise", "skip"))
    validate_delay(delay)
    source = as_source(data, target=target)
    size = source.size_hint if max_events is None else max_events
    if history_every is None:
        history_every = max(25, (size or 200_000) // 200)
    check_number(caller, "history_every", history_every, low=1, integer=True)
    metric_list = list(metrics)
    run = _Run(model, Scorer(metric_list, rolling_window, history_every), delay,
               keep_predictions)
    skipped: list[str] = []
    skipped_count = 0
    started = time.perf_counter()
    with progress_bar(progress, size, "prequential") as advance:
        for decoded in source.batches(batch_size):
            if decoded.dead_letters:
                if on_error == "raise":
                    first = decoded.dead_letters[0]
                    raise SchemaError(f"{first.reason} (pass on_error='skip' to count such "
                                      "events and go on)", row=first.index)
                skipped_count += len(decoded.dead_letters)
                skipped.extend(d.reason for d in decoded.dead_letters[: 20 - len(skipped)])
            batch = decoded.batch
            if max_events is not None and run.events + len(batch) > max_events:
                batch = batch.take(slice(0, max_events - run.events))
            if len(batch):
                run.step(batch)
            advance(len(batch) + len(decoded.dead_letters))
            if max_events is not None and run.events >= max_events:
                break
        run.finish()
    seconds = time.perf_counter() - started
    run.scorer.record()
    return Report(
        model=repr(model), events=run.events, labelled=run.scorer.scored, seconds=seconds,
        metrics=run.scorer.values(), rolling=run.scorer.rolling_values(),
        rolling_window=rolling_window, history=run.scorer.history,
        predictions=run.predictions(), skipped=skipped_count, skipped_reasons=skipped,
        delay=None if delay is None else str(delay), batch_size=batch_size,
    )




class _Run:
    def __init__(self, model: Any, scorer: Scorer, delay: Any, keep_predictions: bool):
        self.model = model
        self.scorer = scorer
        self.delay = delay
        self.classifier = bool(model.tags["classifier"])
        self.keep = keep_predictions
        self.kept: list[np.ndarray] = []
        self.events = 0
        self.pending: Batch | None = None           # predicted, label not yet learnt
        self.pending_events = np.zeros(0, np.int64)
        self.pending_answers: np.ndarray | None = None
        self.pending_due = np.zeros(0)
        self.watermark = -np.inf

    # ------------------------------------------------------------------ one micro-batch
    def step(self, batch: Batch) -> None:
        labelled = batch.labelled()
        if self.delay in (None, 0, 1) and self.pending is None:
            # the model answers each row before learning it: test-then-train as is
            answers = self.model.process_many(batch, batch, labelled)
            self._keep(answers)
            if labelled.all():
                self._score(batch.y, answers)
            else:
                self._score(batch.y[labelled], answers[labelled])
        else:
            self._delayed_step(batch, labelled)
        self.events += len(batch)

    def _delayed_step(self, batch: Batch, labelled: np.ndarray) -> None:
        n = len(batch)
        first = self.events
        events = np.arange(first, first + n)
        combined = batch if self.pending is None else Batch.concat([self.pending, batch])
        n_pending = len(self.pending_events)
        candidates = np.concatenate([self.pending_events, events[labelled]])
        candidate_rows = np.concatenate([np.arange(n_pending),
                                         n_pending + np.flatnonzero(labelled)])
        due, watermark = self._due_times(batch, labelled)
        arrivals = arrival_events(candidates, due, self.delay, first, watermark)
        arriving = arrivals < first + n
        is_learn, operand = interleave(events, candidates[arriving], arrivals[arriving])
        learn_rows = candidate_rows[arriving]
        rows = np.empty(len(is_learn), dtype=np.int64)
        rows[is_learn] = learn_rows[operand[is_learn]]
        rows[~is_learn] = n_pending + operand[~is_learn]
        ops = combined.take(rows)
        answers = self.model.process_many(ops, ops, is_learn)
        batch_answers = answers[~is_learn]
        self._keep(batch_answers)
        all_answers = self._stack_answers(batch_answers)
        # score the arriving labels in arrival order, with the answers given at prediction
        arrived_rows = rows[is_learn]
        self._score(combined.y[arrived_rows], all_answers[arrived_rows])
        stay = ~arriving
        self.pending = combined.take(candidate_rows[stay]) if stay.any() else None
        self.pending_events = candidates[stay]
        self.pending_answers = all_answers[candidate_rows[stay]] if stay.any() else None
        self.pending_due = due[stay] if due is not None else self.pending_due

    def _due_times(self, batch: Batch, labelled: np.ndarray
                   ) -> tuple[np.ndarray | None, np.ndarray | None]:
        from datetime import timedelta

        if not isinstance(self.delay, timedelta):
            return None, None
        if batch.times is None:
            raise ParameterError("a time delay needs event times: give the source a time "
                                 "column")
        watermark = np.maximum.accumulate(np.maximum(batch.times, self.watermark))
        self.watermark = watermark[-1]
        due = np.concatenate([self.pending_due,
                              batch.times[labelled] + self.delay.total_seconds()])
        return due, watermark

    def _stack_answers(self, batch_answers: np.ndarray) -> np.ndarray:
        if self.pending_answers is None:
            return batch_answers
        previous = self.pending_answers
        if self.classifier and previous.shape[1] < batch_answers.shape[1]:
            previous = np.pad(previous, ((0, 0), (0, batch_answers.shape[1] - previous.shape[1])))
        return np.concatenate([previous, batch_answers])

    def finish(self) -> None:
        """Labels still pending arrive when the stream ends."""
        if self.pending is None:
            return
        learn = np.ones(len(self.pending), dtype=bool)
        self.model.process_many(self.pending, self.pending, learn)
        self._score(self.pending.y, self.pending_answers)
        self.pending = None

    # ------------------------------------------------------------------ helpers
    def _score(self, y_true: np.ndarray, answers: np.ndarray) -> None:
        self.scorer.score_answers(self.model, y_true, answers)

    def _keep(self, answers: np.ndarray) -> None:
        if self.keep:
            self.kept.append(self.model.labels_from_proba(answers) if self.classifier
                             else answers)

    def predictions(self) -> np.ndarray | None:
        if not self.keep:
            return None
        if not self.kept:
            return np.zeros(0)
        return np.concatenate(self.kept)
