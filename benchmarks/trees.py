"""Hoeffding trees and adaptive random forests: streamlearn and River side by side.

    .venv/bin/python benchmarks/trees.py [--repeat 3] [--quick] [--out benchmarks/results]

Each case runs both libraries in this process on the same stream, test-then-train: River with
an explicit ``predict_one`` / ``metric.update`` / ``learn_one`` loop over ``(dict, label)``
pairs built before the clock starts, streamlearn with ``evaluate.prequential`` over the
arrays in micro-batches of 1,000 (after a warm-up on a prefix, so numba's compilation or cache
load is not timed). Each side runs ``--repeat`` times; throughput is the best run, the metric
the mean over the runs. Randomised models (forests; River's HAT, whose leaves bootstrap) use
seeds 1, 2, 3, ... in their runs, the same seeds on both sides, so the metric is a mean over
seeds rather than one draw. Writes ``trees.md`` to ``--out``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import machine
from river import forest as river_forest
from river import metrics as river_metrics
from river import tree as river_tree

from streamlearn import metrics
from streamlearn.datasets import SEA, Dataset, Friedman
from streamlearn.evaluate import prequential
from streamlearn.trees import (
    AdaptiveRandomForestClassifier,
    AdaptiveRandomForestRegressor,
    HoeffdingAdaptiveTreeClassifier,
    HoeffdingTreeClassifier,
    HoeffdingTreeRegressor,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Case:
    name: str
    data: Dataset
    river: Callable[[int], Any]        # seed -> a fresh River model
    ours: Callable[[int], Any]         # seed -> a fresh streamlearn model
    metric: str                        # "Accuracy" or "MAE"
    speed_bar: float | None = None     # streamlearn / River throughput asked for
    quality_bar_pp: float | None = None  # accuracy at most this many points under River's


@dataclass
class Result:
    case: Case
    river_eps: float
    ours_eps: float
    river_metric: float
    ours_metric: float

    @property
    def ratio(self) -> float:
        return self.ours_eps / self.river_eps


def cases(scale: float) -> list[Case]:
    def n(events: int) -> int:
        return max(2000, int(events * scale))

    sea = SEA(seed=42, drift_every=n(100_000) // 4).take(n(100_000))
    sea_short = SEA(seed=42, drift_every=n(20_000) // 4).take(n(20_000))
    friedman = Friedman(seed=42).take(n(50_000))
    friedman_short = Friedman(seed=42).take(n(5_000))
    return [
        Case("HoeffdingTreeClassifier, SEA", sea,
             lambda s: river_tree.HoeffdingTreeClassifier(),
             lambda s: HoeffdingTreeClassifier(), "Accuracy", 10.0, 1.0),
        Case("AdaptiveRandomForestClassifier (10 trees), SEA", sea_short,
             lambda s: river_forest.ARFClassifier(n_models=10, seed=s),
             lambda s: AdaptiveRandomForestClassifier(n_models=10, seed=s), "Accuracy",
             20.0, 1.0),
        Case("HoeffdingAdaptiveTreeClassifier, SEA", sea,
             lambda s: river_tree.HoeffdingAdaptiveTreeClassifier(seed=s),
             lambda s: HoeffdingAdaptiveTreeClassifier(seed=s), "Accuracy"),
        Case("HoeffdingTreeRegressor, Friedman", friedman,
             lambda s: river_tree.HoeffdingTreeRegressor(),
             lambda s: HoeffdingTreeRegressor(), "MAE"),
        Case("AdaptiveRandomForestRegressor (10 trees), Friedman", friedman_short,
             lambda s: river_forest.ARFRegressor(n_models=10, seed=s),
             lambda s: AdaptiveRandomForestRegressor(n_models=10, seed=s), "MAE"),
    ]


def river_run(model: Any, pairs: list[tuple[dict, Any]], metric_name: str) -> float:
    metric = river_metrics.Accuracy() if metric_name == "Accuracy" else river_metrics.MAE()
    for x, y in pairs:
        metric.update(y, model.predict_one(x))
        model.learn_one(x, y)
    return metric.get()


def our_run(model: Any, data: Dataset, metric_name: str) -> float:
    metric = metrics.Accuracy() if metric_name == "Accuracy" else metrics.MAE()
    report = prequential((data.X, data.y), model, [metric], batch_size=1000)
    return report.metrics[metric_name]


def timed(repeat: int, run: Callable[[int], float]) -> tuple[float, float]:
    """(best seconds, mean metric) over runs with seeds 1..repeat."""
    seconds, values = [], []
    for seed in range(1, repeat + 1):
        started = time.perf_counter()
        values.append(run(seed))
        seconds.append(time.perf_counter() - started)
    return min(seconds), float(np.mean(values))


def measure(case: Case, repeat: int, log: Callable[[str], None]) -> Result:
    log(f"{case.name}: {len(case.data):,} events")
    pairs = list(case.data)
    warm = case.data.head(2000)
    our_run(case.ours(0), warm, case.metric)  # compile or load the kernels
    river_s, river_metric = timed(repeat, lambda s: river_run(case.river(s), pairs,
                                                              case.metric))
    ours_s, ours_metric = timed(repeat, lambda s: our_run(case.ours(s), case.data,
                                                          case.metric))
    n = len(case.data)
    return Result(case, n / river_s, n / ours_s, river_metric, ours_metric)


def markdown(results: list[Result], repeat: int) -> str:
    info = machine()
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [
        "# Trees: streamlearn vs River", "",
        f"Measured {when} on {info['cpu']} ({info['cores']} cores), Python {info['python']}, "
        f"streamlearn {info['streamlearn']}, River {info['river']}, numba {info['numba']}, "
        f"numpy {info['numpy']}. Throughput: best of {repeat} runs; metric: mean over the "
        f"runs (seeds 1..{repeat} for randomised models). Command: "
        "`.venv/bin/python benchmarks/trees.py`.", "",
        "| case | events | River ev/s | streamlearn ev/s | ratio | metric | River | "
        "streamlearn | diff |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        diff = r.ours_metric - r.river_metric
        diff_text = f"{100 * diff:+.2f} pp" if r.case.metric == "Accuracy" else f"{diff:+.3f}"
        lines.append(
            f"| {r.case.name} | {len(r.case.data):,} | {r.river_eps:,.0f} | "
            f"{r.ours_eps:,.0f} | {r.ratio:.1f}x | {r.case.metric} | {r.river_metric:.4f} | "
            f"{r.ours_metric:.4f} | {diff_text} |")
    lines += ["", "| bar | measured | met |", "|---|---:|:---:|"]
    for r in results:
        if r.case.speed_bar is not None:
            lines.append(f"| {r.case.name}: throughput >= {r.case.speed_bar:.0f}x River's | "
                         f"{r.ratio:.1f}x | {'yes' if r.ratio >= r.case.speed_bar else 'no'} |")
        if r.case.quality_bar_pp is not None:
            diff_pp = 100 * (r.ours_metric - r.river_metric)
            met = diff_pp >= -r.case.quality_bar_pp
            lines.append(f"| {r.case.name}: accuracy within {r.case.quality_bar_pp:.0f} pp of "
                         f"River's or better | {diff_pp:+.2f} pp | {'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per side and case (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the events, one run per side")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="folder for trees.md")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    repeat, scale = (1, 0.1) if args.quick else (args.repeat, 1.0)
    results = [measure(case, repeat, print) for case in cases(scale)]
    text = markdown(results, repeat)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "trees.md"
    path.write_text(text)
    print(text)
    print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
