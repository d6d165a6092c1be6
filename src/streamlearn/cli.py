"""The ``streamlearn`` command."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

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
) -> None:
    """Run a streaming job until its source ends or Ctrl-C (which checkpoints first)."""
    from streamlearn.runtime import Job
    from streamlearn.runtime.live import live_status

    try:
        job = Job.from_yaml(job_file)
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


if __name__ == "__main__":
    app()
