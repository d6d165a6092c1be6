"""Labels with a time wait for the events stream to reach it; the features stage sees every
event as it arrives."""

import orjson

from streamlearn.runtime import Job


def write(path, rows):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


def test_labels_are_joined_only_when_the_stream_reaches_their_time(tmp_path):
    events = [{"id": i, "t": float(i), "k": "a", "x": float(i % 3)} for i in range(100)]
    # each label becomes known 10 time units after its event; the file is read at once
    labels = [{"id": i, "label": i % 2, "at": float(i + 10)} for i in range(100)]
    write(tmp_path / "events.jsonl", events)
    write(tmp_path / "labels.jsonl", labels)
    job = Job.from_dict({
        "name": "gated", "source": {"type": "jsonl", "path": str(tmp_path / "events.jsonl")},
        "labels": {"type": "jsonl", "path": str(tmp_path / "labels.jsonl"), "time_field": "at"},
        "schema": {"id": "id", "time": "t", "key": "k", "numeric": ["x"]},
        "features": [{"WindowedAggregates": {"on": "x", "how": ["count"], "windows": [5.0]}}],
        "pipeline": ["LogisticRegression"], "batch": {"max_events": 20},
        "store": f"sqlite:///{tmp_path / 'store.db'}"})
    runner = job.build()
    runner.source.open()
    runner.labels.open()
    decoded = runner.source.read(20)
    runner.process_events(decoded)               # events 0..19, stream time 19
    runner.process_labels()
    assert runner.counters.labels_in == 10        # labels known by time 19: events 0..9
    assert runner.counters.unmatched_labels == 0
    assert len(runner.held_labels) == 10          # read ahead, waiting for their time
    # pending rows keep the features computed on arrival: the key's events of the 5 time
    # units before each one
    first = runner.pending.chunks[0][0]
    assert first.X[:, first.columns.index("x_count_5s")].tolist()[:7] == [0, 1, 2, 3, 4, 4, 4]
    runner.process_events(runner.source.read(20))
    runner.process_labels()
    assert runner.counters.labels_in == 30
    summary = job.run(resume=True)                 # to the end: the rest are released
    assert summary.counters["labels_in"] == 100
    assert summary.counters["unmatched_labels"] == 0 and summary.pending == 0
