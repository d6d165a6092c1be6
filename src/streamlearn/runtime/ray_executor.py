"""The Ray executor: the same job, one actor per group of partitions of a partitioned log.

``executor: {type: ray, address: auto, workers: 8}`` in the job file, or ``streamlearn run
job.yaml --executor ray --workers 8``. Nothing distributed is home-made (DESIGN.md §7):

- **Partitions** come from the log (:mod:`streamlearn.runtime.ray_partitions`): Redis
  streams ``<stream>:<p>`` read through the job's consumer group, Kafka partitions with
  offsets committed for the group, or file shards. Partition ``k`` goes to worker
  ``k mod workers``; every key lives on one partition
  (:func:`~streamlearn.runtime.partitioning.partition_of`), so keyed state is exact.
- **Workers** are Ray actors, each running the local :class:`~streamlearn.runtime.runner.Runner`
  over its partitions: micro-batches, checkpoints and acknowledgements are the local
  runner's, so batches, never single events, are what crosses process boundaries.
- **Restarts** are Ray's: an actor that dies is restarted (``max_restarts``) and its
  ``run`` task retried; it restores its checkpoint (kept in the job's store under the run
  id ``<job>@w<i>``) and the log replays what came after it: no event is lost, and none is
  learnt twice by the state, since the replay starts from the state the checkpoint holds.
- **Global models** are averaged every ``averaging.every_events`` events or
  ``every_seconds`` (:mod:`streamlearn.runtime.ray_averaging`). Worker 0 publishes its
  pipeline, just merged, as a registry version every ``publish_every_seconds`` (or
  ``publish_every_rounds`` averaging rounds) while the job runs, so that a server following
  the registry (``streamlearn serve --model NAME``) follows the cluster; at the end one
  version is published from the average of every worker's final model.
- **Monitoring**: every ``status_every_seconds`` each worker upserts its status (events
  in/predicted/learnt, events/s, event-time lag, the log's consumer lag where the source
  knows it) into the store's ``worker_status`` table, which the server's ``/v1/metrics``
  and dashboard show.

Predictions and labels are stored under the job's name (by event id, from every worker);
checkpoints, metric history, dead letters, drift events and spilled pending predictions
under the worker's run id. Changing the number of workers or partitions of a job that has
checkpoints needs ``--fresh`` (a worker's checkpoint names the partitions it read).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from streamlearn.core.errors import ParameterError, require
from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.job import Job, RunSummary
from streamlearn.runtime.ray_averaging import ParameterAverager, global_arrays, with_arrays
from streamlearn.runtime.ray_partitions import (
    assigned,
    claim_idle_ms,
    list_partitions,
    make_worker_source,
)
from streamlearn.store import Store

logger = logging.getLogger(__name__)

# what a worker keeps under its own run id: several workers would overwrite each other's
PER_WORKER = frozenset({"save_checkpoint", "load_checkpoint", "delete_checkpoint", "spill",
                        "write_metric_history", "write_dead_letters", "write_drift_events"})


def worker_run_id(job_name: str, worker: int) -> str:
    return f"{job_name}@w{worker}"


class WorkerStore:
    """The job's store as one worker sees it: the rows of :data:`PER_WORKER` under the
    worker's run id, everything else (predictions, labels, model versions) shared."""

    def __init__(self, store: Store, run_id: str):
        self._store = store
        self.worker_run_id = run_id

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name not in PER_WORKER:
            return attribute
        return lambda _run_id, *args, **kwargs: attribute(self.worker_run_id, *args, **kwargs)


