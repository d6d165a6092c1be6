"""`make demo APP=recommendation`: MovieLens ratings streamed live into a recommender, served
with its dashboard and GET /v1/recommend.

Writes the ratings when missing (MovieLens-100K in timestamp order, about 2 s), starts
``streamlearn serve examples/recommendation/job.yaml`` on 127.0.0.1 (the 100,000 ratings
replay at 500 per second: about 3 minutes of live stream), says where to look, and stops the
server cleanly on Ctrl-C. Each run starts the stream over (``--resume`` continues from the
last checkpoint instead).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "streamlearn-data" / "recommendation"
sys.path.insert(0, str(HERE))

from produce import DEFAULT_EVENTS, write_ratings  # noqa: E402

from streamlearn.serve.launch import demo_arguments, serve_until_stopped  # noqa: E402


def ensure_data(events: int) -> None:
    if not (DATA / "ratings.csv").is_file():
        started = time.perf_counter()
        path = write_ratings(DATA, events)
        print(f"wrote {path} in {time.perf_counter() - started:.1f} s")


def start_over() -> None:
    """Forget the last run's checkpoint, so the stream replays from the start."""
    for path in DATA.glob("ratings.db*"):
        path.unlink()



def tell(url: str) -> None:
    print(f"""
  recommendation stream live: {url}/          (dashboard: rolling RMSE of MF and the baseline)
  API and schemas:            {url}/docs
  top-10 for user 259:        curl -s '{url}/v1/recommend?user=259&k=10'
  a new user (cold start):    curl -s '{url}/v1/recommend?user=new-user&k=10'
  predict a rating:           curl -s -X POST {url}/v1/predict \\
                                -H 'Content-Type: application/json' \\
                                -d '{{"events": [{{"id": "q1", "user": 259, "item": 50}}]}}'
  then give the real rating:  curl -s -X POST {url}/v1/feedback \\
                                -H 'Content-Type: application/json' \\
                                -d '{{"feedback": [{{"id": "q1", "label": 5}}]}}'
  metrics:                    curl -s {url}/v1/metrics
Ctrl-C stops the server.""", flush=True)


def main() -> int:
    args = demo_arguments(__doc__.split("\n")[0], DEFAULT_EVENTS, "ratings")
    ensure_data(args.events)
    if not args.resume:
        start_over()
    return serve_until_stopped(HERE / "job.yaml", args.port, "recommendation demo", tell,
                               seconds=args.seconds, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
