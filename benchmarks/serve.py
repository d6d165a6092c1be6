"""Serving latency and throughput, with the stream learning at full speed meanwhile.

1. Single-event ``POST /v1/predict`` requests at a steady 500 requests/s for 10 s (open
   loop: each request is sent at its scheduled time, latency counted from then, so a slow
   server cannot hide its queue): p50/p99 latency, and how fast the stream learns meanwhile
   (and alone, just before). Bar: p99 <= 10 ms while the stream learns at full speed.
2. ``POST /v1/predict`` with 100 events per request, 4 connections back to back:
   predictions per second. Bar: >= 20,000 predictions/s.

Three servers are measured: the API only (``serve --no-stream``), the server with its own
stream (a 4,000,000-event CSV file read as fast as it goes) learning in the learner process
(the default), and the same with ``--learner thread``. Each runs in its own process
(``streamlearn serve``) on 127.0.0.1, with a fresh store.
Run: ``.venv/bin/python benchmarks/serve.py``; writes ``benchmarks/results/serve.md``.
"""

from __future__ import annotations

import asyncio
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
import orjson

from streamlearn.datasets import RotatingHyperplane

RESULTS = Path(__file__).parent / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# enough to keep the stream learning through the measurement
STREAM_EVENTS = int(os.environ.get("STREAM_EVENTS", 4_000_000))


def _start_server(folder: Path, stream: bool, learner: str) -> tuple[subprocess.Popen, str]:
    data = folder / "stream.csv"
    if not data.exists():
        RotatingHyperplane(seed=42).take(STREAM_EVENTS).to_csv(data)
    run = folder / f"run-{len(list(folder.glob('run-*')))}"   # a fresh store: no checkpoint
    run.mkdir()
    job = run / "job.yaml"
    job.write_text(f"""
name: served
source: {{type: csv, path: {data}}}
schema: {{target: y, numeric: [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9]}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
store: sqlite:///{run}/store.db
""")
    port = _free_port()
    command = [sys.executable, "-m", "streamlearn", "serve", str(job), "--port", str(port),
               "--learner", learner]
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


def _bodies(count: int, events: int, seed: int) -> list[bytes]:
    """Request bodies serialised once, as a load generator sends them."""
    rng = np.random.default_rng(seed)
    return [orjson.dumps({"events": [{f"x{j}": float(v) for j, v in enumerate(row)}
                                     for row in rng.random((events, 10))]})
            for _ in range(count)]


HEADERS = {"content-type": "application/json"}


def batch_throughput(url: str, seconds: float = 5.0, clients: int = 4) -> float:
    """Predictions per second with ``clients`` connections sending back to back."""
    bodies = _bodies(20, 100, 0)
    done = [0] * clients
    started = time.perf_counter()

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            while time.perf_counter() - started < seconds:
                response = client.post("/v1/predict", content=bodies[done[index] % 20],
                                       headers=HEADERS)
                response.raise_for_status()
                done[index] += 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) * 100 / (time.perf_counter() - started)


def single_event_latency(url: str, rate: float = 500.0, seconds: float = 10.0
                         ) -> tuple[float, float, int]:
    """Open loop: request k is due at ``k / rate`` s; its latency runs from then to the last
    byte of its answer. The client is a small asyncio one writing prepared HTTP/1.1 requests
    on keep-alive connections (as wrk does), so that its own cost stays out of the figures."""
    return asyncio.run(_latencies(url, rate, seconds))


async def _latencies(url: str, rate: float, seconds: float) -> tuple[float, float, int]:
    host, port = url.removeprefix("http://").split(":")
    requests = [(b"POST /v1/predict HTTP/1.1\r\nHost: " + host.encode() +
                 b"\r\nContent-Type: application/json\r\nContent-Length: " +
                 str(len(body)).encode() + b"\r\n\r\n" + body) for body in _bodies(100, 1, 1)]
    total = int(rate * seconds)
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(16):
        idle.put_nowait(await asyncio.open_connection(host, int(port)))
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time() + 0.2

    async def one(k: int, due: float) -> None:
        reader, writer = await idle.get()
        writer.write(requests[k % len(requests)])
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode(errors="replace"))
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        latencies.append(loop.time() - due)
        idle.put_nowait((reader, writer))

    tasks = []
    for k in range(total):
        due = started + k / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        tasks.append(asyncio.ensure_future(one(k, due)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        _, writer = idle.get_nowait()
        writer.close()
    ms = np.array(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), len(ms)


def _learnt(url: str) -> int:
    return httpx.get(url + "/v1/metrics").json()["counters"]["learnt"]


def _learning_rate(url: str, seconds: float) -> float:
    before = _learnt(url)
    time.sleep(seconds)
    return (_learnt(url) - before) / seconds


def measure(folder: Path, stream: bool, learner: str = "process") -> dict:
    server, url = _start_server(folder, stream, learner)
    try:
        alone = _learning_rate(url, 2.0)        # the stream with no request meanwhile
        # latency first: the batch test leaves the learner recording ~100,000 predictions
        # a second for a while after it (they wait for feedback), at the stream's expense
        learnt_before, started = _learnt(url), time.perf_counter()
        p50, p99, count = single_event_latency(url)
        learnt = _learnt(url) - learnt_before
        learning_rate = learnt / (time.perf_counter() - started)
        still_learning = httpx.get(url + "/v1/metrics").json()["stream"]["state"] == "running"
        throughput = batch_throughput(url)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)
    return {"throughput": throughput, "p50": p50, "p99": p99, "count": count,
            "learnt": learnt, "learning_rate": learning_rate, "alone": alone,
            "still_learning": "yes" if still_learning else "no"}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        runs = [("API only (`serve --no-stream`)", measure(Path(folder), stream=False)),
                ("stream learning meanwhile (learner in its own process, the default)",
                 measure(Path(folder), stream=True)),
                ("stream learning meanwhile, `--learner thread` (one interpreter)",
                 measure(Path(folder), stream=True, learner="thread"))]
    rows = []
    for label, r in runs:
        rows.append(f"| {label} | {r['throughput']:,.0f} | "
                    f"{'yes' if r['throughput'] >= 20_000 else 'NO'} | {r['p50']:.1f} ms | "
                    f"{r['p99']:.1f} ms | {'yes' if r['p99'] <= 10 else 'NO'} | "
                    f"{r['learning_rate']:,.0f} ({r['alone']:,.0f}) | "
                    f"{r['still_learning'] if r['learnt'] else '-'} |")
    text = (f"# streamlearn serving\n\nMeasured {datetime.datetime.now():%Y-%m-%d %H:%M} on "
            "this machine (2 cores; the client runs on it too), `streamlearn serve` in its own "
            "process. Batch: `POST /v1/predict` with 100 events per request, 4 connections "
            "back to back, 5 s (bar 20,000 predictions/s). Latency: single-event requests "
            "sent on schedule at 500/s for 10 s by an asyncio client writing prepared "
            "requests on 16 keep-alive connections, latency counted from each request's "
            f"due time ({runs[0][1]['count']:,} requests; bar p99 "
            "<= 10 ms while the stream learns at full speed). The stream: a 4,000,000-event "
            "CSV file (rotating hyperplane), StandardScaler | LogisticRegression.\n\n"
            "| server | predictions/s (batch) | >= 20,000 | p50 | p99 | <= 10 ms | "
            "stream: events learnt/s during the latency test (alone) | "
            "still learning at the end |\n"
            "|---|---:|:---:|---:|---:|:---:|---:|:---:|\n"
            + "\n".join(rows) + "\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.md").write_text(text)
    print(text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
