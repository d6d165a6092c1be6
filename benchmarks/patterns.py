"""Frequent patterns: streamlearn's LossyCounting and River's HeavyHitters side by side.

    .venv/bin/python benchmarks/patterns.py [--quick] [--events 200000] [--repeat 3]

River has no itemset miner; its ``sketch.HeavyHitters`` is Lossy Counting of hashable
elements (with a forgetting factor, set to 1 here so that it is plain Lossy Counting). Two
cases, best of ``--repeat`` runs each (the two libraries in turn), fresh models each run,
streams built before the clock:

1. **items** — a stream of single items (Zipf over 1,000 items): River ``update(item)`` per
   event, streamlearn ``learn_many`` on transactions of one item, in micro-batches of 1,000.
   Same algorithm, same buckets: the estimated counts must be identical.
2. **itemsets** — baskets over 50 items with planted co-occurrences, itemsets of up to 3
   items: River is fed every sub-itemset of each basket as an element (a sorted tuple), which
   is how one would use it for itemsets; its ``N`` is then the number of sub-itemsets, so its
   bucket boundaries and error bound differ from ours (``N`` = baskets). Quality: recall of
   the itemsets whose true support is >= ``support`` and the largest under-count, against an
   exact count (River is asked which itemsets reach ``(support - epsilon)`` times the number
   of baskets, since its own threshold is relative to the sub-itemsets it was fed).

The table goes to ``benchmarks/results/patterns.md``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import machine
from river.sketch import HeavyHitters

from streamlearn.patterns import LossyCounting

HERE = Path(__file__).resolve().parent
SUPPORT, EPSILON, MAX_SIZE, BATCH = 0.05, 0.005, 3, 1000


def best_of(repeat: int, river: Callable[[], Any], ours: Callable[[], Any]
            ) -> tuple[float, Any, float, Any]:
    """The best time and result of each, the two run in turn (River, ours, River, ...) so
    that a change of load on a shared machine hits both alike."""
    best = {"river": (float("inf"), None), "ours": (float("inf"), None)}
    for _ in range(repeat):
        for name, run in (("river", river), ("ours", ours)):
            started = time.perf_counter()
            out = run()
            seconds = time.perf_counter() - started
            if seconds < best[name][0]:
                best[name] = (seconds, out)
    return (*best["river"], *best["ours"])


def river_heavy_hitters() -> HeavyHitters:
    # River 0.26 checks ``support > epsilon`` the wrong way round: build, then set support
    model = HeavyHitters(support=EPSILON, epsilon=EPSILON, fading_factor=1.0)
    model.support = SUPPORT
    return model


def ours(transactions: list[list[Any]], max_size: int) -> LossyCounting:
    model = LossyCounting(support=SUPPORT, epsilon=EPSILON, max_size=max_size)
    for start in range(0, len(transactions), BATCH):
        model.learn_many(transactions[start:start + BATCH])
    return model


def items_case(events: int, repeat: int) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    items = [f"w{k}" for k in np.minimum(rng.zipf(1.3, size=events), 1000)]
    transactions = [[item] for item in items]

    def river() -> HeavyHitters:
        model = river_heavy_hitters()
        for item in items:
            model.update(item)
        return model

    river_s, river_model, our_s, our_model = best_of(repeat, river,
                                                     lambda: ours(transactions, 1))
    same = all(our_model.count([item]) == river_model[item] for item in set(items))
    return {"case": f"items (Zipf, 1,000 items), {events:,} events", "events": events,
            "river_eps": events / river_s, "ours_eps": events / our_s,
            "quality": "identical counts" if same else "counts DIFFER"}


def baskets(n: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    names = [f"i{k:02d}" for k in range(50)]
    planted = [("i03", "i17", "i41"), ("i08", "i29"), ("i12", "i33", "i45", "i48")]
    present = rng.random((n, 50)) < 0.25 * np.arange(1, 51) ** -0.8
    extra = rng.random((n, 3)) < np.array([0.12, 0.09, 0.06])
    out = []
    for i in range(n):
        basket = {names[k] for k in np.flatnonzero(present[i])}
        for j in np.flatnonzero(extra[i]):
            basket.update(planted[j])
        out.append(sorted(basket))
    return out


def itemsets_case(events: int, repeat: int) -> dict[str, Any]:
    stream = baskets(events, seed=0)
    exact: Counter = Counter()
    for basket in stream:
        for size in range(1, min(MAX_SIZE, len(basket)) + 1):
            exact.update(combinations(basket, size))
    frequent = [key for key, count in exact.items() if count >= SUPPORT * events]

    def river() -> HeavyHitters:
        model = river_heavy_hitters()
        for basket in stream:
            for size in range(1, min(MAX_SIZE, len(basket)) + 1):
                for key in combinations(basket, size):
                    model.update(key)
        return model

    river_s, river_model, our_s, our_model = best_of(repeat, river,
                                                     lambda: ours(stream, MAX_SIZE))
    # River's own threshold is relative to the sub-itemsets it was fed: ask it with ours
    threshold = (SUPPORT - EPSILON) * events
    river_found = {key for key in exact if river_model[key] >= threshold}
    our_found = set(our_model.frequent_itemsets())
    river_error = max(exact[key] - river_model[key] for key in exact)
    our_error = max(exact[key] - our_model.count(key) for key in exact)
    quality = (f"recall {sum(k in our_found for k in frequent)}/{len(frequent)}, "
               f"max under-count {our_error:.0f} (bound {EPSILON * events:.0f}); River "
               f"(estimates >= (s - e) x baskets): recall "
               f"{sum(k in river_found for k in frequent)}/{len(frequent)}, max under-count "
               f"{river_error:.0f} (its bound: e x {river_model._n:,} sub-itemsets)")
    return {"case": f"itemsets <= {MAX_SIZE} (baskets over 50 items), {events:,} baskets",
            "events": events, "river_eps": events / river_s, "ours_eps": events / our_s,
            "quality": quality}


def markdown(rows: list[dict[str, Any]], settings: str) -> str:
    info = machine()
    lines = [
        "# Frequent patterns: streamlearn LossyCounting vs River HeavyHitters", "",
        f"{settings}; machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"river {info['river']}, numpy {info['numpy']}.", "",
        "| case | River events/s | streamlearn events/s | ratio | quality |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(f"| {row['case']} | {row['river_eps']:,.0f} | {row['ours_eps']:,.0f} | "
                     f"{row['ours_eps'] / row['river_eps']:.2f}x | {row['quality']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000,
                        help="events of the items stream (baskets: a tenth; default 200,000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20,000 events, one run each")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = 20_000, 1
    load_before = os.getloadavg()[0]
    rows = [items_case(args.events, args.repeat),
            itemsets_case(args.events // 10, args.repeat)]
    # a shared machine: the load says how far the absolute numbers can be trusted
    text = markdown(rows, f"support {SUPPORT}, epsilon {EPSILON}, best of {args.repeat}, "
                          f"micro-batches of {BATCH}; 1-minute load average "
                          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    if not args.quick:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "patterns.md").write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    main()
