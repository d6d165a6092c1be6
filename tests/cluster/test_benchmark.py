"""benchmarks/cluster.py runs end to end on short streams; no timing is asserted
(DESIGN.md §4), only that both sides answer and that streamlearn's quality holds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def result():
    pytest.importorskip("river", reason="the benchmark compares with River (extra 'river')")
    pytest.importorskip("sklearn", reason="the benchmark scores with scikit-learn's ARI")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        # loaded by path: "cluster" would name this test package
        spec = importlib.util.spec_from_file_location("cluster_benchmark",
                                                      BENCHMARKS / "cluster.py")
        cluster = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = cluster  # its dataclasses look their module up
        spec.loader.exec_module(cluster)
        found = cluster.run_all(events=5000, repeat=1, log=lambda what: None)
        found["markdown"] = cluster.markdown(found)
        return found
    finally:
        sys.path.remove(str(BENCHMARKS))
        sys.modules.pop("cluster_benchmark", None)


def test_one_row_per_case(result):
    assert [(r["case"].split("(")[0], r["stream"]) for r in result["rows"]] == [
        ("StreamingKMeans", "4 blobs, 2 features"), ("StreamingKMeans", "4 blobs, 2 features"),
        ("MiniBatchKMeans", "4 blobs, 2 features"),
        ("CluStream vs CluStream ", "4 blobs, 2 features"),
        ("StreamingKMeans", "8 blobs, 10 features"), ("StreamingKMeans", "8 blobs, 10 features"),
        ("MiniBatchKMeans", "8 blobs, 10 features"),
        ("CluStream vs CluStream ", "8 blobs, 10 features"),
    ]
    assert "| bar | measured | met |" in result["markdown"]


def test_streamlearn_finds_the_blobs(result):
    for row in result["rows"]:
        assert row["streamlearn_eps"] > 0 and row["river_eps"] > 0
        if row["case"].startswith("CluStream"):  # 1,000 events, the first 100 answered -1
            assert row["streamlearn_ari"] > 0.8, row
        elif "halflife=0.5" not in row["case"]:  # a step of 0.5 jitters in 10 dimensions
            assert row["streamlearn_ari"] > 0.9, row
