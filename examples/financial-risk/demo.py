"""`make demo APP=financial-risk`: real-time card fraud scoring, live on a dashboard.

Writes the payments stream when it is missing (seconds), then runs
``streamlearn serve examples/financial-risk/job.yaml``: the stream is replayed at 2,000
payments per second, chargebacks arrive days (of stream time) later, and the dashboard at
http://127.0.0.1:8000/ shows recall and precision at a 1% alert budget, the money saved, the
throughput and the drift events when the fraudsters change tactics half-way. Ctrl-C stops.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DATA = ROOT / "streamlearn-data" / "financial-risk"
sys.path.insert(0, str(HERE))

from produce import produce  # noqa: E402


def ready(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/readyz", timeout=1, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--events", type=int, default=400_000,
                        help="payments to generate when the data is missing")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop by itself this many seconds after the server is ready")
    args = parser.parse_args()
    if not (DATA / "transactions.jsonl").is_file() or not (DATA / "labels.jsonl").is_file():
        started = time.perf_counter()
        counts = produce(args.events, 7, DATA)
        print(f"wrote {counts['events']:,} payments ({counts['frauds']:,} frauds) to {DATA} "
              f"in {time.perf_counter() - started:.1f} s")
    url = f"http://127.0.0.1:{args.port}"
    command = [sys.executable, "-m", "streamlearn", "serve", str(HERE / "job.yaml"),
               "--port", str(args.port)]
    # its own session: a Ctrl-C in the terminal reaches this script only, which then stops
    # the server once (a second SIGINT would make uvicorn quit without cleaning up)
    server = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    print(f"dashboard: {url}/   API docs: {url}/docs\n"
          f"score a payment:\n  curl -s {url}/v1/predict -H 'content-type: application/json' "
          "-d '{\"events\": [{\"tx_id\": \"demo-1\", \"ts\": 1704500000, \"card_id\": \"c12\", "
          "\"amount\": 950.0, \"cross_border\": 1, \"category\": \"jewelry\", "
          "\"country\": \"TH\"}]}'\n"
          f"report it as fraud:\n  curl -s {url}/v1/feedback -H 'content-type: application/json' "
          "-d '{\"feedback\": [{\"id\": \"demo-1\", \"label\": 1}]}'\n"
          "Ctrl-C stops.", flush=True)
    try:
        ready_by = time.monotonic() + 120
        while server.poll() is None and not ready(url) and time.monotonic() < ready_by:
            time.sleep(0.2)
        # --seconds counts from the moment the server answers
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while server.poll() is None and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print("financial-risk demo stopped; goodbye.")
    return 0 if server.returncode in (0, -signal.SIGINT) else server.returncode


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
