"""Scoring predictions as their labels arrive: cumulative and rolling metrics, history."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.metrics import Metric, Rolling


class Scorer:
    """Feeds metrics in arrival order and records their values every ``history_every``
    scored events, at exact positions whatever the batch size."""

    def __init__(self, metrics: list[Metric], rolling_window: int, history_every: int):
        self.metrics = metrics
        self.rolling = [Rolling(m.clone(), rolling_window) for m in metrics]
        self.history_every = history_every
        self.scored = 0
        self.history: dict[str, list[float]] = {"events": []}
        for metric in self.metrics:
            self.history[metric.name] = []
        for metric in self.rolling:
            self.history[metric.name] = []

    def score_answers(self, model: Any, y_true: np.ndarray, answers: np.ndarray) -> None:
        """Score a model's answers (class probabilities, or values for a regressor) given
        when the events were predicted, now that their labels are here. Classes learnt since
        then count as probability 0 in the older answers."""
        if len(y_true) == 0:
            return
        if not model.tags["classifier"]:
            self.score(y_true, answers, None, None)
            return
        classes = list(model.known_classes)
        if answers.shape[1] < len(classes):
            answers = np.pad(answers, ((0, 0), (0, len(classes) - answers.shape[1])))
        self.score(y_true, answers, model.labels_from_proba(answers), classes)

    def score(self, y_true: np.ndarray, answers: np.ndarray, labels: np.ndarray | None,
              classes: list[Any] | None) -> None:
        start = 0
        n = len(y_true)
        while start < n:
            to_boundary = self.history_every - self.scored % self.history_every
            stop = min(n, start + to_boundary)
            part = slice(start, stop)
            for metric in (*self.metrics, *self.rolling):
                if classes is None:
                    metric.update_many(y_true[part], y_pred=answers[part])
                else:
                    metric.update_many(y_true[part], y_pred=labels[part],
                                       y_proba=answers[part], classes=classes)
            self.scored += stop - start
            if self.scored % self.history_every == 0:
                self.record()
            start = stop

    def record(self) -> None:
        if self.history["events"] and self.history["events"][-1] == self.scored:
            return
        self.history["events"].append(self.scored)
        for metric in (*self.metrics, *self.rolling):
            self.history[metric.name].append(float(metric.get()))

    def state(self) -> dict[str, Any]:
        """Everything needed to continue scoring exactly where it stands (checkpoints)."""
        return {"metrics": [m.snapshot() for m in self.metrics],
                "rolling": [m.snapshot() for m in self.rolling],
                "history": self.history, "scored": self.scored}

    def restore(self, state: dict[str, Any]) -> None:
        for metric, snapshot in zip(self.metrics, state["metrics"]):
            metric.restore(snapshot)
        for metric, snapshot in zip(self.rolling, state["rolling"]):
            metric.restore(snapshot)
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.scored = state["scored"]

    def values(self) -> dict[str, float]:
        return {metric.name: float(metric.get()) for metric in self.metrics}

    def rolling_values(self) -> dict[str, float]:
        return {metric.name: float(metric.get()) for metric in self.rolling}
