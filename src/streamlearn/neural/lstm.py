"""Recurrent networks (LSTM or GRU) over a sliding window of events per key."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Classifier, Regressor
from streamlearn.core.params import check_choice, check_number
from streamlearn.neural._base import NeuralEstimator
from streamlearn.neural._sequence import SequenceWindowsMixin
from streamlearn.neural._targets import ClassTargetsMixin, RegressionTargetsMixin
from streamlearn.neural._torch import torch, torch_installed
from streamlearn.neural.mlp import _TRAINING_OPTIONS

CELLS = ("lstm", "gru")

_SEQUENCES = """
    Each event is answered from a sequence: the last ``window - 1`` learnt events of its key
    (``Batch.keys``, filled from the schema's key field, for instance a patient id), then the
    event itself. A key with a shorter history is padded with zeros, and every step carries a
    flag telling real events from padding. Events without a key share one sequence. The
    network is an LSTM (Hochreiter & Schmidhuber, 1997) or, with ``cell="gru"``, a GRU
    (Cho et al., 2014) of ``n_layers`` layers of ``hidden`` units, read out from its last
    step. New features widen its input; new keys get a window of their own.
"""


class _Recurrent(SequenceWindowsMixin, NeuralEstimator):
    def _validate(self) -> None:
        super()._validate()
        check_number(self, "window", self.window, low=1, integer=True)
        check_number(self, "hidden", self.hidden, low=1, integer=True)
        check_number(self, "n_layers", self.n_layers, low=1, integer=True)
        check_choice(self, "cell", self.cell, CELLS)

    def _start(self) -> None:
        super()._start()
        self._start_windows()

    def _after_restore(self) -> None:
        super()._after_restore()
        self._key_index_cache = None

    def _n_inputs(self) -> int:
        return 1 + len(self.feature_names_)

    def _make_network(self, n_inputs: int, n_outputs: int) -> Any:
        from streamlearn.neural._networks import RecurrentNetwork

        return RecurrentNetwork(n_inputs, self.hidden, self.n_layers, self.cell, n_outputs,
                                torch().float64)

    def _model_inputs(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        matrix_pred, matrix_learn = super()._model_inputs(X_pred, X_learn, learn)
        steps_learn = _with_presence(matrix_learn)
        steps_pred = steps_learn if matrix_pred is matrix_learn else _with_presence(matrix_pred)
        self._grow_windows(steps_learn.shape[1])
        codes = self._key_codes(X_learn if X_learn.keys is not None else X_pred, learn)
        return self._sequences(steps_pred, steps_learn, codes, learn)

    @classmethod
    def _check_instances(cls) -> list[Any]:
        """Small networks for the conformance suite (none without torch)."""
        if not torch_installed():
            return []
        return [cls(window=4, hidden=4, device="cpu"),
                cls(window=3, hidden=3, cell="gru", replay="reservoir", replay_size=30,
                    minibatch_size=16, device="cpu")]


def _with_presence(matrix: np.ndarray) -> np.ndarray:
    return np.concatenate([np.ones((len(matrix), 1)), matrix], axis=1)


class LSTMForecaster(RegressionTargetsMixin, _Recurrent, Regressor):
    """Forecasts a number from the recent events of the same key with an LSTM or a GRU.

    The target of an event is whatever is to be forecast from the sequence that ends with it
    (say the next reading of a sensor, or the heart rate in an hour); the network learns it
    standardised by its running mean and standard deviation and answers on its own scale.
    {sequences}{training}
    Twenty sensors, each a sine wave of its own phase; the target is the next reading:

    >>> import numpy as np
    >>> from streamlearn import evaluate, metrics
    >>> from streamlearn.connectors import IterableSource
    >>> from streamlearn.core import Schema
    >>> phase = np.random.default_rng(0).uniform(0, 6.3, 20)
    >>> events = [({"sensor": s, "value": np.sin(t / 4 + phase[s])}, np.sin((t + 1) / 4 + phase[s]))
    ...           for t in range(150) for s in range(20)]
    >>> source = IterableSource(events, Schema(key="sensor"))   # fills Batch.keys
    >>> model = LSTMForecaster(window=6, hidden=16, learning_rate=0.01, device="cpu")
    >>> report = evaluate.prequential(source, model, [metrics.MAE()], batch_size=100)
    >>> bool(report.rolling["Rolling MAE(1000)"] < 0.05)
    True
    """

    def __init__(self, window: int = 16, hidden: int = 32, n_layers: int = 1,
                 cell: str = "lstm", learning_rate: float = 1e-3, optimizer: str = "adam",
                 minibatch_size: int = 32, gradient_steps: int = 1, replay: str | None = None,
                 replay_size: int = 1000, lr_schedule: str = "constant", lr_decay: float = 1e-4,
                 warmup_steps: int = 0, clip_gradient: float | None = 1.0, device: str = "auto",
                 n_threads: int | None = 1, seed: int = 42):
        self.window = window
        self.hidden = hidden
        self.n_layers = n_layers
        self.cell = cell
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


class LSTMClassifier(ClassTargetsMixin, _Recurrent, Classifier):
    """Classifies an event from the recent events of the same key with an LSTM or a GRU
    (for instance, whether a patient's recent vital signs announce a deterioration).

    Classes are registered in order of first appearance; a new class adds an output unit that
    starts at zero.
    {sequences}{training}
    Two hundred patients, ten readings each; half of them trend upwards:

    >>> import numpy as np
    >>> from streamlearn import evaluate, metrics
    >>> from streamlearn.connectors import IterableSource
    >>> from streamlearn.core import Schema
    >>> rng = np.random.default_rng(0)
    >>> events = []
    >>> for patient in range(200):
    ...     rising = bool(rng.random() < 0.5)
    ...     for step in range(10):
    ...         value = (step if rising else -step) * 0.3 + rng.normal() * 0.2
    ...         events.append(({"patient": patient, "value": value}, rising))
    >>> model = LSTMClassifier(window=5, hidden=8, learning_rate=0.01, device="cpu")
    >>> report = evaluate.prequential(IterableSource(events, Schema(key="patient")), model,
    ...                               [metrics.Accuracy()], batch_size=100)
    >>> report.metrics["Accuracy"] > 0.8
    True
    """

    def __init__(self, window: int = 16, hidden: int = 32, n_layers: int = 1,
                 cell: str = "lstm", learning_rate: float = 1e-3, optimizer: str = "adam",
                 minibatch_size: int = 32, gradient_steps: int = 1, replay: str | None = None,
                 replay_size: int = 1000, lr_schedule: str = "constant", lr_decay: float = 1e-4,
                 warmup_steps: int = 0, clip_gradient: float | None = 1.0, device: str = "auto",
                 n_threads: int | None = 1, seed: int = 42):
        self.window = window
        self.hidden = hidden
        self.n_layers = n_layers
        self.cell = cell
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


for _cls in (LSTMForecaster, LSTMClassifier):
    _cls.__doc__ = (_cls.__doc__.replace("{sequences}", _SEQUENCES)
                    .replace("{training}", _TRAINING_OPTIONS))
