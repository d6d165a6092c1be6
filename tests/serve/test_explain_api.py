"""POST /v1/explain: per-feature contributions from the served copy of the model."""

from __future__ import annotations

import math

import httpx
import numpy as np
import yaml

from streamlearn.serve import ModelService

TOKEN = "why-token"


def _events(n: int, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (2.0 * X[:, 0] - X[:, 1] > 0).astype(int)
    return [{"id": f"e{i}", "x0": float(a), "x1": float(b), "y": int(label)}
            for i, ((a, b), label) in enumerate(zip(X, y))]


def test_explain_contributions_sum_to_the_logit_and_match_predict(live_server):
    url, token = live_server
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=10) as http:
        assert http.post("/v1/learn", json={"events": _events(400)}).status_code == 200
        probe = [{"id": "p1", "x0": 1.5, "x1": -0.5}, {"id": "p2", "x0": -2.0, "x1": 1.0}]
        answer = http.post("/v1/explain", json={"events": probe})
        assert answer.status_code == 200, answer.text
        explanations = answer.json()["explanations"]
        predicted = http.post("/v1/predict", json={"events": probe}).json()["predictions"]
    assert [e["id"] for e in explanations] == ["p1", "p2"]
    for explanation, prediction in zip(explanations, predicted):
        contributions = {c["feature"]: c["contribution"] for c in explanation["contributions"]}
        assert set(contributions) == {"x0", "x1"}
        total = sum(contributions.values()) + explanation["intercept"]
        assert math.isclose(total, explanation["score"], rel_tol=0, abs_tol=1e-12)
        assert math.isclose(1 / (1 + math.exp(-explanation["score"])), explanation["proba"],
                            abs_tol=1e-12)
        assert math.isclose(explanation["proba"], prediction["proba"]["1"], abs_tol=1e-12)
        assert explanation["prediction"] == prediction["prediction"]
        magnitudes = [abs(c["contribution"]) for c in explanation["contributions"]]
        assert magnitudes == sorted(magnitudes, reverse=True)
    # the label is 2 x0 - x1 > 0: x0 pushes p1 towards 1 and p2 towards 0
    first = {c["feature"]: c["contribution"] for c in explanations[0]["contributions"]}
    second = {c["feature"]: c["contribution"] for c in explanations[1]["contributions"]}
    assert first["x0"] > 0 > second["x0"]
    assert explanations[0]["proba"] > 0.8 and explanations[1]["proba"] < 0.2


def test_explain_is_documented_and_refuses_a_model_that_cannot_explain(tmp_path,
                                                                       serve_service):
    config = {"name": "tree", "source": {"type": "http", "port": 0},
              "schema": {"id": "id", "target": "y", "numeric": ["x0", "x1"]},
              "pipeline": ["HoeffdingTreeClassifier"], "metrics": ["Accuracy"],
              "store": f"sqlite:///{tmp_path / 'tree.db'}"}
    service = ModelService.from_yaml(yaml.safe_dump(config), token=TOKEN)
    with serve_service(service) as url:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        answer = httpx.post(f"{url}/v1/explain", headers=headers,
                            json={"events": [{"x0": 1.0, "x1": 2.0}]})
        assert answer.status_code == 422
        assert "HoeffdingTreeClassifier cannot explain" in answer.json()["detail"]
        assert httpx.post(f"{url}/v1/explain", json={"events": [{"x0": 1.0}]}
                          ).status_code == 401
        schema = httpx.get(f"{url}/openapi.json").json()
    operation = schema["paths"]["/v1/explain"]["post"]
    assert "422" in operation["responses"]
    assert "ExplainResponse" in schema["components"]["schemas"]
