"""Online model selection picks the candidate that fits the stream."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn import metrics
from streamlearn.core.batch import as_batch
from streamlearn.core.errors import ParameterError
from streamlearn.datasets import SEA, Friedman
from streamlearn.evaluate import prequential
from streamlearn.registry import parse_pipeline
from streamlearn.selection import (
    BanditClassifier,
    SuccessiveHalvingClassifier,
    SuccessiveHalvingRegressor,
)

GOOD = "StandardScaler | LogisticRegression"
SLOW = "StandardScaler | LogisticRegression(learning_rate=0.00001)"   # barely learns


@pytest.fixture(scope="module")
def sea():
    data = SEA(seed=7).take(20_000)
    return data.X, data.y


def _accuracy(model, data, batch_size=1000):
    return prequential(data, model, [metrics.Accuracy()],
                       batch_size=batch_size).metrics["Accuracy"]


def test_successive_halving_keeps_the_best_and_matches_it(sea):
    candidates = [SLOW, "StandardScaler | PAClassifier", GOOD, "StandardScaler | LinearSVM"]
    alone = [_accuracy(parse_pipeline(spec), sea) for spec in candidates]
    assert alone == pytest.approx([0.6474, 0.75045, 0.88615, 0.88185])
    race = SuccessiveHalvingClassifier(candidates, budget=4000)
    accuracy = _accuracy(race, sea)
    assert race.winner == 2                       # the best one alone
    assert accuracy >= alone[2] - 0.001           # and as good as it, race included
    assert accuracy == pytest.approx(0.886)


def test_rounds_halve_the_field_at_the_budgets_events(sea):
    X, y = sea
    race = SuccessiveHalvingClassifier(
        [SLOW, "StandardScaler | PAClassifier", GOOD, "StandardScaler | LinearSVM"],
        budget=4000)
    # 4 candidates, eta 2: 2 rounds; round 1 takes 4000 / (4 * 2) = 500 events, round 2
    # 4000 / (2 * 2) = 1000 events
    race.learn_many(X[:499], y[:499])
    assert race.alive_.sum() == 4
    race.learn_many(X[499:500], y[499:500])
    assert race.alive_.tolist() == [False, False, True, True]
    race.learn_many(X[500:1499], y[500:1499])
    assert race.winner is None
    race.learn_many(X[1499:1500], y[1499:1500])
    assert race.winner == 2 and race.round_ == 2


def test_after_the_race_only_the_winner_learns(sea):
    X, y = sea
    race = SuccessiveHalvingClassifier([SLOW, GOOD], budget=1000)   # one round of 500
    race.learn_many(X[:500], y[:500])
    assert race.winner == 1
    loser = race.candidates[0].snapshot()
    race.learn_many(X[500:700], y[500:700])
    from streamlearn.core.base import states_equal

    assert states_equal(loser, race.candidates[0].snapshot())
    assert race.predict_many(X[400:410]).tolist() == \
        race.candidates[1].predict_many(X[400:410]).tolist()


def test_the_bandit_gives_the_events_to_the_candidate_that_pays(sea):
    X, y = sea
    data = (X[:5000], y[:5000])
    for policy in ("ucb", "epsilon_greedy"):
        bandit = BanditClassifier([SLOW, GOOD], policy=policy, seed=1)
        accuracy = _accuracy(bandit, data, batch_size=500)
        assert bandit.pulls_.sum() == 5000
        assert bandit.pulls_[1] > 0.85 * 5000, (policy, bandit.pulls_)
        assert bandit.best == 1
        assert accuracy > 0.85, policy


def test_the_bandit_is_reproducible_and_batch_size_free(sea):
    X, y = sea[0][:400], sea[1][:400]
    answers = []
    for batch_size in (1, 37, 400):
        bandit = BanditClassifier([SLOW, GOOD], policy="epsilon_greedy", epsilon=0.2,
                                  seed=5)
        out = []
        for start in range(0, 400, batch_size):   # test then train, batch by batch
            part = as_batch(X[start:start + batch_size], y[start:start + batch_size])
            out.append(bandit.process_many(part, part, np.ones(len(part), dtype=bool)))
        answers.append((np.concatenate(out), bandit.pulls_.tolist()))
    assert answers[0][1] == [360, 40]   # the slow one led early and got the events
    assert all(np.array_equal(a[0], answers[0][0]) and a[1] == answers[0][1]
               for a in answers)


def test_successive_halving_for_regression_picks_the_lower_error():
    data = Friedman(seed=1).take(10_000)
    race = SuccessiveHalvingRegressor(
        ["StandardScaler | LinearRegression(learning_rate=0.00001)",
         "StandardScaler | LinearRegression"], budget=2000)
    report = prequential((data.X, data.y), race, [metrics.MAE()], batch_size=1000)
    assert race.winner == 1
    assert report.metrics["MAE"] == pytest.approx(2.1955, abs=1e-3)


def test_a_job_file_names_a_selector_with_candidate_specs(sea):
    model = parse_pipeline([{"SuccessiveHalvingClassifier": {
        "models": [SLOW, GOOD], "budget": 500}}])
    model.learn_many(*[part[:600] for part in sea])
    assert model.winner == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"models": [GOOD]}, "list of at least two models"),
    ({"models": [GOOD, SLOW], "metric": "mae"}, "'metric' parameter"),
    ({"models": [GOOD, "StandardScaler | LinearRegression"]}, "not one"),
    ({"models": [GOOD, SLOW], "budget": 0}, "'budget' parameter"),
])
def test_bad_parameters_say_what_is_wrong(kwargs, message, sea):
    race = SuccessiveHalvingClassifier(**kwargs)
    with pytest.raises(ParameterError, match=message):
        race.learn_many(sea[0][:10], sea[1][:10])
