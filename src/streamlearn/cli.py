"""The ``streamlearn`` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from streamlearn.core.errors import StreamlearnError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Machine learning on data streams.")
console = Console()

DATASETS = ("sea", "hyperplane", "rbf", "agrawal", "breast-cancer", "phishing")


def _dataset(name: str, events: int, seed: int):
    from streamlearn import datasets

    synthetic = {
        "sea": lambda: datasets.SEA(seed=seed, drift_every=max(1, events // 4)),
        "hyperplane": lambda: datasets.RotatingHyperplane(seed=seed),
        "rbf": lambda: datasets.RandomRBF(seed=seed, change_speed=0.001, n_drift_centroids=10),
        "agrawal": lambda: datasets.Agrawal(seed=seed, drift_every=max(1, events // 4)),
    }
    if name in synthetic:
        return synthetic[name]().take(events)
    if name == "breast-cancer":
        return datasets.load_breast_cancer()
    if name == "phishing":
        return datasets.load_phishing()
    raise typer.BadParameter(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def _model(model: str | None, pipeline: Path | None):
    import yaml

    from streamlearn.registry import parse_pipeline

    if (model is None) == (pipeline is None):
        raise typer.BadParameter("give exactly one of --model and --pipeline")
    if pipeline is not None:
        return parse_pipeline(yaml.safe_load(pipeline.read_text()))
    return parse_pipeline(model)


@app.command()
def evaluate(
    data: Annotated[Path | None, typer.Option(help="CSV file to read events from.")] = None,
    dataset: Annotated[str | None, typer.Option(help=f"Bundled or synthetic stream: "
                                                     f"{', '.join(DATASETS)}.")] = None,
    events: Annotated[int, typer.Option(help="Events to generate for synthetic streams.")
                      ] = 200_000,
    seed: Annotated[int, typer.Option(help="Seed of synthetic streams.")] = 42,
    target: Annotated[str | None, typer.Option(help="Label column of the CSV file.")] = None,
    model: Annotated[str | None, typer.Option(
        help='Pipeline, e.g. "StandardScaler | LogisticRegression(learning_rate=0.05)".')
    ] = None,
    pipeline: Annotated[Path | None, typer.Option(help="YAML file with a 'pipeline:' list.")
                        ] = None,
    metric: Annotated[list[str] | None, typer.Option(
        help="Metric to report (repeatable): accuracy, precision, recall, f1, macro-f1, "
             "rocauc, logloss, mae, rmse, r2.")] = None,
    batch_size: Annotated[int, typer.Option(help="Events per micro-batch.")] = 1000,
    delay: Annotated[int | None, typer.Option(help="Labels arrive this many events late.")
                     ] = None,
    delay_seconds: Annotated[float | None, typer.Option(
        help="Labels arrive this many seconds after their event (needs --time).")] = None,
    time: Annotated[str | None, typer.Option(
        help="Event-time column of the CSV file (epoch seconds or ISO 8601).")] = None,
    on_error: Annotated[str, typer.Option(help="raise | skip broken events.")] = "raise",
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the report here.")
                         ] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of the rolling metrics.")
                    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Prequential (test-then-train) evaluation of a pipeline on a stream."""
    from streamlearn import metrics as metrics_module
    from streamlearn.connectors import CSVSource
    from streamlearn.evaluate import prequential

    try:
        if (data is None) == (dataset is None):
            raise typer.BadParameter("give exactly one of --data and --dataset")
        if delay is not None and delay_seconds is not None:
            raise typer.BadParameter("give at most one of --delay and --delay-seconds")
        if delay_seconds is not None:
            if time is None:
                raise typer.BadParameter("--delay-seconds needs --time, the event-time column")
            delay = timedelta(seconds=delay_seconds)
        estimator = _model(model, pipeline)
        chosen = [metrics_module.get_metric(name) for name in (metric or ["accuracy"])]
        if data is not None:
            if target is None:
                raise typer.BadParameter("--target names the label column of the CSV file")
            source = CSVSource(data, target=target, time=time)
        else:
            source = _dataset(dataset, events, seed)
        report = prequential(source, estimator, chosen, batch_size=batch_size, delay=delay,
                             on_error=on_error, progress=progress)
    except (StreamlearnError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    console.print(report.table())
    if json_path is not None:
        report.to_json(json_path)
        console.print(f"report written to {json_path}")
    if plot is not None:
        report.plot(plot)
        console.print(f"plot written to {plot}")


@app.command()
def run(
    job_file: Annotated[Path, typer.Argument(help="The job's YAML file.")],
    resume: Annotated[bool, typer.Option(
        "--resume/--fresh", help="Continue from the job's checkpoint when it has one "
        "(default), or start over.")] = True,
    progress: Annotated[bool, typer.Option(help="Show live throughput and metrics.")] = True,
    executor: Annotated[str | None, typer.Option(
        help="Override the job's executor: 'local' or 'ray' (one actor per partition "
        "group).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Override the number of Ray workers.", min=1)] = None,
    address: Annotated[str | None, typer.Option(
        help="The Ray cluster to join ('auto', 'host:port').")] = None,
) -> None:
    """Run a streaming job until its source ends or Ctrl-C (which checkpoints first)."""
    from streamlearn.runtime import Job
    from streamlearn.runtime.live import live_status

    try:
        job = Job.from_yaml(job_file)
        overrides = {k: v for k, v in {"type": executor, "workers": workers,
                                       "address": address}.items() if v is not None}
        if overrides:
            job = Job.from_dict({**job.config.as_dict(), "executor": {
                **job.config.executor.model_dump(mode="json"), **overrides}})
    except (StreamlearnError, ValueError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    try:
        with live_status(job, console, enabled=progress):
            summary = job.run(resume=resume)
    except (StreamlearnError, ValueError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    state = "finished" if summary.finished else "stopped (checkpoint saved)"
    console.print(f"{summary.name}: {state}{' after resuming' if summary.resumed else ''}; "
                  f"{summary.counters['events_in']:,} events, "
                  f"{summary.counters['dead_lettered']:,} dead letters, "
                  f"{summary.pending:,} awaiting labels, {summary.expired:,} expired; "
                  f"{summary.events_per_second:,.0f} events/s")
    for name, value in summary.metrics.items():
        console.print(f"  {name}: {value:.4f}")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    job_file: Annotated[Path | None, typer.Argument(
        help="The job's YAML file (or give --model and --store).")] = None,
    host: Annotated[str, typer.Option(
        help="Address to bind; any other than loopback needs a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="STREAMLEARN_TOKEN", show_default=False,
        help="Bearer token that write endpoints require.")] = None,
    stream: Annotated[bool, typer.Option(
        "--stream/--no-stream", help="Also run the job's source in the background.")] = True,
    model: Annotated[str | None, typer.Option(
        help="Serve this model's version from the registry, without a job file.")] = None,
    store: Annotated[str | None, typer.Option(
        help="The registry's database URL (with --model).")] = None,
    version: Annotated[int | None, typer.Option(
        help="The version to serve with --model (default: the latest).")] = None,
    follow_seconds: Annotated[float, typer.Option(
        help="With --model and no --version: check the registry this often and serve a "
             "newer version as soon as one appears (0: never).", min=0)] = 2.0,
    learner: Annotated[str, typer.Option(
        help="Where the model learns: 'process' (its own process, so the stream learns at "
             "full speed while requests are answered) or 'thread' (this process).")
    ] = "process",
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="Log a line per request.")] = False,
) -> None:
    """Serve a model over HTTP: predict, learn, feedback, versions, metrics, /docs."""
    from streamlearn.core.errors import require

    try:
        if (job_file is None) == (model is None):
            raise typer.BadParameter("give a job file, or --model with --store")
        if model is not None and store is None:
            raise typer.BadParameter("--model needs --store, the registry's database URL")
        if not token and not _is_loopback(host):
            raise typer.BadParameter(
                f"refusing to bind {host} without a token: anyone who reaches it could "
                f"write; set --token or STREAMLEARN_TOKEN, or bind 127.0.0.1")
        uvicorn = require("uvicorn", "serve")
        from streamlearn.serve import ModelService, create_app

        if model is not None:
            service = ModelService.from_registry(
                model, store, version=version, token=token, learner=learner,
                follow_seconds=follow_seconds if version is None and follow_seconds else None)
        else:
            service = ModelService.from_yaml(job_file, token=token, stream=stream,
                                             learner=learner)
    except (StreamlearnError, ValueError, OSError, LookupError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    console.print(f"serving {service.name!r} on http://{host}:{port} (API docs at /docs)")
    # no access log by default: a line per request costs more than a prediction
    uvicorn.run(create_app(service), host=host, port=port, log_level="info",
                access_log=access_log)


@app.command()
def estimators() -> None:
    """List the estimators a pipeline can name."""
    from streamlearn.registry import all_estimators

    for name, cls in sorted(all_estimators().items()):
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        console.print(f"[bold]{name}[/bold]  {summary}")


@app.command(name="export-dataset")
def export_dataset(
    name: Annotated[str, typer.Argument(help=f"One of {', '.join(DATASETS)}.")],
    path: Annotated[Path, typer.Argument(help="CSV file to write.")],
    events: Annotated[int, typer.Option(help="Events of a synthetic stream.")] = 200_000,
    seed: Annotated[int, typer.Option()] = 42,
) -> None:
    """Write a bundled or synthetic stream to a CSV file (label column ``y``)."""
    data = _dataset(name, events, seed)
    data.to_csv(path, target="y")
    console.print(json.dumps({"path": str(path), "events": len(data)}))


# ---------------------------------------------------------------------- the model registry
models_app = typer.Typer(no_args_is_help=True,
                         help="The model registry: list, show, roll back, export, import.")
app.add_typer(models_app, name="models")

StoreOption = Annotated[str | None, typer.Option(
    "--store", envvar="STREAMLEARN_STORE", show_default=False,
    help="The registry's database URL (default: sqlite:///streamlearn-data/streamlearn.db, "
         "the store's own).")]


@contextmanager
def _registry(url: str | None) -> Iterator[Any]:
    """The store at ``url`` (the default store when None); a missing model or version, or a
    bad file, exits 2 with the reason."""
    from streamlearn.store import DEFAULT_URL, Store

    store = None
    try:
        store = Store(url or DEFAULT_URL)
        yield store
    except (StreamlearnError, LookupError, ValueError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    finally:
        if store is not None:
            store.close()


@models_app.command("list")
def models_list(store: StoreOption = None) -> None:
    """The models in the registry, with their number of versions."""
    from rich.table import Table

    with _registry(store) as registry:
        table = Table("model", "versions", "latest saved")
        for name in registry.model_names():
            versions = registry.model_versions(name)
            table.add_row(name, str(len(versions)), _when(versions[-1]["created_at"]))
    console.print(table)


@models_app.command("show")
def models_show(name: Annotated[str, typer.Argument(help="The model's name.")],
                store: StoreOption = None) -> None:
    """A model's versions: when each was saved, events seen, metrics, note."""
    from rich.table import Table

    with _registry(store) as registry:
        versions = registry.model_versions(name)
        if not versions:
            raise LookupError(f"no model named {name!r} in the registry at {registry.url}")
    table = Table("version", "saved", "events", "metrics", "note", title=name)
    for entry in versions:
        meta = entry["metadata"]
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in (meta.get("metrics") or {}).items()
                            if isinstance(v, int | float))
        table.add_row(str(entry["version"]), _when(entry["created_at"]),
                      f"{meta.get('events_seen', '')}", metrics, meta.get("note") or "")
    console.print(table)


@models_app.command("rollback")
def models_rollback(name: Annotated[str, typer.Argument(help="The model's name.")],
                    version: Annotated[int, typer.Argument(help="The version to go back to.")],
                    store: StoreOption = None) -> None:
    """Record a new version copied from VERSION, so it becomes the latest: a server started
    with `streamlearn serve --model NAME` serves it (a running server: POST
    /v1/models/NAME/rollback)."""
    with _registry(store) as registry:
        _, metadata, artifact = registry.load_model_version(name, version)
        metadata = {**metadata, "note": f"rollback to version {version}",
                    "rolled_back_from": version}
        number = registry.save_model_version(name, metadata, artifact)
    console.print(f"{name}: version {number} is a copy of version {version}")


@models_app.command("export")
def models_export(name: Annotated[str, typer.Argument(help="The model's name.")],
                  path: Annotated[Path, typer.Argument(help="The file to write.")],
                  version: Annotated[int | None, typer.Option(
                      help="The version (default: the latest).")] = None,
                  store: StoreOption = None) -> None:
    """Write a version's artifact (the safe format: JSON header and arrays, no pickle)."""
    with _registry(store) as registry:
        number, _, artifact = registry.load_model_version(name, version)
        path.write_bytes(artifact)
    console.print(f"{name} version {number} written to {path} ({len(artifact):,} bytes)")


@models_app.command("import")
def models_import(name: Annotated[str, typer.Argument(help="The model's name.")],
                  path: Annotated[Path, typer.Argument(help="An exported artifact.")],
                  schema: Annotated[str | None, typer.Option(
                      help='The events\' schema as JSON, e.g. \'{"target": "y"}\' '
                           "(default: the latest version's).")] = None,
                  store: StoreOption = None) -> None:
    """Store an artifact as NAME's next version, after checking that it loads (artifacts are
    never unpickled: only estimators the registry knows can be named)."""
    from streamlearn.runtime.config import SchemaConfig
    from streamlearn.serve.artifacts import unpack

    with _registry(store) as registry:
        artifact = path.read_bytes()
        try:
            _, model = unpack(artifact)
        except Exception as exc:  # whatever a foreign file makes the reader raise
            raise ValueError(f"{path} is not a streamlearn model artifact: {exc}") from None
        if schema is not None:
            recorded = SchemaConfig.model_validate(json.loads(schema)).model_dump(mode="json")
        else:
            known = registry.model_versions(name)
            recorded = known[-1]["metadata"].get("schema") if known else None
        metadata = {"pipeline": repr(model), "note": f"imported from {path.name}",
                    "schema": recorded}
        number = registry.save_model_version(name, metadata, artifact)
    console.print(f"{name}: version {number} imported from {path}")


def _when(timestamp: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


if __name__ == "__main__":
    app()
