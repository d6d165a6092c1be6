"""Write the rating stream the recommendation job reads: MovieLens-100K in timestamp order.

The ratings are real (GroupLens' MovieLens-100K, from the copy the ``recbole`` package ships,
read by :func:`streamlearn.datasets.load_movielens_100k`); nothing is downloaded. Each line of
``ratings.csv`` is one rating: ``id,user,item,rating,timestamp``.

    python examples/recommendation/produce.py                   # all 100,000 ratings
    python examples/recommendation/produce.py --events 20000 --out /tmp/ratings
    python examples/recommendation/produce.py --to http://127.0.0.1:8000  # POST to /v1/learn
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from streamlearn.datasets import load_movielens_100k

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "streamlearn-data" / "recommendation"
DEFAULT_EVENTS = 100_000


def ratings(events: int = DEFAULT_EVENTS) -> list[dict]:
    """The first ``events`` ratings in timestamp order, as the job's events."""
    data = load_movielens_100k()
    if not 1 <= events <= len(data):
        raise ValueError(f"--events must be between 1 and {len(data):,}; got {events}")
    users, items = data.X[:events, 0].astype(np.int64), data.X[:events, 1].astype(np.int64)
    times, stars = data.X[:events, 2].astype(np.int64), data.y[:events].astype(np.int64)
    return [{"id": f"r{k:06d}", "user": int(u), "item": int(i), "rating": int(r),
             "timestamp": int(t)}
            for k, (u, i, r, t) in enumerate(zip(users, items, stars, times))]


def write_ratings(out: Path, events: int = DEFAULT_EVENTS) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ratings.csv"
    rows = ratings(events)
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def post(url: str, events: int, batch: int = 1000) -> int:
    """Send the ratings to a server's ``POST /v1/learn`` in batches; returns how many it
    learnt."""
    import httpx

    learnt = 0
    rows = ratings(events)
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        for start in range(0, len(rows), batch):
            answer = client.post("/v1/learn", json={"events": rows[start:start + batch]})
            answer.raise_for_status()
            learnt += answer.json()["learnt"]
    return learnt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help="how many ratings, from the first (default: all 100,000)")
    parser.add_argument("--seed", type=int, default=0,
                        help="accepted like the other apps' producers; the ratings are "
                             "replayed as recorded, so it changes nothing")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of ratings.csv")
    parser.add_argument("--to", metavar="URL", default=None,
                        help="POST the ratings to this server's /v1/learn instead of writing")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.to:
        learnt = post(args.to.rstrip("/"), args.events)
        print(f"{learnt:,} ratings learnt by {args.to} in {time.perf_counter() - started:.1f} s")
        return 0
    path = write_ratings(args.out, args.events)
    print(f"wrote {args.events:,} ratings to {path} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
