import json

from typer.testing import CliRunner

from streamlearn.cli import app

runner = CliRunner()


def test_evaluate_a_csv_file_writes_json_and_png(tmp_path):
    csv = tmp_path / "sea.csv"
    result = runner.invoke(app, ["export-dataset", "sea", str(csv), "--events", "5000"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [
        "evaluate", "--data", str(csv), "--target", "y",
        "--model", "StandardScaler | LogisticRegression", "--metric", "accuracy",
        "--metric", "rocauc", "--batch-size", "1000", "--json", str(tmp_path / "r.json"),
        "--plot", str(tmp_path / "r.png"), "--no-progress"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["events"] == 5000
    assert set(report["metrics"]) == {"Accuracy", "ROCAUC"}
    assert 0.75 < report["metrics"]["Accuracy"] < 0.95
    assert (tmp_path / "r.png").stat().st_size > 10_000
    assert "Accuracy" in result.output


def test_pipeline_yaml_sets_parameters(tmp_path):
    spec = tmp_path / "pipeline.yaml"
    spec.write_text("pipeline:\n  - StandardScaler\n"
                    "  - LogisticRegression: {learning_rate: 0.05, l2: 0.0}\n")
    result = runner.invoke(app, ["evaluate", "--dataset", "sea", "--events", "3000",
                                 "--pipeline", str(spec), "--json", str(tmp_path / "r.json"),
                                 "--no-progress"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["model"] == "StandardScaler() | LogisticRegression(learning_rate=0.05)"


def test_errors_are_reported_without_a_traceback(tmp_path):
    result = runner.invoke(app, ["evaluate", "--dataset", "sea", "--events", "100",
                                 "--model", "StandardScaler | NoSuchModel", "--no-progress"])
    assert result.exit_code == 2
    assert "unknown estimator 'NoSuchModel'" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,y\n1,1\nzz,0\n")
    result = runner.invoke(app, ["evaluate", "--data", str(bad), "--target", "y",
                                 "--model", "LogisticRegression", "--no-progress"])
    assert result.exit_code == 2
    assert "holds 'zz'" in result.output


def test_labels_arriving_seconds_late_from_a_time_column(tmp_path):
    csv = tmp_path / "timed.csv"
    lines = ["t,x,y"] + [f"{i},{(i % 2) * 2 - 1},{i % 2}" for i in range(200)]
    csv.write_text("\n".join(lines) + "\n")
    common = ["evaluate", "--data", str(csv), "--target", "y", "--model", "LogisticRegression",
              "--no-progress", "--time", "t"]
    prompt = runner.invoke(app, [*common, "--json", str(tmp_path / "a.json")])
    late = runner.invoke(app, [*common, "--delay-seconds", "50",
                               "--json", str(tmp_path / "b.json")])
    assert prompt.exit_code == 0 and late.exit_code == 0, late.output
    prompt_report = json.loads((tmp_path / "a.json").read_text())
    late_report = json.loads((tmp_path / "b.json").read_text())
    assert late_report["delay"] == "0:00:50"
    assert late_report["labelled"] == prompt_report["labelled"] == 200
    # the first 50 events are predicted before any label arrives: about half of them wrong
    assert late_report["metrics"]["Accuracy"] < prompt_report["metrics"]["Accuracy"]
    missing_time = runner.invoke(app, [*common[:-2], "--delay-seconds", "5"])
    assert missing_time.exit_code == 2 and "needs --time" in missing_time.output
