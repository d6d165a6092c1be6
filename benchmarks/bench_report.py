"""The benchmark's results as JSON, a markdown table and a rich table."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench_cases import Row

#: Largest accuracy difference allowed between the two libraries, in percentage points.
ACCURACY_BAR_PP = 0.5
HEADERS = ("case", "events", "River ev/s", "streamlearn ev/s", "ratio", "River acc",
           "streamlearn acc", "diff (pp)")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(),
        **{name: version(name) for name in ("streamlearn", "river", "numba", "numpy")},
    }


def verdicts(rows: list[Row]) -> list[dict[str, Any]]:
    """Each bar the rows are held to, and whether it is met."""
    found = []
    for r in rows:
        if r.bar is not None:
            found.append({"what": f"{r.case}: throughput >= {r.bar:g}x River's",
                          "measured": f"{r.ratio:.1f}x", "met": r.ratio >= r.bar})
        found.append({"what": f"{r.case}: accuracy within {ACCURACY_BAR_PP} pp of River's",
                      "measured": f"{r.difference_pp:+.2f} pp",
                      "met": abs(r.difference_pp) <= ACCURACY_BAR_PP})
    return found


def results(rows: list[Row], startup: dict | None, invariance: dict,
            settings: dict[str, Any]) -> dict[str, Any]:
    found = verdicts(rows)
    if startup is not None:
        found.append({"what": "second process evaluates within 2 s",
                      "measured": f"{startup['runs'][1]['wall_s']:.2f} s",
                      "met": startup["second_within_2s"]})
    found.append({"what": f"identical predictions for batch sizes {invariance['batch_sizes']}",
                  "measured": "yes" if invariance["identical"] else "no",
                  "met": invariance["identical"]})
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(), "settings": settings,
        "rows": [r.to_dict() for r in rows], "startup": startup, "invariance": invariance,
        "bars": found,
    }


def cells(row: dict[str, Any]) -> list[str]:
    return [row["case"], f"{row['events']:,}", f"{row['river_eps']:,.0f}",
            f"{row['streamlearn_eps']:,.0f}", f"{row['ratio']:.1f}x",
            f"{row['river_accuracy']:.4f}", f"{row['streamlearn_accuracy']:.4f}",
            f"{row['difference_pp']:+.2f}"]


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# streamlearn vs River: StandardScaler | LogisticRegression", "",
        f"Measured {result['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"streamlearn {m['streamlearn']}, River {m['river']}, numba {m['numba']}, "
        f"numpy {m['numpy']}. Best of {result['settings']['repeat']} runs per timing.", "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in result["rows"]]
    notes = [f"- {row['case']}: {row['note']}" for row in result["rows"] if row["note"]]
    if notes:
        lines += ["", *notes]
    if result["startup"] is not None:
        lines += ["", "First-call compile cost (fresh process: import streamlearn, evaluate "
                  "1,000 events, exit):", "",
                  "| run | wall (s) | import (s) | evaluate (s) |", "|---|---:|---:|---:|"]
        lines += [f"| {run['run']} | {run['wall_s']:.2f} | {run['import_s']:.2f} | "
                  f"{run['evaluate_s']:.2f} |" for run in result["startup"]["runs"]]
    inv = result["invariance"]
    lines += ["", f"Identical predictions for batch sizes {inv['batch_sizes']} on "
              f"{inv['events']:,} events: {'yes' if inv['identical'] else 'no'}.", "",
              "| bar | measured | met |", "|---|---:|:---:|"]
    lines += [f"| {b['what']} | {b['measured']} | {'yes' if b['met'] else 'NO'} |"
              for b in result["bars"]]
    return "\n".join(lines) + "\n"


def rich_tables(result: dict[str, Any]) -> list[Any]:
    from rich.table import Table

    table = Table(title="streamlearn vs River: StandardScaler | LogisticRegression")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index == 0 else "right", no_wrap=True)
    for row in result["rows"]:
        table.add_row(*cells(row))
    m = result["machine"]
    table.caption = f"{m['cpu']} ({m['cores']} cores), {result['date']}"
    bars = Table(title="Bars")
    for header in ("bar", "measured", "met"):
        bars.add_column(header)
    for b in result["bars"]:
        bars.add_row(b["what"], b["measured"], "yes" if b["met"] else "[red]NO[/red]")
    tables = [table]
    if result["startup"] is not None:
        startup = Table(title="First-call compile cost (fresh process, 1,000 events)")
        for header in ("run", "wall (s)", "import (s)", "evaluate (s)"):
            startup.add_column(header, justify="left" if header == "run" else "right")
        for run in result["startup"]["runs"]:
            startup.add_row(run["run"], f"{run['wall_s']:.2f}", f"{run['import_s']:.2f}",
                            f"{run['evaluate_s']:.2f}")
        tables.append(startup)
    return [*tables, bars]


def write(result: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md_path, json_path = directory / "latest.md", directory / "latest.json"
    md_path.write_text(markdown(result))
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    return md_path, json_path
