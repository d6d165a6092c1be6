"""What the served copy of the model answers besides predictions: explanations of a linear
model's scores and a recommender's top-k. Pure functions of the copy (nothing is recorded
or learnt); :class:`streamlearn.serve.service.ModelService` hands them the current copy."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError


def explanations(model: Any, classifier: bool, version: int | None,
                 batch: Batch) -> list[dict[str, Any]]:
    """Each event's per-feature contributions to the score of ``model`` (a pipeline ending in
    a linear model; ``NotExplainableError`` for any other, even for an empty batch)."""
    from streamlearn.compose.explain import explain_many

    why = explain_many(model, batch)
    if len(batch) == 0:
        return []
    labels: list[Any] = [None] * len(batch)
    if classifier and why.proba is not None:
        labels = model.labels_from_proba(np.column_stack([1.0 - why.proba, why.proba])).tolist()
    answers = []
    for i, event_id in enumerate(batch.ids.tolist()):
        row = why.row(i)
        answers.append({
            "id": event_id, "prediction": labels[i], "proba": row["proba"],
            "score": row["score"], "intercept": row["intercept"],
            "contributions": [{"feature": name, "contribution": value}
                              for name, value in row["contributions"].items()],
            "model_version": version})
    return answers


def recommendation(model: Any, version: int | None, user: str, k: int,
                   exclude_seen: bool) -> dict[str, Any]:
    """The top-``k`` items for ``user`` (``LookupError`` when the model does not recommend).
    The user is looked up as given, then as an int (a numeric user column); a user the
    model has not learnt is a cold start."""
    final = model.steps[-1] if hasattr(model, "steps") else model
    if not hasattr(final, "recommend"):
        raise LookupError(f"the served model ({type(final).__name__}) does not recommend; "
                          "serve a pipeline ending in a recommender (HybridRecommender, "
                          "BiasedMF, BPR, Popularity, ...)")
    key = _user_key(final, user)
    cold = not final.knows_user(key)
    source = type(final).__name__
    try:
        if hasattr(final, "recommend_explained"):
            items, source, cold = final.recommend_explained(key, k, exclude_seen)
        else:
            items = final.recommend(key, k, exclude_seen)
    except NotFittedError:   # nothing learnt yet: nothing to recommend
        items = []
    return {"user": user, "items": [_plain_id(item) for item in items], "k": k,
            "exclude_seen": exclude_seen, "cold_start": bool(cold), "source": source,
            "model_version": version}


def _user_key(model: Any, user: str) -> Any:
    """``user`` as the model knows it: as given, or as an int (ids of a numeric column)."""
    candidates: list[Any] = [user]
    with contextlib.suppress(ValueError):
        candidates.insert(0, int(user))
    for key in candidates:
        if model.knows_user(key):
            return key
    return candidates[0]


def _plain_id(item: Any) -> int | str:
    if isinstance(item, int | np.integer):
        return int(item)
    if isinstance(item, float) and item.is_integer():
        return int(item)
    return str(item)
