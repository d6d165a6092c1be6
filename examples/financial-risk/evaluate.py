"""Reproduce the financial-risk figures of the README on the full-size stream.

    .venv/bin/python examples/financial-risk/evaluate.py            # 400,000 payments
    .venv/bin/python examples/financial-risk/evaluate.py --events 100000

Runs ``job.yaml`` (the same features, model, metrics and drift watch as the demo, without
the replay rate) over a freshly generated stream with its delayed labels, then the German
credit job (``german-credit.yaml``, prequential). Prints a table and writes
``quality-over-time.png`` next to this file: ROC AUC and recall at a 1% alert budget over
windows of the stream (in event order), the point where the fraud pattern changes and the
drift events the job detected.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from streamlearn.datasets import CardTransactions, load_german_credit  # noqa: E402
from streamlearn.metrics import ROCAUC  # noqa: E402
from streamlearn.runtime import Job  # noqa: E402


def fraud_job(events: int, seed: int, work: Path) -> tuple[dict[str, Any], Any]:
    """Run job.yaml over ``events`` payments; returns the figures and the generated log."""
    log = CardTransactions(drift_at=0.5, seed=seed).generate(events)
    log.to_jsonl(work / "transactions.jsonl", work / "labels.jsonl")
    config = yaml.safe_load((HERE / "job.yaml").read_text())
    config["source"] = {"type": "jsonl", "path": str(work / "transactions.jsonl")}
    config["labels"]["path"] = str(work / "labels.jsonl")
    config["store"] = f"sqlite:///{work / 'store.db'}"
    config["sink"] = {"type": "jsonl", "path": str(work / "predictions.jsonl")}
    config["checkpoint"] = {"every_events": 10 * events, "every_seconds": 3600}
    job = Job.from_dict(config)
    runner = job.build()
    runner.store.start_run(config["name"], job.config.as_dict())
    started = time.perf_counter()
    runner.run()
    runner.close()
    seconds = time.perf_counter() - started
    figures = {"events": events, "frauds": int(log["is_fraud"].sum()), "seconds": seconds,
               "metrics": runner.scorer.values(),
               "detector": runner.drift.name,
               "drift_labels": [e["label"] for e in runner.drift.events
                                if e["direction"] == "worse"]}
    scores = np.zeros(events)
    for line in (work / "predictions.jsonl").read_bytes().splitlines():
        row = orjson.loads(line)
        scores[int(row["id"])] = row["score"] if row["score"] is not None else 0.0
    figures["scores"] = scores
    return figures, log


def drift_positions(log: Any, drift_labels: list[int]) -> list[int]:
    """The event index the stream had reached when the n-th label (in arrival order) came:
    where a drift detected at label n shows on an event axis."""
    arrivals = np.sort(log["label_time"])
    times = [arrivals[min(n, len(arrivals)) - 1] for n in drift_labels]
    return [int(np.searchsorted(log["ts"], t)) for t in times]


def windowed_quality(y: np.ndarray, scores: np.ndarray, window: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC AUC and recall when the top 1% of each window's scores are alerted."""
    starts = np.arange(0, len(y) - window + 1, window // 2)
    auc, recall = [], []
    for start in starts:
        part_y, part_s = y[start:start + window], scores[start:start + window]
        metric = ROCAUC()
        metric.update_many(part_y, y_proba=part_s)
        auc.append(metric.get())
        top = np.argsort(-part_s, kind="stable")[:max(1, window // 100)]
        recall.append(part_y[top].sum() / max(1, part_y.sum()))
    return starts + window // 2, np.array(auc), np.array(recall)


def plot(log: Any, figures: dict[str, Any], path: Path, window: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = log["is_fraud"]
    centres, auc, recall = windowed_quality(y, figures["scores"], window)
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.plot(centres, auc, label="ROC AUC", color="tab:blue")
    ax.plot(centres, recall, label="recall at a 1% alert budget", color="tab:orange")
    drift_at = int(np.searchsorted(log["ts"], log.drift_time))
    ax.axvline(drift_at, color="black", linestyle="--", label="fraud pattern changes")
    for k, position in enumerate(drift_positions(log, figures["drift_labels"])):
        ax.axvline(position, color="tab:red", alpha=0.7,
                   label=f"drift detected ({figures['detector']}, errors up)" if k == 0
                   else None)
    ax.set_xlabel(f"payment (event order); windows of {window:,} payments, half overlapping")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"financial-risk: {figures['events']:,} payments, "
                 f"{figures['frauds']:,} frauds, labels 1-30 days late")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def german_credit(work: Path) -> dict[str, float]:
    load_german_credit().to_csv(work / "german-credit.csv", target="bad")
    config = yaml.safe_load((HERE / "german-credit.yaml").read_text())
    config["source"]["path"] = str(work / "german-credit.csv")
    config["store"] = f"sqlite:///{work / 'german.db'}"
    return Job.from_dict(config).run(resume=False).metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plot", type=Path, default=HERE / "quality-over-time.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        figures, log = fraud_job(args.events, args.seed, work)
        credit = german_credit(work)
    metrics = figures["metrics"]
    y = log["is_fraud"]
    half = int(np.searchsorted(log["ts"], log.drift_time))
    positions = drift_positions(log, figures["drift_labels"])
    print(f"card fraud: {args.events:,} payments (seed {args.seed}), {figures['frauds']:,} "
          f"frauds, pattern change at payment {half:,}")
    print("| metric (whole stream, job.yaml) | value |\n|---|---:|")
    for name in ("ROCAUC", "Recall@1%", "Precision@1%", "Savings@1%"):
        print(f"| {name} | {metrics[name]:.3f} |")
    for label, part in (("before the change", slice(0, half)), ("after", slice(half, None))):
        centre_auc = ROCAUC()
        centre_auc.update_many(y[part], y_proba=figures["scores"][part])
        print(f"| ROC AUC {label} | {centre_auc.get():.3f} |")
    print(f"| throughput (features + model + labels joined, 1 process) | "
          f"{args.events / figures['seconds']:,.0f} payments/s |")
    print(f"drift events (worse) at payments: {positions} "
          f"({sum(p < half for p in positions)} before the change)")
    print("German credit (1,000 applicants, prequential, german-credit.yaml):")
    print(f"| ROC AUC | {credit['ROCAUC']:.3f} |\n| cost per applicant (5:1) | "
          f"{credit['Cost(5:1)']:.3f} (grant all: 1.500, refuse all: 0.700) |")
    plot(log, figures, args.plot, window=max(2_000, args.events // 20))
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
