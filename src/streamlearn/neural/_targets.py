"""What the neural models learn to predict: classes (cross-entropy over softmax outputs) or
numbers (squared error on standardised targets)."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.learners import numeric_labels
from streamlearn.neural._torch import from_numpy, to_numpy, torch


class ClassTargetsMixin(ClassesMixin):
    """One output unit per class, in order of first appearance; a new class adds a unit
    whose weights start at zero, so the answers for the known classes keep their ranking."""

    def _start(self) -> None:
        super()._start()  # type: ignore[misc]
        self._init_classes()

    def _targets(self, batch: Batch, learn: np.ndarray) -> np.ndarray:
        if batch.y is None and learn.any():
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        return self.encode_labels(batch.y, learn)

    def _n_outputs(self) -> int:
        return max(len(self.classes_), 1)

    def _targets_tensor(self, targets: np.ndarray) -> Any:
        return from_numpy(targets.astype(np.int64), self._device)

    def _loss(self, output: Any, targets: Any, inputs: Any) -> Any:
        return torch().nn.functional.cross_entropy(output, targets)

    def _loss_gradient(self, output: Any, targets: Any, inputs: Any) -> Any:
        # d(mean cross-entropy)/d(logits) = (softmax - one-hot) / n
        one_hot = torch().zeros_like(output)
        one_hot.scatter_(1, targets.unsqueeze(1), 1.0)
        return torch().softmax(output, dim=1).sub_(one_hot).div_(len(targets))

    def _answer_from(self, output: Any, inputs: Any) -> np.ndarray:
        n_classes = len(self.classes_)
        if n_classes == 0:
            return np.zeros((output.shape[0], 0))
        return to_numpy(torch().softmax(output[:, :n_classes], dim=1)).astype(np.float64)

    def _unfitted_answer(self, n: int) -> np.ndarray:
        return np.zeros((n, 0))


class RegressionTargetsMixin:
    """One output; the network learns targets standardised by their running mean and
    standard deviation (updated, with Chan et al.'s parallel form of Welford's algorithm, from
    each chunk just before its steps), so a target's scale never has to be learnt."""

    def _start(self) -> None:
        super()._start()  # type: ignore[misc]
        self.target_count_ = 0
        self.target_mean_ = 0.0
        self.target_m2_ = 0.0

    def _targets(self, batch: Batch, learn: np.ndarray) -> np.ndarray:
        return numeric_labels(self, batch.y, learn)

    def _n_outputs(self) -> int:
        return 1

    def _observe_targets(self, targets: np.ndarray) -> None:
        count = len(targets)
        mean = float(targets.mean())
        m2 = float(((targets - mean) ** 2).sum())
        total = self.target_count_ + count
        delta = mean - self.target_mean_
        self.target_mean_ += delta * count / total
        self.target_m2_ += m2 + delta * delta * self.target_count_ * count / total
        self.target_count_ = total

    def _target_scale(self) -> float:
        if self.target_count_ == 0 or self.target_m2_ <= 0.0:
            return 1.0
        return float(np.sqrt(self.target_m2_ / self.target_count_))

    def _targets_tensor(self, targets: np.ndarray) -> Any:
        scaled = (targets - self.target_mean_) / self._target_scale()
        return from_numpy(scaled, self._device)

    def _loss(self, output: Any, targets: Any, inputs: Any) -> Any:
        return torch().nn.functional.mse_loss(output[:, 0], targets)

    def _loss_gradient(self, output: Any, targets: Any, inputs: Any) -> Any:
        gradient = torch().zeros_like(output)
        gradient[:, 0] = (output[:, 0] - targets) * (2.0 / len(targets))
        return gradient

    def _answer_from(self, output: Any, inputs: Any) -> np.ndarray:
        return to_numpy(output[:, 0]).astype(np.float64) * self._target_scale() \
            + self.target_mean_
