"""LinUCB and linear Thompson sampling: regret on a simulated stream, the exact ridge
solution, arms and features that appear mid-stream, batch-size invariance, snapshots and
parameter checks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError, ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from streamlearn.core.serialize import dumps, loads
from streamlearn.recommend import LinUCB, ThompsonSampling

ROUNDS = 5000
ARMS = [f"arm{a}" for a in range(5)]


def linear_world(seed=0, rounds=ROUNDS, n_features=5, noise=0.3):
    """Contexts ~ N(0, I); the expected reward of arm a is x·θ_a + bias_a (so the best arm
    depends on the context); the observed reward adds N(0, noise²)."""
    rng = np.random.default_rng(seed)
    thetas = rng.normal(size=(len(ARMS), n_features))
    biases = rng.normal(scale=0.5, size=len(ARMS))
    contexts = rng.normal(size=(rounds, n_features))
    means = contexts @ thetas.T + biases
    return contexts, means, noise * rng.normal(size=rounds)


def regrets(policy, seed=0):
    """Per-round regret of ``policy`` (None: uniformly random arms) on the linear world."""
    contexts, means, noises = linear_world(seed)
    pick = np.random.default_rng(seed + 1)
    out = np.zeros(ROUNDS)
    for t in range(ROUNDS):
        x = {f"f{j}": float(v) for j, v in enumerate(contexts[t])}
        if policy is None:
            a = int(pick.integers(len(ARMS)))
        else:
            a = ARMS.index(policy.select(x, arms=ARMS))
            policy.learn_one({**x, "arm": ARMS[a]}, means[t, a] + noises[t])
        out[t] = means[t].max() - means[t, a]
    return out


@pytest.fixture(scope="module")
def random_regret():
    return regrets(None).sum()   # measured: 11015.3


def test_linucb_regret_is_far_below_random(random_regret):
    regret = regrets(LinUCB(alpha=1.0))
    # measured: 35.5 over 5,000 rounds (random: 11015.3), most of it in the first 500
    assert regret.sum() < 60.0
    assert regret.sum() < 0.01 * random_regret
    assert regret[2500:].sum() < 0.2 * regret[:500].sum()


def test_thompson_regret_is_far_below_random(random_regret):
    regret = regrets(ThompsonSampling(v=0.3, seed=0))
    # measured: 55.2 over 5,000 rounds (random: 11015.3)
    assert regret.sum() < 90.0
    assert regret.sum() < 0.01 * random_regret
    assert regret[2500:].sum() < 0.3 * regret[:500].sum()


def stream(n=400, seed=3):
    return LinUCB._check_stream(n, seed)


@pytest.mark.parametrize("model", [LinUCB(alpha=0.5, ridge=2.0),
                                   ThompsonSampling(v=0.5, ridge=0.5, seed=1)],
                         ids=["LinUCB", "Thompson"])
def test_state_is_the_exact_ridge_solution(model):
    data = stream()
    model.learn_many(data, data.y)
    features = ["x0", "x1", "x2", "x3"]
    assert model.feature_names_ == features
    finite = np.where(np.isfinite(data.X), data.X, 0.0)
    Z = np.hstack([np.ones((len(data), 1)), finite[:, [data.columns.index(f) for f in features]]])
    for slot, arm in enumerate(model.arms_):
        rows = data.categorical["arm"] == arm
        A = model.ridge * np.eye(5) + Z[rows].T @ Z[rows]
        assert model.counts_[slot] == rows.sum()
        np.testing.assert_allclose(model.inverses_[slot], np.linalg.inv(A), atol=1e-10)
        np.testing.assert_allclose(model.weights_[slot],
                                   np.linalg.solve(A, Z[rows].T @ data.y[rows]), atol=1e-9)
    assert model.arms_ == ["a1", "a0", "a2", "a3", "a4", "a5"]   # order of first appearance


@pytest.mark.parametrize("cls", [LinUCB, ThompsonSampling])
def test_batch_sizes_give_identical_answers_and_state(cls):
    data = stream(n=500)
    results = []
    for size in (1, 7, 64, 500):
        model = cls()
        parts = [data.take(slice(s, s + size)) for s in range(0, len(data), size)]
        out = np.concatenate([model.process_many(p, p, all_rows(len(p))) for p in parts])
        results.append((out, model.snapshot()))
    for out, state in results[:-1]:
        assert np.array_equal(out, results[-1][0])
        assert states_equal(state, results[-1][1])


def test_a_late_feature_grows_identity_blocks_exactly():
    """Learning a feature that appears at event 100 gives the state of a model that saw it
    with value 0 from the start."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    arms = np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, size=300)]
    y = X @ [1.0, -1.0, 0.5] + 0.1 * rng.normal(size=300)
    late, zeros = X.copy(), X.copy()
    late[:100, 2] = np.nan
    zeros[:100, 2] = 0.0
    models = []
    for values in (late, zeros):
        model = LinUCB()
        model.learn_many(Batch(X=values, columns=("x0", "x1", "z"),
                               categorical={"arm": arms}), y)
        models.append(model)
    assert models[0].feature_names_ == models[1].feature_names_ == ["x0", "x1", "z"]
    assert states_equal(models[0].snapshot(), models[1].snapshot())


def test_answers_are_the_expected_reward_of_the_events_arm():
    model = LinUCB(fit_intercept=False)
    assert model.predict_one({"x": 1.0, "arm": "a"}) == 0.0   # nothing learnt
    model.learn_one({"x": 2.0, "arm": "a"}, 4.0)
    # A = 1 + 4 = 5, b = 8, θ = 1.6
    assert model.weights_[0, 0] == pytest.approx(1.6)
    assert model.predict_one({"x": 1.0, "arm": "a"}) == pytest.approx(1.6)
    assert model.predict_one({"x": 1.0, "arm": "unknown"}) == 0.0
    assert model.predict_one({"x": 1.0}) == 0.0                # no arm
    model.learn_one({"x": 1.0}, 9.0)                           # no arm: not learnt
    assert model.counts_.tolist() == [1]


