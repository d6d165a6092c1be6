"""Run streamlearn and River side by side on the same streams and write the table.

    .venv/bin/python benchmarks/run.py [--events N] [--quick] [--out benchmarks/results]

See benchmarks/README.md for what each case measures.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import bench_cases as cases
import bench_report as report

HERE = Path(__file__).resolve().parent


def run_all(n_events: int, repeat: int, phishing_passes: int, startup: bool = True,
            log=print) -> dict[str, Any]:
    """Every case, in order; ``log`` hears about each one as it starts."""
    streams = {"Rotating hyperplane": cases.hyperplane(n_events), "SEA": cases.sea(n_events)}
    rows = []
    for name, data in streams.items():
        log(f"{name}: in memory")
        rows.append(cases.in_memory_case(name, data, repeat))
    log("Rotating hyperplane: one-event batches")
    rows.append(cases.per_event_case("Rotating hyperplane", streams["Rotating hyperplane"],
                                     repeat))
    log("Phishing")
    rows.append(cases.phishing_case(phishing_passes, repeat))
    with tempfile.TemporaryDirectory(prefix="streamlearn-bench-") as directory:
        for name, data in streams.items():
            log(f"{name}: from CSV")
            rows.append(cases.csv_case(name, data, repeat, Path(directory)))
    log("batch-size invariance")
    invariance = cases.invariance_check(streams["Rotating hyperplane"])
    started = None
    if startup:
        log("first-call compile cost (two fresh processes)")
        started = cases.startup_case()
    settings = {"events": n_events, "repeat": repeat, "phishing_passes": phishing_passes,
                "prefix_events": cases.PREFIX_EVENTS,
                "river_loop": "explicit predict_one / Accuracy.update / learn_one loop"}
    return report.results(rows, started, invariance, settings)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000,
                        help="events of each synthetic stream (default 200,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per measurement; the best is kept (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="20,000 events, one run per measurement, 5 Phishing passes")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="folder for latest.md and latest.json")
    args = parser.parse_args(argv)
    if args.events < 1 or args.repeat < 1:
        parser.error("--events and --repeat must be at least 1")
    events, repeat, passes = args.events, args.repeat, 20
    if args.quick:
        events, repeat, passes = min(events, 20_000), 1, 5

    from rich.console import Console

    console = Console(width=140)  # the table's width, also when piped to a file
    result = run_all(events, repeat, passes,
                     log=lambda what: console.print(f"[dim]running: {what}[/dim]"))
    for table in report.rich_tables(result):
        console.print(table)
    md_path, json_path = report.write(result, args.out)
    console.print(f"wrote {md_path} and {json_path}")
    return result


if __name__ == "__main__":
    main()
