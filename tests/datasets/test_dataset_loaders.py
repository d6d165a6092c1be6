"""Loaders of bundled real datasets: known sizes and labels, clear errors without the extra."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from streamlearn.core.errors import MissingExtraError
from streamlearn.datasets import (
    load_bananas,
    load_breast_cancer,
    load_image_segments,
    load_phishing,
    load_shuttle,
)


def test_breast_cancer_keeps_scikit_learn_targets():
    pytest.importorskip("sklearn", reason="scikit-learn is the 'data' extra")
    data = load_breast_cancer()
    assert data.X.shape == (569, 30)
    assert data.task == "binary"
    assert data.y.dtype == np.int64 and np.bincount(data.y).tolist() == [212, 357]
    assert data.feature_names[0] == "mean radius"


def test_phishing_has_1250_events_and_9_features():
    pytest.importorskip("river", reason="River is an optional extra")
    data = load_phishing()
    assert data.X.shape == (1_250, 9)
    assert data.y.dtype == bool and int(data.y.sum()) == 548
    x, y = next(iter(data))
    assert list(x) == list(data.feature_names) and type(y) is bool


def test_phishing_events_equal_rivers():
    datasets = pytest.importorskip("river.datasets", reason="River is an optional extra")
    ours = list(load_phishing())
    theirs = [({k: float(v) for k, v in x.items()}, y) for x, y in datasets.Phishing()]
    assert ours == theirs


@pytest.mark.parametrize(
    ("loader", "shape", "task", "counts"),
    [
        (load_bananas, (5_300, 2), "binary", {False: 2_924, True: 2_376}),
        (load_image_segments, (2_310, 18), "multiclass",
         {c: 330 for c in ("brickface", "cement", "foliage", "grass", "path", "sky", "window")}),
        (load_shuttle, (49_097, 9), "binary", {0: 45_586, 1: 3_511}),
    ],
)
def test_river_file_datasets_have_their_known_sizes(loader, shape, task, counts):
    pytest.importorskip("river", reason="River is an optional extra")
    data = loader()
    assert data.X.shape == shape and data.task == task
    labels, frequencies = np.unique(data.y, return_counts=True)
    assert dict(zip(labels.tolist(), frequencies.tolist())) == counts


def test_a_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "river.datasets", None)
    with pytest.raises(MissingExtraError, match=r"streamlearn\[river\]"):
        load_phishing()
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(MissingExtraError, match=r"streamlearn\[data\]"):
        load_breast_cancer()