class PartitionWorker:
    """One actor: the local runner over the partitions the executor assigned it."""

    def __init__(self, config: dict[str, Any], worker: int, partitions: list[str] | None,
                 averager: Any = None):
        self.config = JobConfig.model_validate(config)
        self.worker = worker
        self.partitions = partitions
        self.averager = averager
        job = Job(self.config)
        source = make_worker_source(self.config.source, job._schema(), partitions, worker)
        store = WorkerStore(Store(self.config.store), worker_run_id(self.config.name, worker))
        self.runner = job.build(source=source, store=store)  # type: ignore[arg-type]
        self.stop_event = threading.Event()
        self._learnt_at_sync = 0
        self._synced_at = self._reported_at = self._published_at = time.monotonic()
        self.syncs = self._syncs_at_publish = 0
        self.published: list[int] = []

    def run(self) -> dict[str, Any]:
        """Restore the checkpoint (if any), run until the partitions end or ``stop``, and
        return the worker's counters, metrics and final model."""
        runner = self.runner
        restored = runner.restore()
        self._learnt_at_sync = runner.counters.learnt
        self.report()   # serving lists the worker from the start
        try:
            runner.run(stop=self.stop_event, between_batches=self._between_batches)
        finally:
            runner.close()
        self.report()
        snapshot = runner.model.snapshot()
        if self.averager is not None:
            arrays, signatures = global_arrays(snapshot)
            require("ray", "ray").get(self.averager.final.remote(
                self.worker, arrays, signatures, runner.counters.learnt))
        return {"worker": self.worker, "restored": restored, "partitions": self.partitions,
                "counters": runner.counters.as_dict(), "metrics": runner.scorer.values(),
                "spec": runner.specs["champion"], "snapshot": snapshot, "syncs": self.syncs,
                "pending": len(runner.pending), "expired": runner.pending.expired,
                "published": self.published}

    def _between_batches(self) -> None:
        self._sync_if_due()
        executor, now = self.config.executor, time.monotonic()
        if now - self._reported_at >= executor.status_every_seconds:
            self.report()
        if self.worker == 0 and self._publication_due(now):
            self.publish()

    def _sync_if_due(self) -> None:
        if self.averager is None:
            return
        every = self.config.executor.averaging
        learnt = self.runner.counters.learnt - self._learnt_at_sync
        if learnt < every.every_events and \
                time.monotonic() - self._synced_at < every.every_seconds:
            return
        self.sync(learnt)

    def _publication_due(self, now: float) -> bool:
        executor = self.config.executor
        return ((executor.publish_every_seconds is not None
                 and now - self._published_at >= executor.publish_every_seconds)
                or (executor.publish_every_rounds is not None and self.averager is not None
                    and self.syncs - self._syncs_at_publish >= executor.publish_every_rounds))

    def report(self) -> None:
        """Upsert this worker's status into the store's ``worker_status`` table (a failure
        is logged: monitoring never stops the stream)."""
        self._reported_at = time.monotonic()
        try:
            self.runner.store.write_worker_status(self.config.name, self.status())
        except Exception:
            logger.exception("worker %d could not write its status", self.worker)

    def publish(self) -> None:
        """Publish this worker's pipeline, after a fresh averaging round, as a registry
        version of the job (worker 0 does, while the job runs)."""
        from streamlearn.serve.artifacts import pack

        if self.averager is not None:
            self.sync(self.runner.counters.learnt - self._learnt_at_sync)
        self._published_at, self._syncs_at_publish = time.monotonic(), self.syncs
        runner, config = self.runner, self.config
        try:
            runner.store.write_worker_status(config.name, self.status())
            rows = runner.store.worker_statuses(config.name)
            metadata = version_metadata(
                config, runner.model, _weighted_metrics(rows),
                sum(r["events_in"] for r in rows), sum(r["learnt"] for r in rows),
                f"published while running by ray worker {self.worker} after "
                f"{self.syncs} averaging rounds")
            self.published.append(runner.store.save_model_version(
                config.name, metadata, pack(runner.specs["champion"], runner.model)))
        except Exception:
            logger.exception("worker %d could not publish the merged model", self.worker)

    def sync(self, learnt: int) -> None:
        """Send the global arrays to the coordinator; adopt the average it returns."""
        model = self.runner.model
        arrays, signatures = global_arrays(model.snapshot())
        merged = require("ray", "ray").get(
            self.averager.sync.remote(self.worker, arrays, signatures, learnt))
        if merged:
            model.restore(with_arrays(model.snapshot(), merged))
        self._learnt_at_sync = self.runner.counters.learnt
        self._synced_at = time.monotonic()
        self.syncs += 1

    def status(self) -> dict[str, Any]:
        """Throughput, lag and counters of this worker (what the dashboard shows)."""
        status = self.runner.status()
        consumer_lag = getattr(self.runner.source, "consumer_lag", None)
        return {"worker": self.worker, "partitions": self.partitions,
                "events_per_second": status["events_per_second"],
                "lag_seconds": status["lag_seconds"], "counters": status["counters"],
                "consumer_lag": None if consumer_lag is None else consumer_lag(),
                "metrics": status["metrics"], "syncs": self.syncs}

    def stop(self) -> None:
        self.stop_event.set()

    def ready(self) -> bool:
        """Answered once the actor is built (its source, store and pipeline)."""
        return True


