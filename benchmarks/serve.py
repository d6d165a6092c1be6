"""Serving latency and throughput, with the stream learning at full speed meanwhile.

1. ``POST /v1/predict`` with 100 events per request, back to back: predictions per second.
   Bar: >= 20,000 predictions/s.
2. Single-event ``POST /v1/predict`` requests at a steady 500 requests/s for 10 s (open
   loop: each request is sent at its scheduled time, latency counted from then, so a slow
   server cannot hide its queue): p50/p99 latency. Bar: p99 <= 10 ms while the stream
   learns at full speed.

Both are measured twice: with the API only (``serve --no-stream``), and with the server's
own stream (a 1,000,000-event CSV file read as fast as it goes) learning meanwhile. The
server runs in its own process (``streamlearn serve``) on 127.0.0.1.
Run: ``.venv/bin/python benchmarks/serve.py``; writes ``benchmarks/results/serve.md``.
"""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from streamlearn.datasets import RotatingHyperplane

RESULTS = Path(__file__).parent / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(folder: Path, stream: bool) -> tuple[subprocess.Popen, str]:
    job = folder / "job.yaml"
    if not job.exists():
        RotatingHyperplane(seed=42).take(1_000_000).to_csv(folder / "stream.csv")
        job.write_text(f"""
name: served
source: {{type: csv, path: {folder / 'stream.csv'}}}
schema: {{target: y, numeric: [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9]}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
store: sqlite:///{folder}/store.db
""")
    port = _free_port()
    command = [sys.executable, "-m", "streamlearn", "serve", str(job), "--port", str(port)]
    if not stream:
        command.append("--no-stream")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def _events(n: int, rng: np.random.Generator) -> list[dict]:
    return [{f"x{j}": float(v) for j, v in enumerate(row)} for row in rng.random((n, 10))]


def batch_throughput(url: str, seconds: float = 5.0) -> float:
    rng = np.random.default_rng(0)
    bodies = [{"events": _events(100, rng)} for _ in range(20)]
    done = 0
    with httpx.Client(base_url=url, timeout=10) as client:
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            response = client.post("/v1/predict", json=bodies[done % len(bodies)])
            response.raise_for_status()
            done += 1
        elapsed = time.perf_counter() - started
    return done * 100 / elapsed


def single_event_latency(url: str, rate: float = 500.0, seconds: float = 10.0
                         ) -> tuple[float, float, int]:
    rng = np.random.default_rng(1)
    bodies = [{"events": _events(1, rng)} for _ in range(100)]
    total = int(rate * seconds)
    latencies: list[float] = []
    lock = threading.Lock()
    started = time.perf_counter() + 0.2

    def worker(offset: int, step: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            for k in range(offset, total, step):
                due = started + k / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                client.post("/v1/predict", json=bodies[k % len(bodies)]).raise_for_status()
                with lock:
                    latencies.append(time.perf_counter() - due)

    workers = [threading.Thread(target=worker, args=(i, 8)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ms = np.array(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), len(ms)


def measure(folder: Path, stream: bool) -> dict:
    server, url = _start_server(folder, stream)
    try:
        learnt_before = httpx.get(url + "/v1/metrics").json()["counters"]["learnt"]
        throughput = batch_throughput(url)
        p50, p99, count = single_event_latency(url)
        learnt = httpx.get(url + "/v1/metrics").json()["counters"]["learnt"] - learnt_before
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)
    return {"throughput": throughput, "p50": p50, "p99": p99, "count": count,
            "learnt": learnt}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        api_only = measure(Path(folder), stream=False)
        streaming = measure(Path(folder), stream=True)
    rows = []
    for label, r in (("API only (`serve --no-stream`)", api_only),
                     ("stream learning meanwhile", streaming)):
        rows.append(f"| {label} | {r['throughput']:,.0f} | "
                    f"{'yes' if r['throughput'] >= 20_000 else 'NO'} | {r['p50']:.1f} ms | "
                    f"{r['p99']:.1f} ms | {'yes' if r['p99'] <= 10 else 'NO'} | "
                    f"{r['learnt']:,} |")
    text = (f"# streamlearn serving\n\nMeasured {datetime.datetime.now():%Y-%m-%d %H:%M} on "
            "this machine (2 cores; the client runs on it too), `streamlearn serve` in its own "
            "process. Batch: `POST /v1/predict` with 100 events per request, back to back, "
            "5 s (bar 20,000 predictions/s). Latency: single-event requests sent on schedule "
            f"at 500/s for 10 s ({api_only['count']:,} requests; bar p99 <= 10 ms while the "
            "stream learns at full speed).\n\n"
            "| server | predictions/s (batch) | >= 20,000 | p50 | p99 | <= 10 ms | "
            "events learnt by the stream meanwhile |\n|---|---:|:---:|---:|---:|:---:|---:|\n"
            + "\n".join(rows) + "\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.md").write_text(text)
    print(text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
