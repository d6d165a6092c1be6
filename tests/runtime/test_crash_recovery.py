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


def _job_yaml(tmp_path, name, csv, checkpoint_file=None):
    path = tmp_path / f"{name}.yaml"
    where = f", path: {checkpoint_file}" if checkpoint_file else ""
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
checkpoint: {{every_events: 15000, every_seconds: 0.2{where}}}
""")
    return path


def _wait_until_written(database, predictions, process) -> bool:
    """Wait until the running job has written ``predictions`` rows; False if it ended."""
    import sqlite3

    while process.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(database, timeout=1) as connection:
                    written = connection.execute(
                        "SELECT max(rowid) FROM predictions").fetchone()[0] or 0
            except sqlite3.OperationalError:  # the table does not exist yet
                written = 0
            if written >= predictions:
                return True
        time.sleep(0.01)
    return False


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

    # the crashed job keeps its checkpoint in a file (write, fsync, rename), the reference
    # in the store: both ways give the same result
    checkpoint_file = tmp_path / "crashy.checkpoint"
    crash_yaml = _job_yaml(tmp_path, "crashy", stream_csv, checkpoint_file)
    # kill -9 once the run has written this many predictions: random points in the stream
    kill_points = sorted(random.Random(1).sample(range(10_000, EVENTS - 20_000), 4))
    database = tmp_path / "crashy.db"
    kills = 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for _attempt in range(20):
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlearn", "run", str(crash_yaml), "--no-progress"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        if kills < len(kill_points) and _wait_until_written(database, kill_points[kills],
                                                            process):
            process.send_signal(signal.SIGKILL)
            process.communicate()
            kills += 1
            continue
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode()
        if b"finished" in output:
            break
    else:
        pytest.fail("the job never finished")
    assert kills >= 3, f"only {kills} runs were killed mid-stream"

    store = Store(f"sqlite:///{tmp_path}/crashy.db")
    state = loads(checkpoint_file.read_bytes())
    assert store.load_checkpoint("crashy") is None
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


def test_ctrl_c_stops_between_batches_with_a_checkpoint(tmp_path, stream_csv):
    job_yaml = _job_yaml(tmp_path, "interrupted", stream_csv)
    database = tmp_path / "interrupted.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlearn", "run", str(job_yaml), "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert _wait_until_written(database, 30_000, process)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output.decode()
    assert b"stopped (checkpoint saved)" in output
    store = Store(f"sqlite:///{database}")
    state = loads(store.load_checkpoint("interrupted"))
    # the checkpoint is at the end of a micro-batch, and every event before it was predicted
    read = state["positions"]["events"]
    assert 30_000 <= read < EVENTS
    assert store.prediction_count("interrupted") >= read
    assert store.run_status("interrupted") == "stopped"
    store.close()
