"""Model artifacts in the safe format of DESIGN.md §6: never pickle.

An artifact is :func:`streamlearn.core.serialize.dumps` of a header (format version, the
pipeline as a spec of estimator class names and literal parameters) and the pipeline's
snapshot. Loading rebuilds the pipeline from the spec, which only names classes the registry
of estimators knows (the allow-list), and restores the snapshot into it.
"""

from __future__ import annotations

from typing import Any

from streamlearn.core.base import Estimator
from streamlearn.core.serialize import dumps, loads
from streamlearn.registry import parse_pipeline

ARTIFACT_FORMAT = 1


def pack(spec: Any, model: Estimator) -> bytes:
    return dumps({"format": ARTIFACT_FORMAT, "spec": spec, "snapshot": model.snapshot()})


def unpack(artifact: bytes) -> tuple[Any, Estimator]:
    """(spec, model) from an artifact; raises ValueError on an unknown format."""
    content = loads(artifact)
    if not isinstance(content, dict) or content.get("format") != ARTIFACT_FORMAT:
        raise ValueError("not a streamlearn model artifact (or a newer format)")
    model = parse_pipeline(content["spec"])
    model.restore(content["snapshot"])
    return content["spec"], model
