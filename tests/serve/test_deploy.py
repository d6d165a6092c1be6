"""The deployment files: they parse, and they agree with the server they deploy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from streamlearn.cli import app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def manifests() -> dict[str, dict]:
    found = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            found[document["kind"]] = document
    return found


def test_the_manifests_parse_into_the_expected_objects():
    found = manifests()
    assert {"Deployment", "Service", "Secret", "ConfigMap"} <= set(found)
    assert all(doc["apiVersion"] and doc["metadata"]["name"] for doc in found.values())


def test_the_probes_and_the_service_reach_the_servers_port():
    found = manifests()
    [container] = found["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 8000}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": 8000}
    assert [p["containerPort"] for p in container["ports"]] == [8000]
    assert container["args"][:3] == ["streamlearn", "serve", "/config/job.yaml"]
    [port] = found["Service"]["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (80, 8000)
    labels = found["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert found["Service"]["spec"]["selector"].items() <= labels.items()


def test_the_token_comes_from_the_secret_and_the_job_from_the_configmap():
    found = manifests()
    pod = found["Deployment"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    [token] = [e for e in container["env"] if e["name"] == "STREAMLEARN_TOKEN"]
    reference = token["valueFrom"]["secretKeyRef"]
    assert reference["name"] == found["Secret"]["metadata"]["name"]
    assert reference["key"] in found["Secret"]["stringData"]

    volumes = {v["name"]: v for v in pod["volumes"]}
    [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == "/config"]
    assert volumes[mount["name"]]["configMap"]["name"] == found["ConfigMap"]["metadata"]["name"]
    job = yaml.safe_load(found["ConfigMap"]["data"]["job.yaml"])
    from streamlearn.runtime.config import JobConfig

    assert JobConfig.model_validate(job).name == "fraud"   # a job file the server accepts


def test_the_image_serves_the_mounted_job_with_the_serve_extra():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r'pip install "\.\[serve\]"', dockerfile)
    [cmd] = re.findall(r"^CMD (.+)$", dockerfile, flags=re.MULTILINE)
    assert json.loads(cmd) == ["streamlearn", "serve", "/config/job.yaml", "--host", "0.0.0.0"]
    assert "torch" not in dockerfile
    # the token comes from the environment at run time, never baked into the image
    assert not re.search(r"^(ENV|ARG)\b.*STREAMLEARN_TOKEN", dockerfile, flags=re.MULTILINE)


def test_serve_has_help_naming_its_options():
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for option in ("--host", "--port", "--token", "--no-stream", "--model", "--store"):
        assert option in result.output
    result = CliRunner().invoke(app, ["models", "rollback", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0 and "serve --model" in result.output
