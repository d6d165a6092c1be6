"""The benchmark runs end to end on a small stream; no timing is asserted (DESIGN.md §4)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def modules():
    pytest.importorskip("river", reason="the benchmark compares with River (extra 'river')")
    pytest.importorskip("pandas", reason="the CSV case reads with pandas (extra 'data')")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("run"), importlib.import_module("bench_report")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def result(modules):
    run, _ = modules
    return run.run_all(n_events=2_000, repeat=1, phishing_passes=1, startup=False,
                       log=lambda what: None)


def test_table_has_one_row_per_case(result):
    assert [row["case"] for row in result["rows"]] == [
        "Rotating hyperplane, in memory (batch 1000)",
        "SEA, in memory (batch 1000)",
        "Rotating hyperplane, in memory (batch 1)",
        "Phishing, in memory (batch 1000)",
        "Rotating hyperplane, from CSV (batch 1000)",
        "SEA, from CSV (batch 1000)",
    ]
    assert [row["events"] for row in result["rows"]] == [2000, 2000, 2000, 1250, 2000, 2000]


def test_both_libraries_agree_on_accuracy(result):
    for row in result["rows"]:
        assert 0.6 < row["river_accuracy"] <= 1.0
        assert abs(row["difference_pp"]) <= 2.0, row


def test_predictions_do_not_depend_on_batch_size(result):
    assert result["invariance"] == {"events": 2000, "batch_sizes": [1, 7, 1000],
                                    "identical": True}


def test_markdown_lists_every_case_and_bar(modules, result, tmp_path):
    _, report = modules
    md_path, json_path = report.write(result, tmp_path)
    text = md_path.read_text()
    for row in result["rows"]:
        assert f"| {row['case']} |" in text
    assert "throughput >= 50x River's" in text and "throughput >= 10x River's" in text
    assert json_path.exists()