def test_ucb_scores_and_ranking_by_hand():
    model = LinUCB(alpha=2.0)
    data = stream()
    model.learn_many(data, data.y)
    x = {"x0": 0.5, "x1": -1.0, "x2": 0.2, "x3": 1.5, "new": 2.0}
    z = np.array([1.0, 0.5, -1.0, 0.2, 1.5])
    candidates = [*model.arms_, "never"]
    scores = [model.weights_[s] @ z + 2.0 * np.sqrt(z @ model.inverses_[s] @ z + 4.0)
              for s in range(len(model.arms_))]
    scores.append(2.0 * np.sqrt(z @ z + 4.0))   # the prior: θ = 0, A⁻¹ = I
    order = [candidates[j] for j in np.argsort(scores)[::-1]]
    assert model.rank(x, k=10, arms=candidates) == order
    assert model.rank(x, k=2, arms=candidates) == order[:2]
    assert model.select(x, arms=candidates) == order[0]
    assert model.select(x) == next(a for a in order if a != "never")


def test_thompson_draws_are_seeded_and_exploration_shrinks():
    data = stream()
    x = {"x0": 0.3, "x1": 1.0, "x2": -0.5, "x3": 0.1}
    picks = []
    for seed in (4, 4, 5):
        model = ThompsonSampling(v=1.0, seed=seed)
        model.learn_many(data, data.y)
        picks.append([model.select(x) for _ in range(50)])
    assert picks[0] == picks[1]
    assert picks[0] != picks[2]
    greedy = ThompsonSampling(v=0.0).learn_many(data, data.y)
    means = {arm: greedy.predict_one({**x, "arm": arm}) for arm in greedy.arms_}
    assert greedy.select(x) == max(means, key=means.get)


@pytest.mark.parametrize("model", [LinUCB(alpha=0.7), ThompsonSampling(v=0.4, seed=2)],
                         ids=["LinUCB", "Thompson"])
def test_snapshot_restore_continues_identically(model):
    data = stream(n=600)
    first, rest = data.take(slice(0, 300)), data.take(slice(300, 600))
    model.learn_many(first, first.y)
    x = {"x0": 1.0, "x1": -0.3, "x2": 0.8, "x3": -1.2}
    model.select(x)
    restored = model.clone().restore(loads(dumps(model.snapshot())))
    for m in (model, restored):
        m.learn_many(rest, rest.y)
    assert [model.select(x) for _ in range(20)] == [restored.select(x) for _ in range(20)]
    assert np.array_equal(model.predict_many(rest), restored.predict_many(rest))
    assert states_equal(model.snapshot(), restored.snapshot())


def test_integer_arms_in_a_numeric_column_are_not_a_feature():
    frame = pd.DataFrame({"x": [1.0, 2.0, 1.0, 3.0], "arm": [7, 8, 7, 7]})
    model = LinUCB().learn_many(frame, [1.0, 0.0, 1.5, 2.0])
    assert model.arms_ == [7, 8]
    assert model.feature_names_ == ["x"]
    assert model.select({"x": 1.0}, arms=[7, 8]) in (7, 8)
    assert model.predict_many(frame)[1] == model.predict_one({"x": 2.0, "arm": 8})


@pytest.mark.parametrize("cls, params, message", [
    (LinUCB, {"alpha": -1.0}, "The 'alpha' parameter of LinUCB must be >= 0.0. Got -1.0"),
    (LinUCB, {"ridge": 0.0}, "The 'ridge' parameter of LinUCB must be > 0.0. Got 0.0"),
    (LinUCB, {"fit_intercept": 1}, "The 'fit_intercept' parameter of LinUCB must be a bool"),
    (LinUCB, {"arm": ""}, "The 'arm' parameter of LinUCB must be a non-empty str"),
    (ThompsonSampling, {"v": -0.5}, "The 'v' parameter of ThompsonSampling must be >= 0.0"),
    (ThompsonSampling, {"seed": 1.5}, "The 'seed' parameter of ThompsonSampling must be an int"),
    (ThompsonSampling, {"seed": -1}, "The 'seed' parameter of ThompsonSampling must be >= 0"),
])
def test_bad_parameters_are_rejected(cls, params, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        cls(**params).learn_one({"x": 1.0, "arm": "a"}, 1.0)
    with pytest.raises(ParameterError, match=re.escape(message)):
        cls(**params).select({"x": 1.0}, arms=["a"])


def test_policy_calls_before_learning():
    model = LinUCB()
    with pytest.raises(NotFittedError, match=re.escape("arms=[...]")):
        model.select({"x": 1.0})
    assert model.select({"x": 1.0}, arms=["a", "b"]) == "a"   # equal prior bounds: the first
    with pytest.raises(ParameterError, match="'arms' parameter"):
        model.select({"x": 1.0}, arms=[])
    k_message = "The 'k' parameter of LinUCB.rank must be >= 1. Got 0 instead."
    with pytest.raises(ParameterError, match=re.escape(k_message)):
        model.rank({"x": 1.0}, k=0, arms=["a"])
    assert not model.is_fitted


def test_a_context_value_that_is_not_a_number_is_rejected():
    with pytest.raises(SchemaError, match="feature 'x' of the context holds"):
        LinUCB().select({"x": [1.0]}, arms=["a"])
