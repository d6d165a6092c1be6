"""Champion and challenger side by side through the API; promotion swaps them, and a saved
version of either rolls back."""

import httpx
import numpy as np
import yaml

from streamlearn.serve import ModelService

TOKEN = "secret-duel"


def _events(n):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    return [{"id": f"d{i}", "x0": float(a), "x1": float(b), "y": int(a - 0.5 * b > 0)}
            for i, (a, b) in enumerate(X)]


def test_challenger_metrics_sit_beside_the_champions_and_promote_swaps(tmp_path,
                                                                      serve_service):
    spec = {"name": "duel", "source": {"type": "http", "port": 0},
            "schema": {"id": "id", "target": "y", "numeric": ["x0", "x1"]},
            "pipeline": ["StandardScaler", "LogisticRegression"],
            "challenger": ["StandardScaler", "PAClassifier"],
            "metrics": ["Accuracy"], "history_every": 50,
            "store": f"sqlite:///{tmp_path / 'duel.db'}"}
    service = ModelService.from_yaml(yaml.safe_dump(spec), token=TOKEN)
    with serve_service(service) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as http:
        assert http.post("/v1/learn", json={"events": _events(400)}).status_code == 200
        status = http.get("/v1/metrics").json()
        assert status["challenger"]["pipeline"] == "StandardScaler() | PAClassifier()"
        champion_before = status["metrics"]["Accuracy"]
        challenger_before = status["challenger"]["metrics"]["Accuracy"]
        assert len(status["challenger"]["history"]["events"]) == 8   # every 50 labels
        assert http.post("/v1/models/duel/versions", json={"note": "logistic"}).json() == {
            "version": 1}
        promoted = http.post("/v1/models/duel/promote").json()
        assert promoted == {"champion": "StandardScaler() | PAClassifier()"}
        status = http.get("/v1/metrics").json()
        assert status["metrics"]["Accuracy"] == challenger_before
        assert status["challenger"]["metrics"]["Accuracy"] == champion_before
        assert http.post("/v1/models/duel/versions", json={"note": "pa"}).json() == {
            "version": 2}
        rolled = http.post("/v1/models/duel/rollback", json={"version": 1}).json()
        assert rolled == {"live_version": 1}
        prediction = http.post("/v1/predict", json={"events": [{"x0": 1.0, "x1": 0.0}]})
        assert prediction.json()["predictions"][0]["model_version"] == 1


def test_promote_without_a_challenger_is_a_conflict(live_server):
    url, token = live_server
    response = httpx.post(f"{url}/v1/models/demo/promote",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409
    assert "no challenger" in response.json()["detail"]
