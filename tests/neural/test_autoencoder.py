"""Autoencoder: anomaly scores that rank injected anomalies first."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the neural models need torch (extra 'deep')")

from streamlearn import evaluate  # noqa: E402
from streamlearn.core.base import states_equal  # noqa: E402
from streamlearn.core.serialize import dumps, loads  # noqa: E402
from streamlearn.neural import Autoencoder  # noqa: E402
from streamlearn.preprocessing import StandardScaler  # noqa: E402


def correlated_stream(n: int = 10_000, d: int = 8, rate: float = 0.02, seed: int = 0):
    """Normal events lie near a 3-dimensional subspace (three hidden factors, say a card's
    usual amounts, places and hours); an anomaly has the same spread per feature but none
    of the structure."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) @ rng.normal(size=(3, d)) + 0.1 * rng.normal(size=(n, d))
    anomaly = rng.random(n) < rate
    anomaly[:500] = False
    X[anomaly] = rng.normal(size=(int(anomaly.sum()), d)) * X.std(axis=0)
    return X, anomaly


def test_scores_rank_injected_anomalies_first():
    from sklearn.metrics import roc_auc_score

    X, anomaly = correlated_stream()
    model = StandardScaler() | Autoencoder(hidden=(16, 4), learning_rate=0.01, device="cpu")
    report = evaluate.prequential((X, anomaly), model, [], batch_size=256,
                                  keep_predictions=True)
    scores = np.asarray(report.predictions)
    assert scores.shape == (10_000,) and (scores >= 0).all()
    # each score is given before the event is learnt; after a warm-up of 1,000 events:
    assert roc_auc_score(anomaly[1000:], scores[1000:]) > 0.93


def test_score_one_and_score_many_agree_and_learn_nothing():
    X, _ = correlated_stream(n=2000)
    model = Autoencoder(hidden=(8, 3), device="cpu").learn_many(X)
    before = model.snapshot()
    rows = [{f"x{j}": float(v) for j, v in enumerate(row)} for row in X[:20]]
    many = model.score_many(X[:20])
    assert [model.score_one(x) for x in rows] == pytest.approx(many.tolist(), abs=1e-12)
    assert model.predict_many(X[:20]).tolist() == many.tolist()
    assert states_equal(before, model.snapshot())


def test_learning_lowers_the_reconstruction_error():
    X, _ = correlated_stream(n=4000, rate=0.0)
    model = Autoencoder(hidden=(16, 4), learning_rate=0.01, device="cpu")
    model.learn_one({f"x{j}": float(v) for j, v in enumerate(X[0])})
    early = model.score_many(X[3000:]).mean()
    model.learn_many(X[:3000])
    assert model.score_many(X[3000:]).mean() < 0.3 * early


def test_a_new_feature_grows_both_ends_and_snapshots_round_trip():
    X, _ = correlated_stream(n=600)
    model = Autoencoder(hidden=(6, 2), replay="recent", replay_size=64, device="cpu")
    model.learn_many(X[:300, :7])
    model.learn_many(X[300:])
    network = model.snapshot()["state"]["network_"]
    assert network["weights.0"].shape == (6, 8) and network["weights.3"].shape == (8, 6)
    assert model.replay_inputs_.shape == (64, 8)
    restored = Autoencoder(hidden=(6, 2), replay="recent", replay_size=64,
                           device="cpu").restore(loads(dumps(model.snapshot())))
    np.testing.assert_array_equal(restored.score_many(X[:50]), model.score_many(X[:50]))
    model.learn_many(X[:100])
    restored.learn_many(X[:100])
    assert states_equal(model.snapshot(), restored.snapshot())


def test_unfitted_autoencoder_scores_zero():
    assert Autoencoder().score_one({"a": 3.0}) == 0.0
