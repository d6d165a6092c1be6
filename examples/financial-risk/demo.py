"""`make demo APP=financial-risk`: real-time card fraud scoring, live on a dashboard.

Writes the payments stream when it is missing (seconds), then runs
``streamlearn serve examples/financial-risk/job.yaml``: the stream is replayed at 2,000
payments per second, chargebacks arrive days (of stream time) later, and the dashboard at
http://127.0.0.1:8000/ shows recall and precision at a 1% alert budget, the money saved, the
throughput and the drift events when the fraudsters change tactics half-way. Ctrl-C stops.
Each run starts the stream over (``--resume`` continues from the last checkpoint instead).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DATA = ROOT / "streamlearn-data" / "financial-risk"
sys.path.insert(0, str(HERE))

from produce import produce  # noqa: E402

from streamlearn.serve.launch import demo_arguments, serve_until_stopped  # noqa: E402


def tell(url: str) -> None:
    print(f"dashboard: {url}/   API docs: {url}/docs\n"
          f"score a payment:\n  curl -s {url}/v1/predict -H 'content-type: application/json' "
          "-d '{\"events\": [{\"tx_id\": \"demo-1\", \"ts\": 1704500000, \"card_id\": \"c12\", "
          "\"amount\": 950.0, \"cross_border\": 1, \"category\": \"jewelry\", "
          "\"country\": \"TH\"}]}'\n"
          f"report it as fraud:\n  curl -s {url}/v1/feedback -H 'content-type: application/json' "
          "-d '{\"feedback\": [{\"id\": \"demo-1\", \"label\": 1}]}'\n"
          "Ctrl-C stops.", flush=True)


def start_over() -> None:
    """Forget the last run's checkpoint and results, so the stream replays from the start."""
    for path in DATA.glob("streamlearn.db*"):
        path.unlink()


def main() -> int:
    args = demo_arguments(__doc__.split("\n")[0], 400_000, "payments")
    if not (DATA / "transactions.jsonl").is_file() or not (DATA / "labels.jsonl").is_file():
        started = time.perf_counter()
        counts = produce(args.events, 7, DATA)
        print(f"wrote {counts['events']:,} payments ({counts['frauds']:,} frauds) to {DATA} "
              f"in {time.perf_counter() - started:.1f} s")
    if not args.resume:
        start_over()
    return serve_until_stopped(HERE / "job.yaml", args.port, "financial-risk demo", tell,
                               seconds=args.seconds, cwd=ROOT)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
