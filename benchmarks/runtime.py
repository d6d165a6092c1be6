"""End-to-end throughput of the streaming runtime (no reference library: absolute bars).

1. CSV file -> StandardScaler | LogisticRegression -> predictions upserted into SQLite.
   Bar: >= 200,000 events/s.
2. Redis Streams -> the same pipeline -> Redis Streams (predictions) and SQLite, with the
   consumer group's lag sampled while it runs. Bar: >= 50,000 events/s end to end.

Run: ``.venv/bin/python benchmarks/runtime.py [--events N]`` (Redis on 127.0.0.1:6379, db 15).
Writes ``benchmarks/results/runtime.md``.
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import threading
import uuid
from pathlib import Path

from streamlearn.datasets import RotatingHyperplane
from streamlearn.runtime import Job

RESULTS = Path(__file__).parent / "results"


def _job(name: str, source: str, store: str, extra: str = "") -> Job:
    return Job.from_yaml(f"""
name: {name}
source: {source}
schema: {{target: y}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
batch: {{max_events: 1000, max_delay_ms: 20}}
store: {store}
checkpoint: {{every_events: 50000, every_seconds: 10}}
{extra}
""")


def file_to_sqlite(events: int, folder: Path) -> dict:
    data = RotatingHyperplane(seed=42).take(events)
    csv = folder / "stream.csv"
    data.to_csv(csv)
    _job("warmup", f"{{type: csv, path: {csv}}}", f"sqlite:///{folder}/warm.db").run()
    summary = _job("file", f"{{type: csv, path: {csv}}}", f"sqlite:///{folder}/file.db").run()
    return {"case": "CSV file -> pipeline -> SQLite predictions", "events": events,
            "events_per_second": summary.events_per_second, "bar": 200_000,
            "accuracy": summary.metrics["Accuracy"], "lag": "-"}


def redis_to_redis(events: int, folder: Path, url: str) -> dict:
    import redis

    from streamlearn.connectors.redis_streams import produce

    data = RotatingHyperplane(seed=42).take(events)
    stream, out = f"bench-{uuid.uuid4().hex}", f"bench-out-{uuid.uuid4().hex}"
    rows = [{**x, "y": y} for x, y in data]
    produce(url, stream, rows)
    client = redis.Redis.from_url(url)
    job = _job("redis", f"{{type: redis, url: '{url}', stream: {stream}, group: bench, "
                        "stop_when_empty: true}", f"sqlite:///{folder}/redis.db",
               f"sink: {{type: redis, stream: {out}}}")
    lags: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            groups = client.xinfo_groups(stream)
            if groups and groups[0].get("lag") is not None:
                lags.append(int(groups[0]["lag"]))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        summary = job.run()
    finally:
        done.set()
        sampler.join()
    written = client.xlen(out)
    client.delete(stream, out)
    client.close()
    return {"case": "Redis Streams -> pipeline -> Redis Streams (+ SQLite)",
            "events": events, "events_per_second": summary.events_per_second, "bar": 50_000,
            "accuracy": summary.metrics["Accuracy"], "predictions_written": written,
            "lag": (f"{lags[0]:,} entries behind at the first sample, {lags[-1]:,} at the last "
                    "(every 0.1 s; the stream was filled before the job started)")
            if lags else "not sampled"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [file_to_sqlite(args.events, Path(folder)),
                redis_to_redis(args.events, Path(folder), args.redis)]
    when = f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
    lines = [f"# streamlearn runtime throughput\n\nMeasured {when} on this machine (2 cores), "
             f"{args.events:,} events, micro-batches of 1,000.\n",
             "| case | events/s | bar | met | accuracy | consumer lag |",
             "|---|---:|---:|:---:|---:|---|"]
    for row in rows:
        met = "yes" if row["events_per_second"] >= row["bar"] else "NO"
        lines.append(f"| {row['case']} | {row['events_per_second']:,.0f} | {row['bar']:,} | "
                     f"{met} | {row['accuracy']:.4f} | {row['lag']} |")
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "runtime.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