class RayExecutor:
    """Runs a job on a Ray cluster (see the module docstring); ``run`` returns the same
    :class:`RunSummary` as a local run, its counters summed over workers."""

    def __init__(self, config: JobConfig):
        if config.labels is not None:
            raise ParameterError("the ray executor does not join late labels yet (a label "
                                 "must reach the worker of its event); send events with "
                                 "their label, or use the local executor")
        if config.source["type"] == "redis" and config.source.get("partitions") is None and \
                claim_idle_ms(config.source) <= 1000 * config.checkpoint.every_seconds:
            raise ParameterError(
                f"The 'claim_idle_ms' of a shared redis stream must exceed the checkpoint "
                f"interval ({config.checkpoint.every_seconds} s): entries wait that long for "
                f"their acknowledgement, and a live worker's would be claimed. Got "
                f"{claim_idle_ms(config.source)} instead.")
        self.config = config.model_copy(update={"store": absolute_store_url(config.store)})
        self.actors: list[Any] = []
        self.averager: Any = None
        self.partitions: list[str] | None = None

    def _connect(self) -> Any:
        ray = require("ray", "ray")
        if not ray.is_initialized():
            ray.init(address=self.config.executor.address, logging_level="ERROR",
                     log_to_driver=False)
        return ray

    def start(self, resume: bool = True) -> list[Any]:
        """Create the coordinator and the workers (their runs not started)."""
        ray, cfg = self._connect(), self.config
        self.partitions = list_partitions(cfg.source)
        workers = cfg.executor.workers if self.partitions is None else min(
            cfg.executor.workers, len(self.partitions))
        store = Store(cfg.store)
        if not resume:
            for worker in range(max(workers, cfg.executor.workers)):
                store.delete_checkpoint(worker_run_id(cfg.name, worker))
        store.start_run(cfg.name, cfg.as_dict())
        store.delete_worker_statuses(cfg.name)   # this run's workers write theirs
        store.close()
        if workers > 1:
            self.averager = ray.remote(num_cpus=0)(ParameterAverager).remote()
        actor_class = ray.remote(PartitionWorker).options(
            max_restarts=cfg.executor.max_restarts, max_task_retries=-1, max_concurrency=4,
            num_cpus=cfg.executor.cpus_per_worker)
        config = cfg.as_dict()
        self.actors = [
            actor_class.remote(config, worker, None if self.partitions is None
                               else assigned(self.partitions, worker, workers), self.averager)
            for worker in range(workers)]
        return self.actors

    def statuses(self) -> list[dict[str, Any]]:
        """Every worker's status (a worker being restarted is left out)."""
        ray = require("ray", "ray")
        statuses = []
        for actor in self.actors:
            try:
                statuses.append(ray.get(actor.status.remote(), timeout=5))
            except Exception:
                continue
        return statuses

    def run(self, resume: bool = True, stop: threading.Event | None = None) -> RunSummary:
        """Start the workers, wait until every one has ended (``stop`` ends them after
        their current micro-batch, with a checkpoint), publish the merged model."""
        self.start(resume)
        self.launch()
        return self.collect(stop)

    def launch(self) -> list[Any]:
        """Start every worker's run (Ray retries it on a restarted actor), once every actor
        is up: workers that start together stay near each other in the stream, which is
        what averaging their models assumes."""
        ray = require("ray", "ray")
        ray.get([actor.ready.remote() for actor in self.actors])
        self._started = time.perf_counter()
        self.runs = [actor.run.remote() for actor in self.actors]
        return self.runs

    def collect(self, stop: threading.Event | None = None) -> RunSummary:
        """Wait for the runs started by :meth:`launch`; publish; summarize."""
        ray = require("ray", "ray")
        stop = stop or threading.Event()
        stopping = False
        while True:
            done, _ = ray.wait(self.runs, num_returns=len(self.runs), timeout=0.2)
            if len(done) == len(self.runs):
                break
            if stop.is_set() and not stopping:
                stopping = True
                for actor in self.actors:
                    actor.stop.remote()
        results = ray.get(self.runs)
        return self._finish(results, not stop.is_set(), time.perf_counter() - self._started)

    def merged_model(self, results: list[dict[str, Any]]) -> tuple[Any, Any]:
        """(spec, model): the first worker's pipeline with the averaged global arrays."""
        from streamlearn.registry import parse_pipeline

        first = min(results, key=lambda r: r["worker"])
        snapshot = first["snapshot"]
        if self.averager is not None:
            merged = require("ray", "ray").get(self.averager.merged.remote())
            snapshot = with_arrays(snapshot, merged)
        model = parse_pipeline(first["spec"])
        model.restore(snapshot)
        return first["spec"], model

    def _finish(self, results: list[dict[str, Any]], finished: bool,
                seconds: float) -> RunSummary:
        from streamlearn.serve.artifacts import pack

        cfg = self.config
        counters = _sum_counters([r["counters"] for r in results])
        metrics = _weighted_metrics(results)
        store = Store(cfg.store)
        try:
            spec, model = self.merged_model(results)
            metadata = version_metadata(cfg, model, metrics, counters.get("events_in", 0),
                                        counters.get("learnt", 0),
                                        f"merged from {len(results)} ray workers")
            self.published_version = store.save_model_version(cfg.name, metadata,
                                                              pack(spec, model))
            store.set_status(cfg.name, "finished" if finished else "stopped")
        finally:
            store.close()
        self.results = results
        return RunSummary(
            name=cfg.name, resumed=any(r["restored"] for r in results), finished=finished,
            seconds=seconds, counters=counters, events_this_run=counters.get("events_in", 0),
            metrics=metrics, pending=sum(r["pending"] for r in results),
            expired=sum(r["expired"] for r in results))


