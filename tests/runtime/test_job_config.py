from pathlib import Path

import pytest
from pydantic import ValidationError

from streamlearn.runtime import JobConfig

EXAMPLE = Path(__file__).parents[2] / "examples" / "jobs" / "fraud-redis.yaml"


def test_the_documented_example_job_file_is_valid():
    config = JobConfig.from_yaml(EXAMPLE)
    assert config.name == "fraud-demo"
    assert config.schema_.categorical == ["merchant", "country"]
    assert config.batch.max_events == 1000 and config.checkpoint.every_events == 50_000
    assert config.sink == {"type": "redis", "stream": "predictions"}


def test_mistakes_in_a_job_file_are_named():
    with pytest.raises(ValidationError, match="needs a 'type'"):
        JobConfig.from_yaml("name: x\nsource: {path: a.csv}\npipeline: [StandardScaler]\n")
    with pytest.raises(ValidationError, match="max_evnts"):
        JobConfig.from_yaml("name: x\nsource: {type: csv, path: a.csv}\n"
                            "pipeline: [StandardScaler]\nbatch: {max_evnts: 5}\n")
