"""Reproduce the figures of the medical app's README on the full-size data.

    .venv/bin/python examples/medical/evaluate.py

Early warning: a week of vital signs of 200 patients (seed 42, the demo's data) through the
job's pipeline, test-then-train in micro-batches of 500: ROC AUC, Brier score, ECE, rolling
ROC AUC over the stream, and per alert threshold the episodes detected, the median time
from onset to the first alert and the false alerts per patient-day; then the whole job
through the runtime from its JSON lines file (decode, windows, model, store). Diagnosis: the
569 breast cancer records in the seeded order of ``produce.py``, test-then-train. Prints a
table and writes ``evaluate.png``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from streamlearn import metrics
from streamlearn.core.batch import Batch
from streamlearn.datasets import VitalSigns
from streamlearn.registry import parse_pipeline
from streamlearn.runtime import Job

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from produce import DAYS, INTERVAL_MINUTES, diagnosis_rows, write_vitals  # noqa: E402

BATCH = 500
THRESHOLDS = (0.4, 0.5, 0.6, 0.7)


def early_warning() -> dict:
    data = VitalSigns(n_patients=200, days=DAYS, interval_minutes=INTERVAL_MINUTES,
                      seed=42).generate()
    model = parse_pipeline(yaml.safe_load((HERE / "job.yaml").read_text())["pipeline"])
    rolling = metrics.Rolling(metrics.ROCAUC(), 5000)
    scores, curve = [], []
    started = time.perf_counter()
    for start in range(0, len(data), BATCH):
        part = slice(start, start + BATCH)
        batch = Batch(X=data.X[part], columns=data.feature_names, y=data.y[part],
                      times=data.time[part], keys=data.patient[part])
        scores.append(model.process_many(batch, batch, np.ones(len(batch), dtype=bool))[:, 1])
    seconds = time.perf_counter() - started
    p = np.concatenate(scores)
    for start in range(0, len(data), 5000):
        part = slice(start, start + 5000)
        rolling.update_many(data.y[part], y_proba=p[part])
        curve.append((start + len(data.y[part]), rolling.get()))
    alerts = {t: metrics.AlertLatency().update_many(data.patient, data.time, p >= t,
                                                     data.onset).summary()
              for t in THRESHOLDS}
    return {"events": len(data), "episodes": len(data.episodes), "seconds": seconds,
            "rocauc": metrics.ROCAUC().update_many(data.y, y_proba=p).get(),
            "brier": metrics.BrierScore().update_many(data.y, y_proba=p).get(),
            "ece": metrics.ExpectedCalibrationError().update_many(data.y, y_proba=p).get(),
            "positive_rate": float(data.y.mean()), "curve": curve, "alerts": alerts}


def job_throughput() -> tuple[int, float]:
    """The whole job (JSON lines decoding, windows, model, store) without its replay rate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_vitals(Path(tmp), 200 * int(DAYS * 144), 42)
        config = yaml.safe_load((HERE / "job.yaml").read_text())
        config["source"] = {"type": "jsonl", "path": str(path)}
        config["store"] = f"sqlite:///{tmp}/vitals.db"
        config.pop("sink", None)
        started = time.perf_counter()
        summary = Job.from_dict(config).run(resume=False)
        return summary.events_this_run, time.perf_counter() - started


def diagnosis() -> dict:
    config = yaml.safe_load((HERE / "diagnosis.yaml").read_text())
    features, rows = diagnosis_rows(seed=42)
    X = np.array([[row[f] for f in features] for row in rows])
    y = np.array([row["malignant"] for row in rows])
    model = parse_pipeline(config["pipeline"])
    names = config["metrics"]
    scorers = [metrics.get_metric(name) for name in names]
    reliability = metrics.ExpectedCalibrationError()
    started = time.perf_counter()
    for start in range(0, len(y), 50):
        part = slice(start, start + 50)
        batch = Batch(X=X[part], columns=tuple(features), y=y[part])
        proba = model.process_many(batch, batch, np.ones(len(batch), dtype=bool))
        classes = model.known_classes
        for scorer in (*scorers, reliability):
            scorer.update_many(y[part], y_pred=model.labels_from_proba(proba), y_proba=proba,
                               classes=classes)
    seconds = time.perf_counter() - started
    return {"events": len(y), "seconds": seconds,
            "values": {s.name: s.get() for s in scorers},
            "reliability": reliability.reliability()}


def plot(warning: dict, diag: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    events, auc = zip(*warning["curve"])
    left.plot(events, auc, color="#2563eb")
    left.set(title="Early warning: rolling ROC AUC (5,000 readings)", xlabel="readings",
             ylim=(0.5, 1.0))
    left.grid(alpha=0.3)
    rates = [warning["alerts"][t]["detection_rate"] for t in THRESHOLDS]
    latency = [warning["alerts"][t]["median_latency_hours"] for t in THRESHOLDS]
    false = [warning["alerts"][t]["false_alerts_per_patient_day"] for t in THRESHOLDS]
    middle.plot(false, latency, "o-", color="#dc2626")
    for t, x, y_, r in zip(THRESHOLDS, false, latency, rates):
        middle.annotate(f"P>={t}: {r:.0%} detected", (x, y_), textcoords="offset points",
                        xytext=(5, 5), fontsize=8)
    middle.set(title="Alert threshold trade-off", xlabel="false alerts per patient-day",
               ylabel="median hours from onset to alert")
    middle.grid(alpha=0.3)
    points = diag["reliability"]
    right.plot([0, 1], [0, 1], "--", color="grey")
    right.plot([p["mean_proba"] for p in points], [p["positive_rate"] for p in points], "o-",
               color="#059669")
    right.set(title="Diagnosis: reliability (prequential)", xlabel="mean P(malignant)",
              ylabel="fraction malignant")
    right.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> int:
    warning = early_warning()
    events, seconds = job_throughput()
    diag = diagnosis()
    print(f"Early warning: {warning['events']:,} readings, {warning['episodes']} episodes, "
          f"{warning['positive_rate']:.2%} positive")
    print("| metric | value |\n|---|---:|")
    print(f"| ROC AUC (whole stream) | {warning['rocauc']:.4f} |")
    print(f"| Brier score | {warning['brier']:.4f} |")
    print(f"| ECE (10 bins) | {warning['ece']:.4f} |")
    print(f"| pipeline throughput, in memory | {warning['events'] / warning['seconds']:,.0f}"
          " readings/s |")
    print(f"| whole job from JSON lines (streamlearn run) | {events / seconds:,.0f} readings/s |")
    print("\n| alert at P >= | episodes detected | median onset-to-alert | false alerts "
          "per patient-day |\n|---:|---:|---:|---:|")
    for t in THRESHOLDS:
        a = warning["alerts"][t]
        print(f"| {t} | {a['detected']}/{a['episodes']} ({a['detection_rate']:.0%}) | "
              f"{a['median_latency_hours']:.2f} h | {a['false_alerts_per_patient_day']:.3f} |")
    print(f"\nDiagnosis: {diag['events']} records, test-then-train\n| metric | value |\n"
          "|---|---:|")
    for name, value in diag["values"].items():
        print(f"| {name} | {value:.4f} |")
    plot(warning, diag, HERE / "evaluate.png")
    print(f"\nwrote {HERE / 'evaluate.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
