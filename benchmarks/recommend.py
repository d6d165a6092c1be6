"""Online recommendation, streamlearn and River side by side on MovieLens-100K.

    .venv/bin/python benchmarks/recommend.py [--repeat 3] [--batch-size 1000]

The 100,000 ratings are replayed in timestamp order (ties in file order), test-then-train:
each rating is predicted, scored, then learnt. Biased MF and the baseline predictor run with
the same hyper-parameters in both libraries; the table (``benchmarks/results/recommend.md``)
gives both throughputs, their ratio and both RMSEs, then the latency of a top-10
recommendation over every item. MovieLens-100K is read from the copy the ``recbole``
package ships (``.venv/bin/pip install --no-deps recbole``; the file is read, recbole is
not imported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import machine
from river import optim, reco

from streamlearn.core.batch import Batch
from streamlearn.core.learners import all_rows
from streamlearn.recommend import BPR, Baseline, BiasedMF, Popularity

HERE = Path(__file__).resolve().parent
#: The issue's bars: throughput as a multiple of River's, and the largest RMSE gap.
THROUGHPUT_BAR = 20.0
RMSE_BAR_PCT = 1.0
SEED = 0
MF = {"n_factors": 10, "bias_learning_rate": 0.025, "latent_learning_rate": 0.05,
      "init_std": 0.1}


def movielens_100k() -> np.ndarray:
    """(user, item, rating, timestamp) as int64 rows, in timestamp order."""
    spec = importlib.util.find_spec("recbole")
    folders = spec.submodule_search_locations if spec is not None else None
    path = Path(folders[0], "dataset_example", "ml-100k", "ml-100k.inter") if folders else None
    if path is None or not path.is_file():
        raise SystemExit("MovieLens-100K is missing: .venv/bin/pip install --no-deps recbole")
    rows = np.loadtxt(path, skiprows=1, dtype=np.int64)
    return rows[np.argsort(rows[:, 3], kind="stable")]


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """(fastest seconds, result) over ``repeat`` runs with fresh models."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        seconds = time.perf_counter() - started
        if seconds < best:
            best, result = seconds, out
    return best, result


def river_replay(make: Callable[[], Any], events: list[tuple[int, int, float]]
                 ) -> tuple[float, Any]:
    """River's least-overhead test-then-train loop; returns (RMSE, model)."""
    model, squared = make(), 0.0
    for user, item, rating in events:
        squared += (model.predict_one(user, item) - rating) ** 2
        model.learn_one(user, item, rating)
    return (squared / len(events)) ** 0.5, model


def our_replay(make: Callable[[], Any], batches: list[Batch]) -> tuple[float, Any]:
    """streamlearn's test-then-train over micro-batches; returns (RMSE, model)."""
    model, squared, n = make(), 0.0, 0
    for batch in batches:
        predictions = model.process_many(batch, batch, all_rows(len(batch)))
        squared += float(np.sum((predictions - batch.y) ** 2))
        n += len(batch)
    return (squared / n) ** 0.5, model


def river_mf(seed: int = SEED) -> Any:
    return reco.BiasedMF(
        n_factors=MF["n_factors"], bias_optimizer=optim.SGD(MF["bias_learning_rate"]),
        latent_optimizer=optim.SGD(MF["latent_learning_rate"]),
        latent_initializer=optim.initializers.Normal(mu=0.0, sigma=MF["init_std"], seed=seed))


def seed_spread(events: list[tuple[int, int, float]], batches: list[Batch], seeds: int
                ) -> dict[str, Any]:
    """BiasedMF's RMSE over ``seeds`` initialisations on each side: the factors are random,
    so one seed against one seed compares draws as much as learning."""
    river = [river_replay(lambda s=s: river_mf(s), events)[0] for s in range(seeds)]
    ours = [our_replay(lambda s=s: BiasedMF(**MF, seed=s), batches)[0] for s in range(seeds)]
    spread = {}
    for name, values in (("river", river), ("streamlearn", ours)):
        spread[name] = {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1)),
                        "min": float(np.min(values)), "max": float(np.max(values))}
    gap = spread["streamlearn"]["mean"] - spread["river"]["mean"]
    error = float(np.sqrt((spread["river"]["std"] ** 2 + spread["streamlearn"]["std"] ** 2)
                          / seeds))
    return {"seeds": seeds, **spread, "gap_pct": 100.0 * gap / spread["river"]["mean"],
            "gap_error_pct": 100.0 * error / spread["river"]["mean"]}


