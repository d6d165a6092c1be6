"""Write the financial-risk stream: payments (transactions.jsonl) and their labels in the
order they become known (labels.jsonl), or post the payments to a running server.

    python examples/financial-risk/produce.py --events 400000 --seed 7 \
        --out streamlearn-data/financial-risk
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from streamlearn.datasets import CardTransactions, load_german_credit


def produce(events: int, seed: int, out: Path, drift_at: float = 0.5) -> dict[str, int]:
    log = CardTransactions(drift_at=drift_at, seed=seed).generate(events)
    log.to_jsonl(out / "transactions.jsonl", out / "labels.jsonl")
    load_german_credit().to_csv(out / "german-credit.csv", target="bad")
    return {"events": len(log), "frauds": int(log["is_fraud"].sum())}


def post(events: int, seed: int, url: str, batch: int = 500) -> None:
    import httpx

    log = CardTransactions(drift_at=0.5, seed=seed).generate(events)
    rows = log.records()
    for start in range(0, len(rows), batch):
        httpx.post(f"{url}/v1/predict", json={"events": rows[start:start + batch]},
                   timeout=30, trust_env=False).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("streamlearn-data/financial-risk"))
    parser.add_argument("--to", default=None, help="post to this server's /v1/predict instead")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.to:
        post(args.events, args.seed, args.to)
        print(f"posted {args.events} payments to {args.to}")
        return
    counts = produce(args.events, args.seed, args.out)
    print(f"wrote {counts['events']:,} payments ({counts['frauds']:,} frauds) and their labels "
          f"to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
