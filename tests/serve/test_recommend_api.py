"""GET /v1/recommend against a real server: the served copy's lists, cold start, errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
import yaml

from streamlearn.core.batch import Batch
from streamlearn.recommend import HybridRecommender
from streamlearn.serve import ModelService

MODEL = {"feedback_every": 2, "seed": 3}


def ratings(n: int = 400, seed: int = 0) -> list[dict]:
    """Ratings of 30 users on 40 items: users like the items of their own third."""
    rng = np.random.default_rng(seed)
    users, items = rng.integers(0, 30, n), rng.integers(0, 40, n)
    stars = np.where(users % 3 == items % 3, 5.0, 2.0)
    return [{"id": f"r{k}", "user": int(u), "item": int(i), "rating": float(r)}
            for k, (u, i, r) in enumerate(zip(users, items, stars))]


@pytest.fixture
def recommender_url(tmp_path: Path, serve_service):
    job = yaml.safe_dump({
        "name": "reco", "source": {"type": "http", "port": 0},
        "schema": {"id": "id", "target": "rating", "numeric": ["user", "item"]},
        "pipeline": [{"HybridRecommender": MODEL}], "metrics": ["RMSE"],
        "store": f"sqlite:///{tmp_path / 'store.db'}"})
    service = ModelService.from_yaml(job, learner="thread")
    with serve_service(service) as url:
        yield url


def offline_model(events: list[dict]) -> HybridRecommender:
    model = HybridRecommender(**MODEL)
    batch = Batch(X=np.array([[e["user"], e["item"]] for e in events], dtype=float),
                  columns=("user", "item"))
    model.learn_many(batch, np.array([e["rating"] for e in events]))
    return model


def test_recommend_before_learning_is_an_empty_cold_start(recommender_url):
    answer = httpx.get(f"{recommender_url}/v1/recommend", params={"user": "7"})
    assert answer.status_code == 200
    assert answer.json()["items"] == [] and answer.json()["cold_start"] is True


def test_recommend_answers_what_the_model_learnt(recommender_url):
    events = ratings()
    assert httpx.post(f"{recommender_url}/v1/learn",
                      json={"events": events}).json()["learnt"] == len(events)
    expected = offline_model(events)

    answer = httpx.get(f"{recommender_url}/v1/recommend", params={"user": "7", "k": 5})
    assert answer.status_code == 200
    body = answer.json()
    items, source, cold = expected.recommend_explained(7, k=5)
    assert body["items"] == items and len(items) == 5 and cold is False
    assert (body["source"], body["cold_start"], body["k"], body["user"]) == (source, False,
                                                                            5, "7")
    seen = {e["item"] for e in events if e["user"] == 7}
    assert seen and not seen & set(body["items"])            # exclude_seen by default

    everything = httpx.get(f"{recommender_url}/v1/recommend",
                           params={"user": "7", "k": 40, "exclude_seen": "false"}).json()
    assert seen <= set(everything["items"])
    assert everything["items"] == expected.recommend(7, k=40, exclude_seen=False)

    stranger = httpx.get(f"{recommender_url}/v1/recommend",
                         params={"user": "someone-new", "k": 3}).json()
    assert stranger["cold_start"] is True
    assert stranger["items"] == expected.recommend("someone-new", k=3)
    assert len(stranger["items"]) == 3


@pytest.mark.parametrize("params", [{"user": "7", "k": 0}, {"user": "7", "k": -1},
                                    {"user": "7", "k": "ten"}, {"user": "7", "k": 5000},
                                    {"k": 3}])
def test_a_bad_request_is_a_422_naming_the_parameter(recommender_url, params):
    answer = httpx.get(f"{recommender_url}/v1/recommend", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == ("k" if "k" in params and "user" in params
                                                     else "user")


def test_a_model_that_does_not_recommend_is_a_404(live_server):
    url, _ = live_server
    answer = httpx.get(f"{url}/v1/recommend", params={"user": "1"})
    assert answer.status_code == 404
    assert "does not recommend" in answer.json()["detail"]


def test_the_endpoint_is_documented(recommender_url):
    schema = httpx.get(f"{recommender_url}/openapi.json").json()
    operation = schema["paths"]["/v1/recommend"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"user", "k", "exclude_seen"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Recommendation"}
    assert "cold_start" in schema["components"]["schemas"]["Recommendation"]["properties"]
