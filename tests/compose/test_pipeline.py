import numpy as np
import pytest

from streamlearn.compose import Discard, Pipeline, Select, TransformerUnion
from streamlearn.datasets import SEA
from streamlearn.linear import LogisticRegression
from streamlearn.preprocessing import MinMaxScaler, StandardScaler

river = pytest.importorskip("river")


def test_pipeline_matches_river_event_for_event():
    from river import linear_model, preprocessing

    data = SEA(seed=3, drift_every=700).take(3000)
    ours = StandardScaler() | LogisticRegression()
    theirs = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    ours_p, theirs_p = [], []
    for x, y in data:
        ours_p.append(ours.predict_proba_one(x)[True])
        theirs_p.append(theirs.predict_proba_one(x)[True])
        ours.learn_one(x, y)
        theirs.learn_one(x, y)
    np.testing.assert_allclose(ours_p, theirs_p, rtol=0, atol=1e-9)


def test_batch_face_equals_per_event_face():
    data = SEA(seed=4).take(2000)
    per_event = StandardScaler() | LogisticRegression()
    expected = []
    for x, y in data:
        expected.append(per_event.predict_proba_one(x)[True])
        per_event.learn_one(x, y)
    batched = StandardScaler() | LogisticRegression()
    got = []
    for start in range(0, 2000, 333):
        X, y = data.X[start:start + 333], data.y[start:start + 333]
        from streamlearn.core import Batch
        from streamlearn.core.learners import all_rows

        batch = Batch.from_array(X, columns=data.feature_names, y=y)
        got.append(batched.process_many(batch, batch, all_rows(len(batch)))[:, 1])
    np.testing.assert_allclose(np.concatenate(got), expected, rtol=0, atol=1e-12)


def test_pipeline_flattens_and_rejects_a_model_in_the_middle():
    pipe = (StandardScaler() | MinMaxScaler()) | LogisticRegression()
    assert len(pipe) == 3 and isinstance(pipe[2], LogisticRegression)
    with pytest.raises(TypeError, match="only transformers can"):
        Pipeline(LogisticRegression(), StandardScaler())


def test_clone_and_snapshot_cover_every_step():
    pipe = StandardScaler() | LogisticRegression(learning_rate=0.1)
    for x, y in SEA(seed=1).take(300):
        pipe.learn_one(x, y)
    copy = pipe.clone().restore(pipe.snapshot())
    probe = {"x0": 4.0, "x1": 6.0, "x2": 1.0}
    assert copy.predict_proba_one(probe) == pipe.predict_proba_one(probe)
    assert not pipe.clone().is_fitted


def test_select_discard_and_union():
    x = {"a": 1.0, "b": 2.0, "colour": "red"}
    assert Select("b").transform_one(x) == {"b": 2.0}
    assert Discard("a", "colour").transform_one(x) == {"b": 2.0}
    union = TransformerUnion(Select("a"), Select("colour"))
    assert union.transform_one(x) == {"a": 1.0, "colour": "red"}
    pipe = Select("a", "b") | StandardScaler()
    pipe.learn_one(x)
    assert pipe.transform_one({"a": 3.0, "b": 2.0, "z": 1.0}) == {"a": 0.0, "b": 0.0}