def version_metadata(config: JobConfig, model: Any, metrics: dict[str, float], events: int,
                     learnt: int, note: str) -> dict[str, Any]:
    """What a registry version of a Ray job records (``serve --model`` rebuilds the job
    around it from the schema and metric names)."""
    return {"pipeline": repr(model), "metrics": metrics, "events_seen": events,
            "learnt": learnt, "note": note, "schema": config.schema_.model_dump(mode="json"),
            "metric_names": list(config.metrics)}


def absolute_store_url(url: str) -> str:
    """A relative SQLite path made absolute: a worker's current directory is Ray's."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and len(url) > len(prefix):
        return prefix + str(Path(url[len(prefix):]).resolve())
    return url


def _sum_counters(counters: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for one in counters:
        for name, value in one.items():
            if isinstance(value, int) and not isinstance(value, bool):
                total[name] = total.get(name, 0) + value
    return total


def _weighted_metrics(results: list[dict[str, Any]]) -> dict[str, float]:
    """Each metric averaged over workers (their run results or status rows), weighted by
    the events each learnt."""
    weights = [max(r["counters"]["learnt"] if "counters" in r else r["learnt"], 0)
               for r in results]
    if not sum(weights):
        return {}
    names = set.intersection(*(set(r["metrics"]) for r in results))
    return {name: sum(w * r["metrics"][name] for w, r in zip(weights, results)
                      if isinstance(r["metrics"][name], int | float)
                      and r["metrics"][name] == r["metrics"][name]) / sum(weights)
            for name in sorted(names)}
