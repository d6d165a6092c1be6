"""An autoencoder whose reconstruction error scores how anomalous an event is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.learners import Model, all_rows
from streamlearn.core.params import check_choice
from streamlearn.neural._base import NeuralEstimator, check_sizes
from streamlearn.neural._torch import to_numpy, torch, torch_installed
from streamlearn.neural.mlp import _TRAINING_OPTIONS, ACTIVATIONS


class Autoencoder(NeuralEstimator, Model):
    """Learns to reconstruct the events it sees; an event it reconstructs badly is unusual.

    The network narrows through ``hidden`` (for instance ``(32, 8)``: 32 units, then a code
    of 8) and widens back symmetrically to the input. Its anomaly score is the mean squared
    reconstruction error over the features, computed before the event is learnt
    (Hawkins et al., "Outlier detection using replicator neural networks", DaWaK 2002). It
    learns from every event it is given, so it models what is normal as long as anomalies
    are rare, which is the usual case for fraud or a patient's vital signs. Put a
    ``StandardScaler`` in front so that every feature counts on the same scale; a missing
    value enters as 0, and the input and output layers grow when a feature appears.

    ``score_one`` / ``score_many`` give the scores (``predict_one`` / ``predict_many`` are the
    same), and ``learn_one(x)`` / ``learn_many(X)`` need no label. In
    :func:`streamlearn.evaluate.prequential` (which learns the rows that carry a label, here
    whether the event is an anomaly, and never shows that label to the model), pass
    ``keep_predictions=True`` and rank ``report.predictions`` against the labels, for
    instance with ROC AUC.
    {training}
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> normal = rng.normal(size=(3000, 1)) @ np.ones((1, 4)) + 0.1 * rng.normal(size=(3000, 4))
    >>> model = Autoencoder(hidden=(8, 2), learning_rate=0.01, device="cpu")
    >>> _ = model.learn_many(normal)
    >>> usual = {"x0": 1.0, "x1": 1.0, "x2": 1.0, "x3": 1.0}
    >>> odd = {"x0": 1.0, "x1": -1.0, "x2": 1.0, "x3": -1.0}
    >>> bool(model.score_one(odd) > 10 * model.score_one(usual))
    True
    """

    _tags = {"anomaly": True}

    def __init__(self, hidden: Sequence[int] = (32, 8), activation: str = "relu",
                 learning_rate: float = 1e-3, optimizer: str = "adam", minibatch_size: int = 32,
                 gradient_steps: int = 1, replay: str | None = None, replay_size: int = 1000,
                 lr_schedule: str = "constant", lr_decay: float = 1e-4, warmup_steps: int = 0,
                 clip_gradient: float | None = None, device: str = "auto",
                 n_threads: int | None = 1, seed: int = 42):
        self.hidden = hidden
        self.activation = activation
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.minibatch_size = minibatch_size
        self.gradient_steps = gradient_steps
        self.replay = replay
        self.replay_size = replay_size
        self.lr_schedule = lr_schedule
        self.lr_decay = lr_decay
        self.warmup_steps = warmup_steps
        self.clip_gradient = clip_gradient
        self.device = device
        self.n_threads = n_threads
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[Autoencoder]:
        """Small networks for the conformance suite (none without torch)."""
        if not torch_installed():
            return []
        return [cls(hidden=(4, 2), device="cpu"),
                cls(hidden=(3,), activation="tanh", replay="recent", replay_size=40,
                    optimizer="rmsprop", lr_schedule="cosine", lr_decay=0.01, device="cpu")]

    def _validate(self) -> None:
        super()._validate()
        check_sizes(self, "hidden", self.hidden)
        check_choice(self, "activation", self.activation, ACTIVATIONS)

    # ------------------------------------------------------------------ hooks
    def _make_network(self, n_inputs: int, n_outputs: int) -> Any:
        from streamlearn.neural._networks import MLPNetwork

        hidden = tuple(self.hidden)
        sizes = (n_inputs, *hidden, *reversed(hidden[:-1]), n_outputs)
        return MLPNetwork(sizes, self.activation, torch().float64)

    def _n_outputs(self) -> int:
        return len(self.feature_names_)

    def _targets(self, batch: Batch, learn: np.ndarray) -> None:
        return None

    def _loss(self, output: Any, targets: Any, inputs: Any) -> Any:
        return torch().nn.functional.mse_loss(output, inputs)

    def _loss_gradient(self, output: Any, targets: Any, inputs: Any) -> Any:
        return (output - inputs).mul_(2.0 / max(inputs.numel(), 1))

    def _answer_from(self, output: Any, inputs: Any) -> np.ndarray:
        if inputs.shape[1] == 0:
            return np.zeros(len(inputs))
        return to_numpy(((output - inputs) ** 2).mean(dim=1)).astype(np.float64)

    # ------------------------------------------------------------------ the anomaly face
    def learn_one(self, x: dict, y: Any = None) -> Autoencoder:
        batch = as_batch(x)
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any = None) -> Autoencoder:
        batch = as_batch(X)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def score_one(self, x: dict) -> float:
        """The anomaly score of one event (higher is more unusual); learns nothing."""
        return float(self._answer(x)[0])

    def score_many(self, X: Any) -> np.ndarray:
        """The anomaly score of each event; learns nothing."""
        return self._answer(X)

    def predict_one(self, x: dict) -> float:
        return self.score_one(x)

    def predict_many(self, X: Any) -> np.ndarray:
        return self.score_many(X)


Autoencoder.__doc__ = Autoencoder.__doc__.replace("{training}", _TRAINING_OPTIONS)
