"""A challenger pipeline learns in the shadow of the champion, scored on the same events;
promoting swaps them; both survive checkpoints."""

from streamlearn import evaluate, metrics
from streamlearn.datasets import SEA
from streamlearn.linear import LogisticRegression, PAClassifier
from streamlearn.preprocessing import StandardScaler
from streamlearn.runtime import Job


def _job(tmp_path, csv):
    return Job.from_yaml(f"""
name: duel
source: {{type: csv, path: {csv}}}
schema: {{target: y}}
pipeline: [StandardScaler, LogisticRegression]
challenger: [StandardScaler, PAClassifier]
metrics: [Accuracy]
store: sqlite:///{tmp_path}/s.db
""")


def test_challenger_scores_like_its_own_prequential_run_and_promotion_swaps(tmp_path):
    data = SEA(seed=3).take(5000)
    csv = tmp_path / "sea.csv"
    data.to_csv(csv)
    job = _job(tmp_path, csv)
    job.run()
    runner = job.runner
    champion = evaluate.prequential((data.X, data.y), StandardScaler() | LogisticRegression(),
                                    [metrics.Accuracy()])
    challenger = evaluate.prequential((data.X, data.y), StandardScaler() | PAClassifier(),
                                      [metrics.Accuracy()])
    assert runner.scorer.values() == champion.metrics
    assert runner.challenger[1].values() == challenger.metrics
    runner.promote()
    assert runner.scorer.values() == challenger.metrics
    assert type(runner.model.steps[-1]).__name__ == "PAClassifier"


def test_the_challenger_resumes_from_the_checkpoint(tmp_path):
    data = SEA(seed=3).take(5000)
    csv = tmp_path / "sea.csv"
    data.to_csv(csv)
    first = _job(tmp_path, csv)
    first.run(max_batches=2)
    second = _job(tmp_path, csv)
    summary = second.run()
    assert summary.resumed
    reference = evaluate.prequential((data.X, data.y), StandardScaler() | PAClassifier(),
                                     [metrics.Accuracy()])
    assert second.runner.challenger[1].values() == reference.metrics


def test_a_promoted_challenger_is_rebuilt_from_the_checkpoint_after_a_restart(tmp_path):
    data = SEA(seed=3).take(5000)
    csv = tmp_path / "sea.csv"
    data.to_csv(csv)
    first = _job(tmp_path, csv)
    first.run(max_batches=2)
    first.runner.promote()
    first.runner.checkpoint()
    second = _job(tmp_path, csv)
    summary = second.run()
    assert summary.resumed
    assert type(second.runner.model.steps[-1]).__name__ == "PAClassifier"
    assert type(second.runner.challenger[0].steps[-1]).__name__ == "LogisticRegression"
    reference = evaluate.prequential((data.X, data.y), StandardScaler() | PAClassifier(),
                                     [metrics.Accuracy()])
    assert second.runner.scorer.values() == reference.metrics
