"""Predictions waiting for late labels: spilled to the store past the memory bound, read
back when their labels come, expired past the total bound; all of it across restarts."""

import numpy as np

from streamlearn.connectors import ArraySource
from streamlearn.core import states_equal
from streamlearn.datasets import SEA
from streamlearn.evaluate.scoring import Scorer
from streamlearn.metrics import Accuracy
from streamlearn.registry import parse_pipeline
from streamlearn.runtime import Runner
from streamlearn.store import Store
from streamlearn.testing import DelayedLabels


def _runner(tmp_path, name, data, max_in_memory, max_pending=10**6):
    events = ArraySource(data.X, None, columns=data.feature_names)
    labels = DelayedLabels(events, np.arange(len(data)), data.y, delay=3000)
    return Runner(name, parse_pipeline("StandardScaler | LogisticRegression"),
                  Scorer([Accuracy()], 500, 500), events,
                  Store(f"sqlite:///{tmp_path}/{name}.db"), labels=labels, max_events=250,
                  max_delay_ms=0, checkpoint_events=2000, checkpoint_seconds=1e9,
                  max_pending=max_pending, max_pending_in_memory=max_in_memory)


def test_spilling_to_the_store_changes_nothing_but_memory(tmp_path):
    data = SEA(seed=8).take(12_000)
    in_memory = _runner(tmp_path, "memory", data, max_in_memory=10**6)
    in_memory.run()
    spilling = _runner(tmp_path, "spill", data, max_in_memory=500)
    spilling.run()
    assert spilling.pending.spilled > 10          # thousands waited, 500 stayed in memory
    assert spilling.counters.learnt == in_memory.counters.learnt == 12_000
    assert spilling.scorer.values() == in_memory.scorer.values()
    assert states_equal(spilling.model.snapshot(), in_memory.model.snapshot())
    with spilling.store.engine.connect() as connection:   # read-back chunks were cleaned up
        from sqlalchemy import text

        left = connection.execute(text("SELECT count(*) FROM pending_spill")).scalar()
    assert left == 0


def test_spilled_predictions_survive_a_restart(tmp_path):
    data = SEA(seed=8).take(9_000)
    reference = _runner(tmp_path, "whole", data, max_in_memory=400)
    reference.run()
    first = _runner(tmp_path, "restarted", data, max_in_memory=400)
    first.run(max_batches=20)                      # stops with ~2,000 waiting, most spilled
    assert first.pending.spilled > 0 and len(first.pending) > 1000
    second = _runner(tmp_path, "restarted", data, max_in_memory=400)
    assert second.restore()
    second.run()
    assert second.counters.learnt == 9_000 and len(second.pending) == 0
    assert second.scorer.values() == reference.scorer.values()
    assert states_equal(second.model.snapshot(), reference.model.snapshot())


def test_past_the_total_bound_the_oldest_expire_and_are_counted(tmp_path):
    data = SEA(seed=8).take(6_000)
    runner = _runner(tmp_path, "expiring", data, max_in_memory=300, max_pending=1000)
    runner.run()
    assert runner.pending.expired > 0
    assert runner.counters.unmatched_labels == runner.pending.expired
    assert runner.counters.learnt + runner.pending.expired == 6_000
