"""`make demo APP=medical`: the ward's early-warning stream, served live with its dashboard.

Generates the data when missing (a week of vital signs of 200 patients, about 180,000
readings, in a few seconds), starts ``streamlearn serve examples/medical/job.yaml`` on
127.0.0.1 (the readings replay at 1,000 per second: about 3 minutes of live stream), says
where to look, and stops the server cleanly on Ctrl-C. Each run starts the stream over
(``--resume`` continues from the last checkpoint instead).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "streamlearn-data" / "medical"
sys.path.insert(0, str(HERE))

from produce import DEFAULT_EVENTS, write_diagnosis, write_vitals  # noqa: E402

from streamlearn.serve.launch import demo_arguments, serve_until_stopped  # noqa: E402

EXAMPLE_READING = {"id": "bed-12-0800", "patient": "p0012", "time": 1704700800.0,
                   "heart_rate": 118.0, "systolic_bp": 92.0, "diastolic_bp": 58.0,
                   "spo2": 92.5, "temperature": 38.6, "respiration": 26.0}


def ensure_data(events: int, seed: int = 42) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / "vitals.jsonl").is_file():
        started = time.perf_counter()
        write_vitals(DATA, events, seed)
        print(f"generated {DATA / 'vitals.jsonl'} in {time.perf_counter() - started:.1f} s")
    if not (DATA / "diagnosis.csv").is_file():
        write_diagnosis(DATA, seed)


def start_over() -> None:
    """Forget the last run's checkpoint and predictions, so the stream replays from the start."""
    for path in DATA.glob("vitals.db*"):
        path.unlink()
    (DATA / "vitals-predictions.jsonl").unlink(missing_ok=True)



def tell(url: str) -> None:
    body = json.dumps({"events": [EXAMPLE_READING]})
    print(f"""
  early-warning stream live: {url}/          (dashboard: rolling ROC AUC, Brier, ECE, throughput)
  API and schemas:           {url}/docs
  predict one reading:       curl -s -X POST {url}/v1/predict -H 'Content-Type: application/json' \\
                               -d '{body}'
  why (per-feature logit):   the same body to {url}/v1/explain
  give the outcome:          curl -s -X POST {url}/v1/feedback \\
                               -H 'Content-Type: application/json' \\
                               -d '{{"feedback": [{{"id": "bed-12-0800", "label": 1}}]}}'
  metrics:                   curl -s {url}/v1/metrics
  diagnosis records:         streamlearn serve examples/medical/diagnosis.yaml --port 8001
Ctrl-C stops the server.""", flush=True)


def main() -> int:
    args = demo_arguments(__doc__.split("\n")[0], DEFAULT_EVENTS, "vital-sign readings")
    ensure_data(args.events)
    if not args.resume:
        start_over()
    return serve_until_stopped(HERE / "job.yaml", args.port, "medical demo", tell,
                               seconds=args.seconds, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
