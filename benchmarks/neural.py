"""streamlearn's MLPClassifier against deep-river's Classifier, same network, same stream.

    bash benchmarks/setup_deep_river.sh          # once: deep-river in its own venv
    .venv/bin/python benchmarks/neural.py [--events N] [--repeat R] [--batch-size B]

Both sides run ``StandardScaler | MLP(10 -> 32 -> 32 -> 2, tanh)`` with Adam on the rotating
hyperplane stream (``RotatingHyperplane(seed=42)``), prequentially, scored with accuracy.
deep-river 0.3.4 pins River < 0.26, so it runs in ``benchmarks/.venv-deep-river`` through a
subprocess that reads the same stream from a ``.npz`` file written here. Each timing is the
best of ``--repeat`` runs with fresh models, both sides with one torch thread, measured in
the same run of this script; the table goes to ``benchmarks/results/neural.md``.
See benchmarks/README.md ("Deep learning") for what each side does per event.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DEEP_RIVER_PYTHON = HERE / ".venv-deep-river" / "bin" / "python"
HIDDEN = (32, 32)
ACTIVATION = "tanh"
DEEP_RIVER_LR = 1e-3   # deep-river's default learning rate, one optimizer step per event
# one RMSprop step per chunk of 32 events, the rate decaying as 1 / sqrt(1 + 0.01 * step)
OURS = {"optimizer": "rmsprop", "learning_rate": 1e-2, "lr_schedule": "inverse_sqrt",
        "lr_decay": 1e-2, "minibatch_size": 32}
WARMUP_EVENTS = 2_000


# ---------------------------------------------------------------------- deep-river side
def deep_river_worker(path: str, repeat: int, optimizer: str) -> None:
    """Runs inside benchmarks/.venv-deep-river: prints one JSON line."""
    import deep_river
    import river
    import torch
    from deep_river.classification import Classifier
    from river import metrics, preprocessing

    torch.set_num_threads(1)
    with np.load(path) as stream:
        X, y = stream["X"], stream["y"].astype(bool)
    rows = [({f"x{j}": float(v) for j, v in enumerate(row)}, bool(label))
            for row, label in zip(X, y)]
    activation = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[ACTIVATION]

    class MLP(torch.nn.Module):
        def __init__(self, n_features: int):
            super().__init__()
            self.net = torch.nn.Sequential(
                torch.nn.Linear(n_features, HIDDEN[0]), activation(),
                torch.nn.Linear(HIDDEN[0], HIDDEN[1]), activation(),
                torch.nn.Linear(HIDDEN[1], 2))

        def forward(self, x):
            return self.net(x)

    def run(events: list) -> tuple[float, float]:
        torch.manual_seed(42)
        model = preprocessing.StandardScaler() | Classifier(
            module=MLP(X.shape[1]), loss_fn="cross_entropy", optimizer_fn=optimizer,
            lr=DEEP_RIVER_LR, device="cpu", seed=42)
        metric = metrics.Accuracy()
        started = time.perf_counter()
        for x, label in events:
            metric.update(label, model.predict_one(x))
            model.learn_one(x, label)
        return time.perf_counter() - started, metric.get()

    run(rows[:WARMUP_EVENTS])
    timings = [run(rows) for _ in range(repeat)]
    print(json.dumps({
        "seconds": min(t for t, _ in timings), "accuracy": timings[0][1],
        "versions": {"deep-river": deep_river.__version__, "river": river.__version__,
                     "torch": torch.__version__}}))


def deep_river_side(path: Path, repeat: int, optimizer: str) -> dict[str, Any]:
    if not DEEP_RIVER_PYTHON.exists():
        raise SystemExit(f"{DEEP_RIVER_PYTHON} is missing: run bash benchmarks/setup_deep_river.sh")
    out = subprocess.run([str(DEEP_RIVER_PYTHON), __file__, "--deep-river-worker", str(path),
                          "--repeat", str(repeat), "--deep-river-optimizer", optimizer],
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        raise SystemExit(f"the deep-river side failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- streamlearn side
def streamlearn_side(X: np.ndarray, y: np.ndarray, batch_size: int, repeat: int
                     ) -> dict[str, Any]:
    import torch

    from streamlearn import evaluate, metrics
    from streamlearn.neural import MLPClassifier
    from streamlearn.preprocessing import StandardScaler

    torch.set_num_threads(1)

    def run(n: int) -> tuple[float, float]:
        model = StandardScaler() | MLPClassifier(
            hidden=HIDDEN, activation=ACTIVATION, device="cpu", n_threads=1, seed=42, **OURS)
        started = time.perf_counter()
        report = evaluate.prequential((X[:n], y[:n]), model, [metrics.Accuracy()],
                                      batch_size=batch_size)
        return time.perf_counter() - started, report.metrics["Accuracy"]

    run(WARMUP_EVENTS)
    timings = [run(len(X)) for _ in range(repeat)]
    return {"seconds": min(t for t, _ in timings), "accuracy": timings[0][1],
            "versions": {"torch": torch.__version__}}


# ---------------------------------------------------------------------- report
def markdown(result: dict[str, Any]) -> str:
    ours, theirs, s = result["streamlearn"], result["deep_river"], result["settings"]
    ratio = ours["events_per_s"] / theirs["events_per_s"]
    lines = [
        "# streamlearn.neural vs deep-river",
        "",
        f"Measured {result['when']} on {result['machine']} (load average "
        f"{result['load_average']} at the start), Python {result['python']}; "
        f"deep-river {theirs['versions']['deep-river']} with River "
        f"{theirs['versions']['river']} and torch {theirs['versions']['torch']} in "
        f"benchmarks/.venv-deep-river, streamlearn with torch {ours['versions']['torch']}. "
        f"Best of {s['repeat']} runs per side, fresh models each run, one torch thread on "
        "both sides.",
        "",
        f"Stream: `RotatingHyperplane(seed=42)`, {s['events']:,} events, 10 features. "
        f"Model on both sides: `StandardScaler | MLP(10 -> {HIDDEN[0]} -> {HIDDEN[1]} -> 2, "
        f"{ACTIVATION})`, cross-entropy; torch's default initialisation (uniform in "
        "±1/sqrt(fan-in)) on both sides.",
        "",
        "| side | semantics | events/s | accuracy |",
        "|---|---|---:|---:|",
        f"| deep-river `Classifier` | per event: `predict_one`, then `learn_one`: one "
        f"{s['deep_river_optimizer']} step (lr {DEEP_RIVER_LR:g}) per event | "
        f"{theirs['events_per_s']:,.0f} | {theirs['accuracy']:.4f} |",
        f"| streamlearn `MLPClassifier` | `evaluate.prequential`, micro-batches of "
        f"{s['batch_size']}; in each, chunks of {OURS['minibatch_size']} events are predicted, "
        f"then learnt: one {OURS['optimizer']} step per chunk, lr "
        f"{OURS['learning_rate']:g} / sqrt(1 + {OURS['lr_decay']:g} x step) | "
        f"{ours['events_per_s']:,.0f} | {ours['accuracy']:.4f} |",
        "",
        f"Throughput ratio (streamlearn / deep-river): **{ratio:.1f}x** (bar: 20x). "
        f"Accuracy difference: **{100 * (ours['accuracy'] - theirs['accuracy']):+.2f} pp** "
        "(bar: >= 0).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--deep-river-optimizer", default="adam",
                        help="deep-river's optimizer_fn (default adam)")
    parser.add_argument("--deep-river-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.deep_river_worker:
        deep_river_worker(args.deep_river_worker, args.repeat, args.deep_river_optimizer)
        return {}
    from streamlearn.datasets import RotatingHyperplane

    data = RotatingHyperplane(seed=42).take(args.events)
    X, y = np.ascontiguousarray(data.X), data.y.astype(bool)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="streamlearn-neural-") as folder:
        path = Path(folder) / "stream.npz"
        np.savez(path, X=X, y=y)
        print(f"deep-river: {args.events:,} events x {args.repeat} ...", flush=True)
        theirs = deep_river_side(path, args.repeat, args.deep_river_optimizer)
    print(f"streamlearn: {args.events:,} events x {args.repeat} ...", flush=True)
    ours = streamlearn_side(X, y, args.batch_size, args.repeat)
    for side in (ours, theirs):
        side["events_per_s"] = args.events / side["seconds"]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{_cpu_name()} ({os.cpu_count()} cores)",
        "load_average": f"{load:.2f}",
        "python": platform.python_version(),
        "settings": {"events": args.events, "repeat": args.repeat,
                     "batch_size": args.batch_size,
                     "deep_river_optimizer": args.deep_river_optimizer},
        "streamlearn": ours, "deep_river": theirs,
    }
    text = markdown(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "neural.md").write_text(text)
    print(text)
    return result


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
