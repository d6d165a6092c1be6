"""A job SIGKILLed at random moments and restarted ends exactly like an uninterrupted one."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from streamlearn.core import states_equal
from streamlearn.core.serialize import loads
from streamlearn.datasets import RotatingHyperplane
from streamlearn.evaluate.scoring import Scorer
from streamlearn.metrics import get_metric
from streamlearn.runtime import Job
from streamlearn.store import Store

EVENTS = 200_000


def _job_yaml(tmp_path, name, csv):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""
name: {name}
source: {{type: csv, path: {csv}}}
schema: {{target: y}}
pipeline:
  - StandardScaler
  - LogisticRegression: {{learning_rate: 0.05}}
metrics: [Accuracy, ROCAUC, LogLoss]
batch: {{max_events: 777, max_delay_ms: 0}}
store: sqlite:///{tmp_path}/{name}.db
checkpoint: {{every_events: 15000, every_seconds: 0.2}}
""")
    return path


@pytest.fixture(scope="module")
def stream_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "hyperplane.csv"
    RotatingHyperplane(seed=7).take(EVENTS).to_csv(path)
    return path


def test_sigkill_at_random_moments_then_restart_gives_the_uninterrupted_result(
        tmp_path, stream_csv):
    reference = Job.from_yaml(_job_yaml(tmp_path, "reference", stream_csv))
    reference_summary = reference.run()
    assert reference_summary.finished and reference_summary.counters["events_in"] == EVENTS

    crash_yaml = _job_yaml(tmp_path, "crashy", stream_csv)
    rng = random.Random(1)
    kills = starts = 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    while True:
        starts += 1
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlearn", "run", str(crash_yaml), "--no-progress"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        if kills < 4:
            time.sleep(rng.uniform(1.0, 2.5))   # the interpreter needs ~1 s to start
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.communicate()
                kills += 1
                continue
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode()
        if b"finished" in output:
            break
        assert starts < 20, "the job never finished"
    assert kills >= 2, f"only {kills} runs were killed before finishing; lengthen the job"

    store = Store(f"sqlite:///{tmp_path}/crashy.db")
    state = loads(store.load_checkpoint("crashy"))
    expected = reference.runner
    assert states_equal(state["pipeline"], expected.model.snapshot())
    scorer = Scorer([get_metric(m) for m in ("accuracy", "rocauc", "logloss")], 1000, 1000)
    scorer.restore(state["scorer"])
    assert scorer.values() == expected.scorer.values()           # bit for bit
    assert scorer.rolling_values() == expected.scorer.rolling_values()
    assert state["scorer"]["history"] == expected.scorer.history
    assert state["counters"]["events_in"] == EVENTS
    ids = store.prediction_ids("crashy")
    assert len(ids) == EVENTS and ids == {str(i) for i in range(EVENTS)}
    store.close()