def river_baseline() -> Any:
    return reco.Baseline(optimizer=optim.SGD(MF["bias_learning_rate"]))


CASES = [
    # name, River's, ours, held to the bars
    ("BiasedMF (10 factors)", river_mf, lambda: BiasedMF(**MF, seed=SEED), True),
    ("Baseline (mean + biases)", river_baseline,
     lambda: Baseline(bias_learning_rate=MF["bias_learning_rate"]), False),
    ("Popularity (counts)", None, Popularity, False),
    ("BPR (10 factors, 5 negatives)", None, lambda: BPR(n_negatives=5, seed=SEED), False),
]


def run_all(repeat: int, batch_size: int, seeds: int, log: Callable[[str], None] = print
            ) -> dict[str, Any]:
    rows = movielens_100k()
    events = [(u, i, float(r)) for u, i, r, _ in rows.tolist()]
    batches = [Batch(X=part[:, :2].astype(np.float64), columns=("user", "item"),
                     y=part[:, 2].astype(np.float64))
               for part in (rows[s:s + batch_size] for s in range(0, len(rows), batch_size))]
    results, models = [], {}
    for name, make_river, make_ours, barred in CASES:
        log(f"replay: {name}")
        our_replay(make_ours, batches[:3])  # compile, or load numba's cache, off the clock
        ours_s, (ours_rmse, ours_model) = best_of(
            repeat, lambda make=make_ours: our_replay(make, batches))
        row = {"case": name, "events": len(rows), "streamlearn_eps": len(rows) / ours_s,
               "streamlearn_rmse": ours_rmse, "barred": barred}
        if make_river is not None:
            river_s, (river_rmse, river_model) = best_of(
                repeat, lambda make=make_river: river_replay(make, events))
            row.update(river_eps=len(rows) / river_s, river_rmse=river_rmse,
                       ratio=river_s / ours_s,
                       gap_pct=100.0 * (ours_rmse - river_rmse) / river_rmse)
            models[name] = (river_model, ours_model)
        results.append(row)
    log("recommend: top 10")
    latency = recommend_latency(*models[CASES[0][0]], rows)
    log(f"BiasedMF over {seeds} seeds")
    spread = seed_spread(events, batches, seeds)
    verdicts = []
    for row in results:
        if row["barred"]:
            verdicts.append({"what": f"{row['case']}: throughput >= {THROUGHPUT_BAR:g}x "
                                     "River's", "measured": f"{row['ratio']:.1f}x",
                             "met": row["ratio"] >= THROUGHPUT_BAR})
            verdicts.append({"what": f"{row['case']}: RMSE within {RMSE_BAR_PCT:g}% of River's",
                             "measured": f"{row['gap_pct']:+.3f}%",
                             "met": row["gap_pct"] <= RMSE_BAR_PCT})
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(), "settings": {"repeat": repeat, "batch_size": batch_size},
            "rows": results, "latency": latency, "spread": spread, "verdicts": verdicts}


def recommend_latency(river_model: Any, ours: BiasedMF, rows: np.ndarray) -> dict[str, Any]:
    """Top 10 over every item, seen ones excluded, after the replay. River ranks with
    ``rank(user, items)`` (one ``predict_one`` per item); ours scores all items at once."""
    users = np.unique(rows[:, 0]).tolist()
    items = set(np.unique(rows[:, 1]).tolist())
    seen: dict[int, set[int]] = {}
    for user, item in rows[:, :2].tolist():
        seen.setdefault(user, set()).add(item)
    river_users = users[:50]
    started = time.perf_counter()
    for user in river_users:
        river_model.rank(user, items - seen[user])[:10]
    river_ms = 1000.0 * (time.perf_counter() - started) / len(river_users)
    started = time.perf_counter()
    for user in users:
        ours.recommend(user, k=10)
    ours_ms = 1000.0 * (time.perf_counter() - started) / len(users)
    return {"items": len(items), "river_users": len(river_users), "our_users": len(users),
            "river_ms": river_ms, "streamlearn_ms": ours_ms}


