"""Serving latency and throughput, with the stream learning at full speed meanwhile.

1. ``POST /v1/predict`` with 100 events per request, back to back: predictions per second.
   Bar: >= 20,000 predictions/s.
2. Single-event ``POST /v1/predict`` requests at a steady 500 requests/s for 10 s (open
   loop: each request is sent at its scheduled time, latency counted from then, so a slow
   server cannot hide its queue): p50/p99 latency. Bar: p99 <= 10 ms.

Meanwhile the server's own stream (a CSV file replayed as fast as it goes, over and over)
keeps learning. The server runs in its own process (``streamlearn serve``) on 127.0.0.1.
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


def _start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    data = RotatingHyperplane(seed=42).take(1_000_000)
    data.to_csv(folder / "stream.csv")
    job = folder / "job.yaml"
    job.write_text(f"""
name: served
source: {{type: csv, path: {folder / 'stream.csv'}}}
schema: {{target: y}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
store: sqlite:///{folder}/store.db
""")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlearn", "serve", str(job),
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server, url = _start_server(Path(folder))
        try:
            learnt_before = httpx.get(url + "/v1/metrics").json()["counters"]["learnt"]
            throughput = batch_throughput(url)
            p50, p99, count = single_event_latency(url)
            status = httpx.get(url + "/v1/metrics").json()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    learnt = status["counters"]["learnt"] - learnt_before
    text = (f"# streamlearn serving\n\nMeasured {datetime.datetime.now():%Y-%m-%d %H:%M} on "
            f"this machine (2 cores, client and server on it), server `streamlearn serve` "
            f"with its stream learning meanwhile ({learnt:,} events learnt during the "
            "measurements).\n\n"
            "| measurement | value | bar | met |\n|---|---:|---:|:---:|\n"
            f"| POST /v1/predict, 100 events per request | {throughput:,.0f} predictions/s "
            f"| 20,000 | {'yes' if throughput >= 20_000 else 'NO'} |\n"
            f"| single-event requests at 500/s ({count:,} requests), p50 | {p50:.1f} ms | | |\n"
            f"| single-event requests at 500/s, p99 | {p99:.1f} ms | 10 ms | "
            f"{'yes' if p99 <= 10 else 'NO'} |\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.md").write_text(text)
    print(text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
