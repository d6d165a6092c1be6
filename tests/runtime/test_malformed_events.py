"""A stream with 1% malformed events runs to the end; each one is a dead letter."""

import orjson

from streamlearn.datasets import SEA
from streamlearn.runtime import Job
from streamlearn.store import Store


def test_one_percent_malformed_events_become_dead_letters(tmp_path):
    data = SEA(seed=2).take(20_000)
    malformed = {}
    kinds = ["bad json", "wrong type", "missing field", "huge payload", "not an object"]
    lines = []
    for i, (x, y) in enumerate(data):
        event = {"id": f"e{i}", **x, "y": y}
        if i % 100 == 37:                      # 1% of the stream, five kinds of damage
            kind = kinds[(i // 100) % len(kinds)]
            malformed[f"e{i}"] = kind
            if kind == "bad json":
                lines.append(b'{"id": "e%d", "x0": 1.0,' % i)
                continue
            if kind == "wrong type":
                event["x1"] = "eleven"
            elif kind == "missing field":
                del event["x2"]
            elif kind == "huge payload":
                event["padding"] = "z" * 2_000_000
            else:
                lines.append(orjson.dumps([event]))
                continue
        lines.append(orjson.dumps(event))
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    job = Job.from_yaml(f"""
name: malformed
source: {{type: jsonl, path: {path}}}
schema: {{id: id, target: y, numeric: [x0, x1, x2]}}
pipeline: [StandardScaler, LogisticRegression]
metrics: [Accuracy]
store: sqlite:///{tmp_path}/s.db
dead_letters: {{type: jsonl, path: {tmp_path}/dead.jsonl}}
""")
    summary = job.run()
    assert summary.finished
    assert summary.counters["dead_lettered"] == len(malformed) == 200
    assert summary.counters["predicted"] == 20_000 - 200
    store = Store(f"sqlite:///{tmp_path}/s.db")
    rows = store.dead_letter_rows("malformed")
    assert len(rows) == 200
    reasons = " ".join(r["reason"] for r in rows)
    for expected in ("not valid JSON", "holds 'eleven', which is not a number",
                     "column 'x2' is missing", "over the limit", "not a JSON object"):
        assert expected in reasons
    assert store.prediction_count("malformed") == 19_800
    sunk = [orjson.loads(line) for line in (tmp_path / "dead.jsonl").read_bytes().splitlines()]
    assert len(sunk) == 200 and {d["reason"] for d in sunk} == {r["reason"] for r in rows}
    assert 0.8 < summary.metrics["Accuracy"] < 0.95
    store.close()
