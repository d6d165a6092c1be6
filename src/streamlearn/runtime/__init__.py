"""The streaming runtime: jobs, the runner, delayed-label joins, checkpoints."""

from streamlearn.runtime.config import JobConfig
from streamlearn.runtime.job import Job, RunSummary
from streamlearn.runtime.runner import Counters, Runner

__all__ = ["Counters", "Job", "JobConfig", "RunSummary", "Runner"]
