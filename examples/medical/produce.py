"""Write the medical app's streams: ward vital signs (JSON lines) and diagnostic records (CSV).

    python examples/medical/produce.py        # 200 patients x 7 days, a reading every 10 min
    python examples/medical/produce.py --events 50000 --seed 7 --out /tmp/medical

``vitals.jsonl``: one reading per line (id, patient, time in epoch seconds, heart_rate,
systolic_bp, diastolic_bp, spo2, temperature, respiration, deteriorating, onset), in time
order, from ``streamlearn.datasets.VitalSigns``; ``--events`` sets the number of patients
(events / readings per patient). ``diagnosis.csv``: the 569 Wisconsin breast cancer records
(scikit-learn's copy, nothing downloaded) in a seeded random order, ``malignant`` = 1 for a
malignant tumour, feature names in snake_case. ``--to http://127.0.0.1:8000`` posts the
diagnostic records to a running diagnosis server instead (``/v1/learn``, in batches).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
import orjson

from streamlearn.datasets import VitalSigns, load_breast_cancer

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "streamlearn-data" / "medical"
DAYS, INTERVAL_MINUTES = 7.0, 10.0
READINGS_PER_PATIENT = int(DAYS * 24 * 60 / INTERVAL_MINUTES)
DEFAULT_EVENTS = 200 * READINGS_PER_PATIENT


def snake(name: str) -> str:
    return name.replace(" ", "_")


def diagnosis_rows(seed: int) -> tuple[list[str], list[dict]]:
    """Breast cancer records in a seeded order: (feature columns, rows)."""
    data = load_breast_cancer()
    order = np.random.default_rng(seed).permutation(len(data.y))
    features = [snake(f) for f in data.feature_names]
    rows = []
    for rank, i in enumerate(order):
        row = {"id": f"case{rank:04d}"}
        row.update({f: float(v) for f, v in zip(features, data.X[i])})
        row["malignant"] = int(data.y[i] == 0)    # scikit-learn's 0 is malignant
        rows.append(row)
    return features, rows


def write_diagnosis(out: Path, seed: int, limit: int | None = None) -> Path:
    features, rows = diagnosis_rows(seed)
    path = out / "diagnosis.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", *features, "malignant"])
        writer.writeheader()
        writer.writerows(rows[:limit])
    return path


def write_vitals(out: Path, events: int, seed: int) -> Path:
    patients = max(1, round(events / READINGS_PER_PATIENT))
    data = VitalSigns(n_patients=patients, days=DAYS, interval_minutes=INTERVAL_MINUTES,
                      seed=seed).generate()
    path = out / "vitals.jsonl"
    with path.open("wb") as handle:
        for record in data.to_records():
            handle.write(orjson.dumps(record) + b"\n")
    return path


def post_diagnosis(url: str, seed: int, batch: int = 50) -> None:
    import httpx

    _, rows = diagnosis_rows(seed)
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
        for start in range(0, len(rows), batch):
            client.post("/v1/learn", json={"events": rows[start:start + batch]}
                        ).raise_for_status()
    print(f"posted {len(rows)} records to {url}/v1/learn")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help=f"vital-sign readings, about (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--to", metavar="URL", help="post the diagnostic records to a server")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error(f"--events must be > 0. Got {args.events} instead.")
    if args.to:
        post_diagnosis(args.to, args.seed)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vitals = write_vitals(args.out, args.events, args.seed)
    diagnosis = write_diagnosis(args.out, args.seed)
    print(f"wrote {vitals} and {diagnosis} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
