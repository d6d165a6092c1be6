"""Models and drift detectors, streamlearn and River side by side on the same streams.

    .venv/bin/python benchmarks/models.py [--quick] [--repeat 3] [--only bayes,knn,drift]

One function per family (``naive_bayes``, ``knn``, ``drift``) returns its rows; other
families add theirs in their own file with :func:`model_case`. The table goes to
``benchmarks/results/models.md``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import machine
from river import drift as river_drift
from river import metrics as river_metrics
from river import naive_bayes as river_nb
from river import neighbors as river_neighbors

from streamlearn import drift, metrics
from streamlearn.bayes import BernoulliNB, GaussianNB, MultinomialNB
from streamlearn.datasets import SEA, Dataset, Friedman, RandomRBF, RotatingHyperplane
from streamlearn.evaluate import prequential
from streamlearn.neighbors import KNNClassifier, KNNRegressor

HERE = Path(__file__).resolve().parent
#: The issue's bars: streamlearn's throughput as a multiple of River's.
BARS = {"GaussianNB": 50.0, "KNN": 20.0, "drift": 10.0}
#: Largest quality gap allowed (percentage points of accuracy, or relative MAE).
QUALITY_BAR_PP = 1.0


# ---------------------------------------------------------------------------- models
@dataclass
class ModelRow:
    """One model on one stream, both libraries."""

    family: str
    case: str
    events: int
    river_eps: float
    streamlearn_eps: float
    metric: str
    river_score: float
    streamlearn_score: float
    bar: float | None = None

    @property
    def ratio(self) -> float:
        return self.streamlearn_eps / self.river_eps

    @property
    def gap_pp(self) -> float:
        """How much worse streamlearn scores, in percentage points (of accuracy, or of
        River's MAE); negative when it is better."""
        if self.metric == "MAE":
            return 100.0 * (self.streamlearn_score - self.river_score) / self.river_score
        return 100.0 * (self.river_score - self.streamlearn_score)


def best_of(repeat: int, run: Callable[[], float]) -> tuple[float, float]:
    """(fastest seconds, score) over ``repeat`` runs with fresh models."""
    best, score = float("inf"), float("nan")
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        if seconds < best:
            best, score = seconds, result
    return best, score


def river_loop(make_model: Callable[[], Any], pairs: list[tuple[dict, Any]],
               regression: bool) -> float:
    """River's least-overhead test-then-train loop; returns accuracy (or MAE)."""
    model = make_model()
    metric = river_metrics.MAE() if regression else river_metrics.Accuracy()
    for x, y in pairs:
        metric.update(y, model.predict_one(x))
        model.learn_one(x, y)
    return metric.get()


def model_case(family: str, case: str, data: Dataset, make_river: Callable[[], Any],
               make_ours: Callable[[], Any], repeat: int, bar: float | None = None,
               batch_size: int = 1000) -> ModelRow:
    """Both libraries on ``data`` (in memory), test-then-train, best of ``repeat``: River as
    ``(dict, label)`` pairs built before the clock starts, streamlearn as arrays in
    micro-batches, warmed up first so numba's compilation is not timed."""
    regression = data.task == "regression"
    metric = metrics.MAE() if regression else metrics.Accuracy()

    def ours() -> float:
        report = prequential((data.X, data.y), make_ours(), [metric.clone()],
                             batch_size=batch_size)
        return report.metrics[type(metric).__name__]

    head = data.head(min(len(data), 2000))
    prequential((head.X, head.y), make_ours(), [metric.clone()], batch_size=batch_size)
    pairs = list(data)
    river_seconds, river_score = best_of(repeat, lambda: river_loop(make_river, pairs,
                                                                    regression))
    our_seconds, our_score = best_of(repeat, ours)
    return ModelRow(family, case, len(data), len(data) / river_seconds,
                    len(data) / our_seconds, type(metric).__name__, river_score, our_score,
                    bar)


def naive_bayes(events: int, repeat: int, log: Callable[[str], None] = print
                ) -> list[ModelRow]:
    """GaussianNB on three streams (the bar), MultinomialNB and BernoulliNB on one each."""
    streams = {
        "SEA (3 features, abrupt drift)": SEA(seed=42, drift_every=events // 4).take(events),
        "Rotating hyperplane (10 features)": RotatingHyperplane(seed=42).take(events),
        "Random RBF (10 features, 5 classes)": RandomRBF(seed=1, n_classes=5).take(events),
    }
    rows = []
    for name, data in streams.items():
        log(f"GaussianNB: {name}")
        rows.append(model_case("naive Bayes", f"GaussianNB, {name}", data,
                               river_nb.GaussianNB, GaussianNB, repeat, BARS["GaussianNB"]))
    counts = _counts_stream(events)
    log("MultinomialNB: word counts")
    rows.append(model_case("naive Bayes", "MultinomialNB, word counts (20 terms, 3 classes)",
                           counts, river_nb.MultinomialNB, MultinomialNB, repeat))
    log("BernoulliNB: word counts")
    rows.append(model_case("naive Bayes", "BernoulliNB, word counts (20 terms, 3 classes)",
                           counts, river_nb.BernoulliNB, BernoulliNB, repeat))
    return rows


def _counts_stream(events: int) -> Dataset:
    """Documents as term counts: each class draws its words from its own mix."""
    rng = np.random.default_rng(7)
    mixes = rng.dirichlet(np.full(20, 0.3), size=3)
    y = rng.integers(0, 3, size=events)
    X = np.stack([rng.multinomial(12, mixes[c]) for c in y]).astype(np.float64)
    return Dataset(name="counts", X=X, y=y, feature_names=[f"w{j}" for j in range(20)],
                   task="multiclass")


def knn(events: int, repeat: int, log: Callable[[str], None] = print,
        window_size: int = 1000) -> list[ModelRow]:
    """KNNClassifier and KNNRegressor against River's exact search over the same window."""
    def engine():
        return river_neighbors.LazySearch(window_size=window_size)

    rows = []
    for name, data in {"SEA (3 features)": SEA(seed=42).take(events),
                       "Rotating hyperplane (10 features)":
                           RotatingHyperplane(seed=42).take(events)}.items():
        log(f"KNNClassifier: {name}")
        rows.append(model_case(
            "KNN", f"KNNClassifier(window {window_size}), {name}", data,
            lambda: river_neighbors.KNNClassifier(n_neighbors=5, engine=engine()),
            lambda: KNNClassifier(n_neighbors=5, window_size=window_size), repeat,
            BARS["KNN"]))
    log("KNNRegressor: Friedman")
    rows.append(model_case(
        "KNN", f"KNNRegressor(window {window_size}), Friedman #1 (10 features)",
        Friedman(seed=42).take(events),
        lambda: river_neighbors.KNNRegressor(n_neighbors=5, engine=engine()),
        lambda: KNNRegressor(n_neighbors=5, window_size=window_size), repeat, BARS["KNN"]))
    return rows


# ---------------------------------------------------------------------------- detectors
@dataclass
class DetectorRow:
    """One detector: update throughput, and detection over seeded streams."""

    detector: str
    stream: str
    values: int
    river_ups: float
    streamlearn_ups: float           # update_many, one call over all the values
    streamlearn_one_ups: float       # update(x), one Python call per value
    seeds: int
    river_delay: float               # mean delay of the first detection after the change
    streamlearn_delay: float
    river_missed: int                # changes not detected within the stream
    streamlearn_missed: int
    river_false_alarms: int          # detections on the stationary streams
    streamlearn_false_alarms: int
    stationary_values: int
    bar: float = BARS["drift"]

    @property
    def ratio(self) -> float:
        return self.streamlearn_ups / self.river_ups


def _bernoulli(seed: int, n: int, change: int | None, rates=(0.2, 0.5)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rate = np.full(n, rates[0])
    if change is not None:
        rate[change:] = rates[1]
    return (rng.random(n) < rate).astype(np.float64)


def _normal(seed: int, n: int, change: int | None, shift: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mean = np.zeros(n)
    if change is not None:
        mean[change:] = shift
    return rng.normal(mean, 1.0)


def _river_detections(detector: Any, values: Iterable[float]) -> list[int]:
    found = []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            found.append(i)
    return found


def _delays(found: list[int], change: int) -> int | None:
    later = [d for d in found if d >= change]
    return later[0] - change if later else None


DETECTORS = [
    # name, River's, ours, the kind of stream, its change
    ("ADWIN", river_drift.ADWIN, drift.ADWIN, "normal", "mean 0 -> 1 (sd 1)"),
    ("ADWIN", river_drift.ADWIN, drift.ADWIN, "bernoulli", "error rate 0.2 -> 0.5"),
    ("DDM", river_drift.binary.DDM, drift.DDM, "bernoulli", "error rate 0.2 -> 0.5"),
    ("EDDM", river_drift.binary.EDDM, drift.EDDM, "bernoulli", "error rate 0.2 -> 0.5"),
    ("HDDM_A", river_drift.binary.HDDMA, drift.HDDM_A, "bernoulli", "error rate 0.2 -> 0.5"),
    ("PageHinkley", river_drift.PageHinkley, drift.PageHinkley, "normal",
     "mean 0 -> 1 (sd 1)"),
    ("KSWIN", lambda: river_drift.KSWIN(seed=42), drift.KSWIN, "normal",
     "mean 0 -> 2 (sd 1)"),
]


def drift_detectors(values: int, seeds: int, repeat: int,
                    log: Callable[[str], None] = print) -> list[DetectorRow]:
    """Each detector: update throughput on a stationary stream (River's ``update`` loop,
    reading ``drift_detected`` after each value, as a user does, against one
    ``update_many`` call and against a loop of ``update``), then, over ``seeds`` streams,
    the delay of the first detection after a change and the false alarms on stationary
    streams. KSWIN runs a statistical test on every value in River (SciPy), so it gets
    streams 20 times shorter."""
    rows = []
    for name, make_river, make_ours, kind, change in DETECTORS:
        log(f"drift: {name}")
        rows.append(detector_case(name, make_river, make_ours, kind, change, values, seeds,
                                  repeat, short=20 if name == "KSWIN" else 1,
                                  shift=2.0 if name == "KSWIN" else 1.0))
    return rows


def detector_case(name: str, make_river: Callable[[], Any], make_ours: Callable[[], Any],
                  kind: str, change: str, values: int, seeds: int, repeat: int,
                  short: int = 1, shift: float = 1.0) -> DetectorRow:
    def stream(seed: int, n: int, at: int | None) -> np.ndarray:
        if kind == "bernoulli":
            return _bernoulli(seed, n, at)
        return _normal(seed, n, at, shift)

    n = values // short
    timed = stream(0, n, None)
    as_list = timed.tolist()
    make_ours().update_many(timed[:100])  # compile, or load from numba's cache
    make_ours().update(0.0)

    def one_by_one() -> float:
        detector, found = make_ours(), 0
        for x in as_list:
            if detector.update(x).drift_detected:
                found += 1
        return found

    river_seconds, _ = best_of(repeat, lambda: len(_river_detections(make_river(), as_list)))
    our_seconds, _ = best_of(repeat, lambda: len(make_ours().update_many(timed)))
    one_seconds, _ = best_of(repeat, one_by_one)
    sides = {"river": lambda v: _river_detections(make_river(), v.tolist()),
             "ours": lambda v: list(make_ours().update_many(v))}
    length, at, stationary = 20_000 // short, 10_000 // short, 100_000 // short
    delays: dict[str, list[int]] = {"river": [], "ours": []}
    missed = {"river": 0, "ours": 0}
    alarms = {"river": 0, "ours": 0}
    for seed in range(seeds):
        changing, quiet = stream(100 + seed, length, at), stream(seed, stationary, None)
        for side, detect in sides.items():
            delay = _delays(detect(changing), at)
            if delay is None:
                missed[side] += 1
            else:
                delays[side].append(delay)
            alarms[side] += len(detect(quiet))
    return DetectorRow(
        name, change, n, n / river_seconds, n / our_seconds, n / one_seconds, seeds,
        float(np.mean(delays["river"])) if delays["river"] else float("nan"),
        float(np.mean(delays["ours"])) if delays["ours"] else float("nan"),
        missed["river"], missed["ours"], alarms["river"], alarms["ours"], stationary * seeds)


# ---------------------------------------------------------------------------- the report
def verdicts(models: list[ModelRow], detectors: list[DetectorRow]) -> list[dict[str, Any]]:
    found = []
    for r in models:
        if r.bar is not None:
            found.append({"what": f"{r.case}: throughput >= {r.bar:g}x River's",
                          "measured": f"{r.ratio:.1f}x", "met": r.ratio >= r.bar})
            found.append({"what": f"{r.case}: {r.metric} within {QUALITY_BAR_PP:g} pp of "
                                  "River's or better",
                          "measured": f"{0.0 - r.gap_pp:+.2f} pp",
                          "met": r.gap_pp <= QUALITY_BAR_PP})
    for d in detectors:
        found.append({"what": f"{d.detector} ({d.stream}): update throughput >= {d.bar:g}x "
                              "River's",
                      "measured": f"{d.ratio:.1f}x", "met": d.ratio >= d.bar})
        no_worse = (d.streamlearn_missed <= d.river_missed
                    and d.streamlearn_false_alarms <= d.river_false_alarms
                    and not d.streamlearn_delay > d.river_delay)
        found.append({"what": f"{d.detector} ({d.stream}): delay, misses and false alarms "
                              "no worse",
                      "measured": f"{d.streamlearn_delay:.0f} vs {d.river_delay:.0f}, "
                                  f"{d.streamlearn_missed} vs {d.river_missed}, "
                                  f"{d.streamlearn_false_alarms} vs {d.river_false_alarms}",
                      "met": no_worse})
    return found


def markdown(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    lines = [
        "# Models and drift detectors: streamlearn vs River",
        "",
        f"Measured {result['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"streamlearn {m['streamlearn']}, River {m['river']}, numba {m['numba']}, numpy "
        f"{m['numpy']}. Best of {s['repeat']} runs per timing, both libraries in the same "
        "process, one after the other.",
        "",
        "Written by `.venv/bin/python benchmarks/models.py` (see benchmarks/README.md).",
        "",
    ]
    if result["models"]:
        lines += [
            "Test-then-train (predict, score, learn each event); streamlearn in micro-batches "
            "of 1,000. Score: accuracy, or MAE for regression (lower is better); gap: how "
            "much worse streamlearn scores, in percentage points of accuracy or of River's "
            "MAE (negative: better).",
            "",
            "| case | events | River ev/s | streamlearn ev/s | ratio | metric | River | "
            "streamlearn | gap (pp) |",
            "|---|---:|---:|---:|---:|---|---:|---:|---:|",
        ]
        for r in result["models"]:
            lines.append(
                f"| {r['case']} | {r['events']:,} | {r['river_eps']:,.0f} | "
                f"{r['streamlearn_eps']:,.0f} | {r['ratio']:.1f}x | {r['metric']} | "
                f"{r['river_score']:.4f} | {r['streamlearn_score']:.4f} | {r['gap_pp']:+.2f} |")
        lines.append("")
    if result["detectors"]:
        lines += [
            "Drift detectors. Throughput: values per second on a stationary stream, River's "
            "`update` + `drift_detected` loop against one `update_many` call (batch) and a "
            "loop of `update` (per value). Detection, over "
            f"{s['seeds']} seeds: a change at value 10,000 of 20,000 (KSWIN: 500 of 1,000), "
            "mean delay of the first detection after it and changes missed; false alarms: "
            "detections on stationary streams (of the size shown).",
            "",
            "| detector | stream | values | River v/s | streamlearn batch v/s | ratio | "
            "streamlearn per value v/s | delay River / ours | missed River / ours | "
            "false alarms River / ours (values) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for d in result["detectors"]:
            lines.append(
                f"| {d['detector']} | {d['stream']} | {d['values']:,} | {d['river_ups']:,.0f} | "
                f"{d['streamlearn_ups']:,.0f} | {d['ratio']:.1f}x | "
                f"{d['streamlearn_one_ups']:,.0f} | {d['river_delay']:.1f} / "
                f"{d['streamlearn_delay']:.1f} | {d['river_missed']} / "
                f"{d['streamlearn_missed']} | {d['river_false_alarms']} / "
                f"{d['streamlearn_false_alarms']} ({d['stationary_values']:,}) |")
        lines.append("")
    lines += ["| bar | measured | met |", "|---|---:|:---:|"]
    for v in result["verdicts"]:
        lines.append(f"| {v['what']} | {v['measured']} | {'yes' if v['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


def run_all(families: Iterable[str], events: int, knn_events: int, drift_values: int,
            seeds: int, repeat: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    families = set(families)
    models: list[ModelRow] = []
    detectors: list[DetectorRow] = []
    if "bayes" in families:
        models += naive_bayes(events, repeat, log)
    if "knn" in families:
        models += knn(knn_events, repeat, log)
    if "drift" in families:
        detectors += drift_detectors(drift_values, seeds, repeat, log)
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"events": events, "knn_events": knn_events, "drift_values": drift_values,
                     "seeds": seeds, "repeat": repeat},
        "models": [{**asdict(r), "ratio": r.ratio, "gap_pp": r.gap_pp} for r in models],
        "detectors": [{**asdict(d), "ratio": d.ratio} for d in detectors],
        "verdicts": verdicts(models, detectors),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="bayes,knn,drift",
                        help="families to run, comma-separated (default: all)")
    parser.add_argument("--events", type=int, default=50_000,
                        help="events of each naive Bayes stream (default 50,000)")
    parser.add_argument("--knn-events", type=int, default=20_000,
                        help="events of each KNN stream (default 20,000)")
    parser.add_argument("--drift-values", type=int, default=1_000_000,
                        help="values timed per detector (default 1,000,000; KSWIN 1/20)")
    parser.add_argument("--seeds", type=int, default=10,
                        help="seeded streams for delays and false alarms (default 10)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per measurement; the best is kept (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="small streams, one run per timing (a smoke run)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.knn_events, args.drift_values = 5000, 3000, 100_000
        args.seeds, args.repeat = 2, 1
    result = run_all(args.only.split(","), args.events, args.knn_events, args.drift_values,
                     args.seeds, args.repeat,
                     log=lambda what: print(f"running: {what}", flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(result)
    (args.out / "models.md").write_text(text)
    print(text)
    return result


if __name__ == "__main__":
    main()
