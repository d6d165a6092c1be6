"""The Python client and the `streamlearn models` commands against a real server's registry."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

from streamlearn.cli import app
from streamlearn.client import Client, ClientError, Predictions
from streamlearn.core.errors import StreamlearnError
from streamlearn.serve import ModelService

PROBES = [{"x0": 0.3, "x1": -0.2}, {"x0": -1.5, "x1": 0.7}]
cli = CliRunner()


def labelled_events(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [{"x0": float(a), "x1": float(b), "y": int(a + b > 0)} for a, b in X]


def probabilities(client: Client) -> list[dict[str, float]]:
    return [p["proba"] for p in client.predict(PROBES)]


@pytest.fixture
def client(live_server):
    url, token = live_server
    with Client(url, token=token) as client:
        yield client


def test_the_client_returns_typed_results(client):
    answer = client.predict({"id": "one", "x0": 1.0, "x1": 2.0})
    assert isinstance(answer, Predictions) and answer.rejected == []
    assert answer[0]["id"] == "one" and answer[0]["proba"] == {"False": 0.5, "True": 0.5}
    assert client.feedback("one", True) == {"matched": 1, "unmatched": 0, "rejected": []}

    mixed = client.predict([{"id": "two", "x0": 0.0, "x1": 1.0}, {"id": "bad", "x0": "?"}])
    assert [p["id"] for p in mixed] == ["two"] and mixed.rejected[0]["index"] == 1
    assert client.feedback_many([("two", False), {"id": "nobody", "label": True}]) == {
        "matched": 1, "unmatched": 1, "rejected": []}
    assert client.learn(labelled_events(10, seed=0)) == {"learnt": 10, "rejected": []}

    status = client.metrics()
    assert status["counters"]["learnt"] == 12 and status["counters"]["labels_in"] == 3
    assert 0.0 <= status["metrics"]["Accuracy"] <= 1.0
    assert client.models() == [{"name": "demo", "live_version": None, "versions": 0}]
    assert client.save_version("demo", note="first") == 1
    assert client.versions("demo")[0]["metadata"]["note"] == "first"
    assert client.version("demo", 1)["metadata"]["learnt"] == 12
    assert client.rollback("demo", 1) == 1
    assert client.ready() is True


def test_client_errors_carry_the_status_and_the_detail(live_server, client):
    with pytest.raises(ClientError) as missing:
        client.versions("nope")
    assert missing.value.status_code == 404 and "no model named 'nope'" in missing.value.detail
    with pytest.raises(ClientError) as no_version:
        client.rollback("demo", 5)
    assert no_version.value.status_code == 404 and "version" in str(no_version.value)
    with pytest.raises(ClientError) as invalid:
        client.predict([])
    assert invalid.value.status_code == 422 and "body.events" in str(invalid.value)
    assert isinstance(invalid.value, StreamlearnError)

    url, _ = live_server
    with Client(url) as anonymous:
        assert anonymous.metrics()["counters"]["events_in"] == 0      # reads are open
        with pytest.raises(ClientError) as unauthorised:
            anonymous.predict(PROBES)
    assert unauthorised.value.status_code == 401
    assert "Authorization: Bearer" in unauthorised.value.detail
    with Client("http://127.0.0.1:9", timeout=1) as unreachable, pytest.raises(
            ClientError, match="cannot reach") as down:
        unreachable.metrics()
    assert down.value.status_code is None


def test_models_commands_on_the_servers_registry(client, store_url, tmp_path, serve_service):
    client.learn(labelled_events(300, seed=1))
    client.save_version("demo", note="early")
    early = probabilities(client)
    client.learn(labelled_events(300, seed=2))
    client.save_version("demo", note="late")
    assert probabilities(client) != early

    listed = cli.invoke(app, ["models", "list", "--store", store_url])
    assert listed.exit_code == 0, listed.output
    assert "demo" in listed.output and " 2 " in listed.output
    shown = cli.invoke(app, ["models", "show", "demo", "--store", store_url])
    assert shown.exit_code == 0, shown.output
    assert "early" in shown.output and "late" in shown.output and "300" in shown.output

    # rollback records version 3, a copy of version 1: `serve --model` serves the latest
    rolled = cli.invoke(app, ["models", "rollback", "demo", "1", "--store", store_url])
    assert rolled.exit_code == 0, rolled.output
    assert "version 3 is a copy of version 1" in rolled.output
    assert client.version("demo", 3)["metadata"]["rolled_back_from"] == 1
    service = ModelService.from_registry("demo", store_url, token="t")
    assert service.live_version == 3
    with serve_service(service) as url, Client(url, token="t") as served:
        assert probabilities(served) == early

    artifact = tmp_path / "demo-v1.model"
    exported = cli.invoke(app, ["models", "export", "demo", str(artifact), "--version", "1",
                                "--store", store_url])
    assert exported.exit_code == 0, exported.output
    imported = cli.invoke(app, ["models", "import", "copy", str(artifact), "--store", store_url,
                                "--schema", '{"id": "id", "target": "y", '
                                            '"numeric": ["x0", "x1"]}'])
    assert imported.exit_code == 0, imported.output
    copy = ModelService.from_registry("copy", store_url)
    with serve_service(copy) as url, Client(url) as served:
        assert probabilities(served) == early

    bare = cli.invoke(app, ["models", "import", "bare", str(artifact), "--store", store_url])
    assert bare.exit_code == 0, bare.output
    with pytest.raises(StreamlearnError, match="records no schema"):
        ModelService.from_registry("bare", store_url)

    listed = cli.invoke(app, ["models", "list", "--store", store_url])
    assert all(name in listed.output for name in ("demo", "copy", "bare"))


class _Exploit:
    """Unpickling it creates ``path``."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_import_refuses_what_is_not_an_artifact_and_never_unpickles(store_url, tmp_path):
    hostile = tmp_path / "model.pkl"
    trap = tmp_path / "was-unpickled"
    hostile.write_bytes(pickle.dumps(_Exploit(str(trap))))
    result = cli.invoke(app, ["models", "import", "evil", str(hostile), "--store", store_url])
    assert result.exit_code == 2
    assert "not a streamlearn model artifact" in result.output
    assert not trap.exists()
    missing = cli.invoke(app, ["models", "show", "evil", "--store", store_url])
    assert missing.exit_code == 2 and "no model named 'evil'" in missing.output
    absent = cli.invoke(app, ["models", "export", "evil", str(tmp_path / "x"),
                              "--store", store_url])
    assert absent.exit_code == 2 and "no model named 'evil'" in absent.output
