"""The job file: what a streaming job reads, learns, scores, writes and where it keeps state."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from streamlearn.store import DEFAULT_URL


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BatchConfig(_Strict):
    max_events: int = Field(1000, ge=1, description="a micro-batch closes at this many events")
    max_delay_ms: int = Field(50, ge=0, description="... or after waiting this long")


class CheckpointConfig(_Strict):
    every_events: int = Field(50_000, ge=1)
    every_seconds: float = Field(10.0, gt=0)
    path: str | None = Field(None, description="a file instead of the store's table")


class PendingConfig(_Strict):
    """Predictions waiting for their label: past ``max_in_memory`` the oldest are spilled to
    the store (and read back when their label comes); past ``max_events`` in all the oldest
    expire (counted as ``expired``) and their late labels are counted as unmatched."""

    max_events: int = Field(1_000_000, ge=1)
    max_in_memory: int = Field(100_000, ge=1)


class SchemaConfig(_Strict):
    id: str | None = None
    time: str | None = None
    key: str | None = None
    target: str | None = None
    numeric: list[str] | None = None
    categorical: list[str] | None = None
    optional: list[str] = Field(default_factory=list)


class DriftConfig(_Strict):
    """A detector over the live model's errors (see ``streamlearn.runtime.drift_watch``)."""

    detector: str = "ADWIN"
    params: dict[str, Any] = Field(default_factory=dict)
    action: Literal["report", "reset"] = "report"


class AveragingConfig(_Strict):
    """How often a worker averages its global models with the others' (see
    ``streamlearn.runtime.ray_averaging``): after this many events learnt, or this long."""

    every_events: int = Field(10_000, ge=1)
    every_seconds: float = Field(5.0, gt=0)


class ExecutorConfig(_Strict):
    """Where the job runs: this process (``local``) or a Ray cluster (``ray``, one actor per
    group of partitions; see ``streamlearn.runtime.ray_executor``)."""

    type: Literal["local", "ray"] = "local"
    address: str | None = Field(None, description="a Ray cluster ('auto', 'host:port'); "
                                                  "None starts one in this process")
    workers: int = Field(1, ge=1)
    max_restarts: int = Field(3, ge=-1, description="Ray restarts of a dead worker (-1: always)")
    cpus_per_worker: float = Field(1.0, ge=0)
    averaging: AveragingConfig = Field(default_factory=AveragingConfig)
    status_every_seconds: float = Field(2.0, gt=0, description="each worker writes its "
                                        "throughput and lag to the store this often")
    publish_every_seconds: float | None = Field(
        60.0, gt=0, description="publish the merged model to the registry this often while "
                                "the job runs (None: only at the end)")
    publish_every_rounds: int | None = Field(
        None, ge=1, description="... or after this many averaging rounds of worker 0")


class JobConfig(_Strict):
    """A whole job, as written in YAML (see the README for an example)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    source: dict[str, Any]
    labels: dict[str, Any] | None = None
    schema_: SchemaConfig = Field(default_factory=SchemaConfig, alias="schema")
    pipeline: list[Any] | str
    # transformers every arriving event goes through before the model (labelled or not)
    features: list[Any] | str | None = None
    challenger: list[Any] | str | None = None      # a shadow pipeline scored beside it
    metrics: list[str] = Field(default_factory=lambda: ["Accuracy"])
    batch: BatchConfig = Field(default_factory=BatchConfig)
    sink: dict[str, Any] | None = None
    dead_letters: dict[str, Any] | None = None   # a sink for broken events (the store has them)
    store: str = DEFAULT_URL
    checkpoint: CheckpointConfig = Field(default_factory=CheckpointConfig)
    pending: PendingConfig = Field(default_factory=PendingConfig)
    drift: DriftConfig | None = None
    rolling_window: int = Field(1000, ge=1)
    history_every: int = Field(1000, ge=1, description="record the metrics every N labels")
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("source", "labels", "sink", "dead_letters")
    @classmethod
    def _has_type(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and "type" not in value:
            raise ValueError("needs a 'type' (csv, jsonl, parquet, redis, kafka, mqtt, nats, "
                             "http, sql, memory)")
        return value

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> JobConfig:
        text = (Path(path_or_text).read_text() if _looks_like_path(path_or_text)
                else str(path_or_text))
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ValueError("a job file is a YAML mapping with name, source, pipeline, ...")
        return cls.model_validate(data)

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


def _looks_like_path(value: str | Path) -> bool:
    if isinstance(value, Path):
        return True
    return "\n" not in value and value.endswith((".yaml", ".yml"))