def markdown(result: dict[str, Any]) -> str:
    m, s, lat = result["machine"], result["settings"], result["latency"]
    lines = [
        "# Online recommendation: streamlearn vs River",
        "",
        f"Measured {result['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"streamlearn {m['streamlearn']}, River {m['river']}, numba {m['numba']}, numpy "
        f"{m['numpy']}. Best of {s['repeat']} runs per timing, both libraries in the same "
        "process, one after the other.",
        "",
        "Written by `.venv/bin/python benchmarks/recommend.py`.",
        "",
        "MovieLens-100K (943 users, 1,682 items, 100,000 ratings) replayed in timestamp order, "
        "test-then-train: each rating is predicted, scored, then learnt. River runs its "
        "`predict_one`/`learn_one` loop over (user, item, rating) tuples built before the "
        f"clock starts; streamlearn runs `process_many` over micro-batches of {s['batch_size']:,} "
        "events (user and item as numeric columns) built before the clock starts, after a "
        "warm-up on three batches so numba's compilation is not timed. Same hyper-parameters "
        f"on both sides: {MF['n_factors']} factors, SGD with learning rate "
        f"{MF['bias_learning_rate']} for biases and {MF['latent_learning_rate']} for factors, "
        f"no L2, factors drawn from N(0, {MF['init_std']}²) (seed {SEED}; each library has its "
        "own generator). Gap: how much higher streamlearn's RMSE is, in % of River's "
        "(negative: lower).",
        "",
        "| case | events | River ev/s | streamlearn ev/s | ratio | River RMSE | "
        "streamlearn RMSE | gap (%) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        if "river_eps" in r:
            lines.append(
                f"| {r['case']} | {r['events']:,} | {r['river_eps']:,.0f} | "
                f"{r['streamlearn_eps']:,.0f} | {r['ratio']:.1f}x | {r['river_rmse']:.4f} | "
                f"{r['streamlearn_rmse']:.4f} | {r['gap_pct']:+.3f} |")
        else:
            lines.append(
                f"| {r['case']} | {r['events']:,} | (none in River) | "
                f"{r['streamlearn_eps']:,.0f} | | | (a ranking score) | |")
    lines += [
        "",
        f"Top-10 recommendation with BiasedMF after the replay, over all {lat['items']:,} "
        "items, seen ones excluded: River `rank(user, unseen items)` (one `predict_one` per "
        f"item), mean over {lat['river_users']} users: {lat['river_ms']:.2f} ms; streamlearn "
        f"`recommend(user, k=10)`, mean over all {lat['our_users']} users: "
        f"{lat['streamlearn_ms']:.3f} ms.",
        "",
        f"BiasedMF's RMSE over {result['spread']['seeds']} seeds (0 to "
        f"{result['spread']['seeds'] - 1}) on each side, same hyper-parameters: the factors are "
        "random, so a single seed against a single seed compares draws as much as learning.",
        "",
        "| library | mean RMSE | std | min | max |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {result['spread'][key]['mean']:.5f} | {result['spread'][key]['std']:.5f} "
          f"| {result['spread'][key]['min']:.5f} | {result['spread'][key]['max']:.5f} |"
          for name, key in (("River", "river"), ("streamlearn", "streamlearn"))),
        "",
        f"Gap of the means: {result['spread']['gap_pct']:+.3f}% of River's, with a standard "
        f"error of {result['spread']['gap_error_pct']:.3f}%.",
        "",
        "| bar | measured | met |",
        "|---|---:|:---:|",
    ]
    for v in result["verdicts"]:
        lines.append(f"| {v['what']} | {v['measured']} | {'yes' if v['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per measurement; the best is kept (default 3)")
    parser.add_argument("--batch-size", type=int, default=1000,
                        help="streamlearn's micro-batch size (default 1,000)")
    parser.add_argument("--seeds", type=int, default=10,
                        help="initialisations of BiasedMF compared on each side (default 10)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    result = run_all(args.repeat, args.batch_size, args.seeds,
                     log=lambda what: print(f"running: {what}", flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(result)
    (args.out / "recommend.md").write_text(text)
    print(text)
    return result


if __name__ == "__main__":
    main()
