"""The status of a served model in Prometheus' text exposition format."""

from __future__ import annotations

import re
from typing import Any


def _metric_name(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", text).strip("_").lower()


def prometheus_text(status: dict[str, Any]) -> str:
    """Counters as counters, rates and metric values as gauges, labelled by model."""
    model = status.get("name", "")
    lines = []

    def emit(name: str, kind: str, value: Any, help_text: str, labels: str = "") -> None:
        if value is None:
            return
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.append(f'{name}{{model="{model}"{labels}}} {float(value)}')

    for counter, value in status.get("counters", {}).items():
        if counter in ("started_at", "last_event_time"):
            continue
        emit(f"streamlearn_{_metric_name(counter)}_total", "counter", value,
             f"{counter.replace('_', ' ')} since the run started")
    emit("streamlearn_events_per_second", "gauge", status.get("events_per_second"),
         "events read per second since the start")
    emit("streamlearn_lag_seconds", "gauge", status.get("lag_seconds"),
         "now minus the latest event time")
    emit("streamlearn_pending_predictions", "gauge", status.get("pending"),
         "predictions waiting for their label")
    for name, value in {**status.get("metrics", {}), **status.get("rolling", {})}.items():
        emit(f"streamlearn_metric_{_metric_name(name)}", "gauge", value, f"{name} of the model")
    return "\n".join(lines) + "\n"
