"""Loaders of real datasets shipped inside installed packages; nothing is downloaded.

River's ``Elec2`` is not offered: River downloads it at first use, and streamlearn never
downloads data at run time.
"""

from __future__ import annotations

import numpy as np

from streamlearn.core.errors import require
from streamlearn.datasets._base import Dataset, Task


def load_breast_cancer() -> Dataset:
    """The Wisconsin diagnostic breast cancer data, from scikit-learn (extra ``data``).

    569 events, 30 numeric features (``'mean radius'``, ...). The label is scikit-learn's
    target kept as the int 0 or 1: **0 is malignant** (212 events) and **1 is benign** (357).

    References
    ----------
    W. N. Street, W. H. Wolberg and O. L. Mangasarian. Nuclear feature extraction for breast
    tumor diagnosis. IS&T/SPIE Electronic Imaging 1993, vol. 1905, pp. 861-870.

    Examples
    --------
    >>> from streamlearn.datasets import load_breast_cancer
    >>> data = load_breast_cancer()
    >>> data.X.shape, data.task, int(data.y.sum())
    ((569, 30), 'binary', 357)
    """
    sklearn_datasets = require("sklearn.datasets", "data")
    bunch = sklearn_datasets.load_breast_cancer()
    return Dataset(
        name="breast_cancer",
        X=bunch.data,
        y=np.asarray(bunch.target, dtype=np.int64),
        feature_names=tuple(bunch.feature_names),
        task="binary",
        description="Wisconsin diagnostic breast cancer; label 0 = malignant, 1 = benign.",
    )


def _from_river(class_name: str, name: str, task: Task, description: str) -> Dataset:
    """Read one of River's file datasets (bundled in its wheel) into arrays."""
    river_datasets = require("river.datasets", "river")
    events = list(getattr(river_datasets, class_name)())
    names: dict[str, None] = {}
    for x, _ in events:
        names.update(dict.fromkeys(x))
    # Sparse (libsvm) rows leave zeros out, hence the 0.0 default.
    X = np.array([[x.get(feature, 0.0) for feature in names] for x, _ in events], dtype=float)
    y = np.array([label for _, label in events])
    return Dataset(
        name=name, X=X, y=y, feature_names=tuple(names), task=task, description=description
    )


def load_phishing() -> Dataset:
    """Phishing websites, from River's bundled copy (extra ``river``).

    1,250 events, 9 features, label ``True`` for a phishing page (548 events).

    References
    ----------
    N. Abdelhamid, A. Ayesh and F. Thabtah. Phishing detection based associative classification
    data mining. Expert Systems with Applications 41(13), 2014, pp. 5948-5959 (UCI "Website
    Phishing").

    Examples
    --------
    >>> from streamlearn.datasets import load_phishing
    >>> data = load_phishing()
    >>> len(data), data.n_features, int(data.y.sum())
    (1250, 9, 548)
    """
    return _from_river(
        "Phishing", "phishing", "binary", "Phishing websites (UCI); label True for phishing."
    )


def load_bananas() -> Dataset:
    """The banana-shaped clusters data set, from River's bundled copy (extra ``river``).

    5,300 events with two features named ``'1'`` and ``'2'`` (the x and y axes, as in River);
    label ``True`` for the positive class (2,376 events).

    References
    ----------
    OpenML data set 1460, "banana" (ELENA project).

    Examples
    --------
    >>> from streamlearn.datasets import load_bananas
    >>> data = load_bananas()
    >>> data.X.shape, data.feature_names, int(data.y.sum())
    ((5300, 2), ('1', '2'), 2376)
    """
    return _from_river(
        "Bananas", "bananas", "binary", "Banana-shaped clusters (OpenML 1460)."
    )


def load_image_segments() -> Dataset:
    """Statlog image segmentation, from River's bundled copy (extra ``river``).

    2,310 events, 18 numeric features, 7 classes given as strings (``'brickface'``, ``'sky'``,
    ``'foliage'``, ``'cement'``, ``'window'``, ``'path'``, ``'grass'``), 330 events each.

    References
    ----------
    UCI Machine Learning Repository, "Statlog (Image Segmentation)", Vision Group,
    University of Massachusetts, 1990.

    Examples
    --------
    >>> from streamlearn.datasets import load_image_segments
    >>> data = load_image_segments()
    >>> data.X.shape, data.task, sorted(set(data.y.tolist()))[:3]
    ((2310, 18), 'multiclass', ['brickface', 'cement', 'foliage'])
    """
    return _from_river(
        "ImageSegments", "image_segments", "multiclass",
        "Statlog image segmentation (UCI), 7 classes.",
    )


def load_shuttle() -> Dataset:
    """Statlog shuttle as an anomaly-detection set (ODDS), from River's copy (extra ``river``).

    49,097 events, 9 integer sensor readings (as floats), label the int 1 for an anomaly
    (3,511 events, about 7%) and 0 otherwise.

    References
    ----------
    UCI Machine Learning Repository, "Statlog (Shuttle)"; S. Rayana, ODDS Library, Stony Brook
    University, 2016.

    Examples
    --------
    >>> from streamlearn.datasets import load_shuttle
    >>> data = load_shuttle()
    >>> data.X.shape, int(data.y.sum())
    ((49097, 9), 3511)
    """
    return _from_river(
        "Shuttle", "shuttle", "binary", "Statlog shuttle (ODDS); label 1 for an anomaly."
    )
