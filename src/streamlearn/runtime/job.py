"""`Job`: a streaming job described in one YAML file, run from Python or the shell."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamlearn.connectors.base import Source
from streamlearn.core.schema import Schema
from streamlearn.evaluate.scoring import Scorer
from streamlearn.metrics import get_metric
from streamlearn.registry import parse_pipeline
from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.drift_watch import DriftWatch
from streamlearn.runtime.factory import make_sink, make_source
from streamlearn.runtime.runner import Runner
from streamlearn.store import Store


@dataclass
class RunSummary:
    name: str
    resumed: bool
    finished: bool
    seconds: float
    counters: dict[str, Any]
    events_this_run: int
    metrics: dict[str, float]
    pending: int
    expired: int

    @property
    def events_per_second(self) -> float:
        """Events read by this run (not counting those before its checkpoint) per second."""
        return self.events_this_run / self.seconds if self.seconds > 0 else 0.0


class Job:
    """Build everything a job file names and run it.

    ``job.run()`` reads until the source ends (or ``stop`` is set, or Ctrl-C), checkpointing
    along the way and at the end; with ``resume=True`` (the default) a job that has a
    checkpoint in its store continues from it.
    """

    def __init__(self, config: JobConfig):
        self.config = config
        self.runner: Runner | None = None

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> Job:
        return cls(JobConfig.from_yaml(path_or_text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(JobConfig.model_validate(data))

    def _schema(self) -> Schema:
        s = self.config.schema_
        return Schema(id=s.id, time=s.time, key=s.key, target=s.target, numeric=s.numeric,
                      categorical=s.categorical, optional=tuple(s.optional))

    def _labels_schema(self) -> Schema:
        labels = dict(self.config.labels or {})
        return Schema(id=labels.pop("id_field", "id"), target=labels.pop("label_field", "label"),
                      time=labels.pop("time_field", None))

    def build(self, source: Source | None = None, store: Store | None = None) -> Runner:
        """The runner of this job; a Ray worker passes its own partitions and store."""
        cfg = self.config
        store = Store(cfg.store) if store is None else store
        labels_config = None
        if cfg.labels is not None:
            labels_config = {k: v for k, v in cfg.labels.items()
                             if k not in ("id_field", "label_field", "time_field")}
        def scorer() -> Scorer:
            return Scorer([get_metric(m) for m in cfg.metrics], cfg.rolling_window,
                          cfg.history_every)

        runner = Runner(
            cfg.name, parse_pipeline(cfg.pipeline), scorer(),
            make_source(cfg.source, self._schema()) if source is None else source, store,
            labels=None if labels_config is None else make_source(labels_config,
                                                                   self._labels_schema()),
            sink=None if cfg.sink is None else make_sink(cfg.sink, cfg.source),
            max_events=cfg.batch.max_events, max_delay_ms=cfg.batch.max_delay_ms,
            checkpoint_events=cfg.checkpoint.every_events,
            checkpoint_seconds=cfg.checkpoint.every_seconds,
            checkpoint_path=cfg.checkpoint.path,
            max_pending=cfg.pending.max_events,
            max_pending_in_memory=cfg.pending.max_in_memory,
            challenger=(None if cfg.challenger is None
                        else (parse_pipeline(cfg.challenger), scorer())),
            specs={"champion": cfg.pipeline, "challenger": cfg.challenger,
                   "features": cfg.features},
            features=None if cfg.features is None else parse_pipeline(cfg.features),
            drift=None if cfg.drift is None else DriftWatch(
                cfg.drift.detector, cfg.drift.params, cfg.drift.action),
            dead_letter_sink=None if cfg.dead_letters is None else make_sink(cfg.dead_letters,
                                                                             cfg.source))
        self.runner = runner
        return runner

    def run(self, resume: bool = True, stop: threading.Event | None = None,
            max_batches: int | None = None) -> RunSummary:
        if self.config.executor.type == "ray":
            from streamlearn.runtime.ray_executor import RayExecutor

            return RayExecutor(self.config).run(resume=resume, stop=stop)
        runner = self.build()
        store = runner.store
        if not resume:
            runner.forget_checkpoint()
        resumed = runner.restore()
        events_before = runner.counters.events_in
        store.start_run(self.config.name, self.config.as_dict())
        started = time.perf_counter()
        stop = stop or threading.Event()
        finished = False
        with _StopOnSignals(stop):
            try:
                runner.run(stop=stop, max_batches=max_batches)
                finished = not stop.is_set() and max_batches is None
            finally:
                runner.close()
        store.set_status(self.config.name, "finished" if finished else "stopped")
        summary = RunSummary(
            name=self.config.name, resumed=resumed, finished=finished,
            seconds=time.perf_counter() - started, counters=runner.counters.as_dict(),
            events_this_run=runner.counters.events_in - events_before,
            metrics=runner.scorer.values(), pending=len(runner.pending),
            expired=runner.pending.expired)
        store.close()
        return summary


class _StopOnSignals:
    """The first Ctrl-C (SIGINT) or SIGTERM sets ``stop``: the loop ends between two
    micro-batches and checkpoints. A second Ctrl-C stops at once, without a checkpoint (the
    previous one still holds, so nothing is lost)."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.previous: dict[int, Any] = {}

    def _first(self, signum: int, _frame: Any) -> None:
        self.stop.set()
        signal.signal(signum, self.previous.get(signum, signal.SIG_DFL))

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._first)

    def __exit__(self, *exc_info: Any) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
