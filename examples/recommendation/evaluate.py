"""Reproduce the figures of the recommendation README on all of MovieLens-100K.

Replays the 100,000 ratings in timestamp order (micro-batches of 100, as a served model
would see them) through the app's model (HybridRecommender) and three single models, and
prints per model: precision@10, recall@10 and NDCG@10 of the top-10 lists given to each user
before their next ratings (against their next 10 items), RMSE of the rating predictions,
and throughput. Writes ``evaluation.png`` (precision@10 and RMSE per window of 10,000
ratings). Runs in about a minute on a 2-core machine.

    python examples/recommendation/evaluate.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.datasets import load_movielens_100k
from streamlearn.evaluate import prequential_ranking
from streamlearn.recommend import BPR, BiasedMF, HybridRecommender, Popularity

HERE = Path(__file__).resolve().parent


def models() -> dict[str, object]:
    """The app's model (as in job.yaml) and the single models it is built from."""
    return {
        "HybridRecommender (the app)": HybridRecommender(n_factors=10, bpr_negatives=5,
                                                         feedback_every=10, seed=0),
        "BPR": BPR(n_factors=10, learning_rate=0.05, n_negatives=5, seed=1),
        "BiasedMF": BiasedMF(n_factors=10, bias_learning_rate=0.025,
                             latent_learning_rate=0.05),
        "Popularity (baseline)": Popularity(),
    }


def learning_throughput(model, users, items, ratings, batch_size: int = 500) -> float:
    """Ratings learnt per second in the job's micro-batches of 500 (no lists asked)."""
    X = np.column_stack([users, items]).astype(np.float64)
    started = time.perf_counter()
    for start in range(0, len(users), batch_size):
        batch = Batch(X=X[start:start + batch_size], columns=("user", "item"),
                      y=ratings[start:start + batch_size])
        model.process_many(batch, batch, np.ones(len(batch), dtype=bool))
    return len(users) / (time.perf_counter() - started)


def plot(reports: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for name, report in reports.items():
        events = np.array(report.history["events"]) / 1000
        top.plot(events, report.history["Precision@10"], marker="o", label=name)
        if "RMSE" in report.history:
            bottom.plot(events, report.history["RMSE"], marker="o", label=name)
    top.set_ylabel("precision@10 (next 10 ratings)")
    top.set_title("MovieLens-100K replayed in time order, per window of 10,000 ratings")
    top.legend(fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("RMSE of predicted ratings")
    bottom.set_xlabel("ratings streamed (thousands)")
    bottom.legend(fontsize=8)
    bottom.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    data = load_movielens_100k()
    users = data.X[:args.events, 0].astype(np.int64)
    items = data.X[:args.events, 1].astype(np.int64)
    ratings = data.y[:args.events]
    reports, speeds = {}, {}
    for name, model in models().items():
        reports[name] = prequential_ranking(users, items, ratings, model, k=10, horizon=10,
                                            batch_size=100, history_every=10_000, name=name)
    for name, model in models().items():
        speeds[name] = learning_throughput(model, users, items, ratings)
    print(f"MovieLens-100K, first {args.events:,} ratings in time order; lists of 10 "
          f"against each user's next 10 ratings; {reports[name].metrics['lists']:,.0f} lists "
          f"({reports[name].metrics['cold_start_lists']:,.0f} to cold-start users)\n")
    print(f"| {'model':<28} | precision@10 | recall@10 | NDCG@10 |  RMSE  | "
          "learning (ratings/s) | with lists (ratings/s) |")
    print(f"|{'-' * 30}|-------------:|----------:|--------:|-------:|"
          "---------------------:|-----------------------:|")
    for name, report in reports.items():
        m = report.metrics
        rmse = f"{m['RMSE']:.4f}" if "RMSE" in m else "   -  "
        print(f"| {name:<28} | {m['Precision@10']:12.4f} | {m['Recall@10']:9.4f} | "
              f"{m['NDCG@10']:7.4f} | {rmse} | {speeds[name]:20,.0f} | "
              f"{report.events_per_second:22,.0f} |")
    if not args.no_plot:
        plot(reports, HERE / "evaluation.png")
        print(f"\nwrote {HERE / 'evaluation.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
