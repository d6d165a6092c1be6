"""Multi-layer perceptrons trained online, one micro-batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streamlearn.core.learners import Classifier, Regressor
from streamlearn.core.params import check_choice
from streamlearn.neural._base import NeuralEstimator, check_sizes
from streamlearn.neural._targets import ClassTargetsMixin, RegressionTargetsMixin
from streamlearn.neural._torch import torch, torch_installed

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")

_TRAINING_OPTIONS = """
    Training options, shared by every neural model:

    - ``learning_rate`` and ``optimizer`` (``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``);
    - ``minibatch_size``: the learnt rows of a micro-batch are cut, in order, into chunks of
      at most this many events, one optimizer step each; ``gradient_steps`` steps per chunk;
    - ``replay`` (``None``, ``"reservoir"`` or ``"recent"``) keeps ``replay_size`` past
      events and adds as many of them as the chunk holds to each step;
    - ``lr_schedule`` (``"constant"``, ``"inverse_time"``, ``"inverse_sqrt"``,
      ``"exponential"``, ``"cosine"``) with ``lr_decay`` and ``warmup_steps``;
    - ``clip_gradient``: the largest norm of the gradient (``None``: no clipping);
    - ``device``: ``"auto"`` (CUDA when torch sees a GPU), ``"cpu"`` or ``"cuda"``;
    - ``n_threads``: torch's intra-op CPU threads while the model computes (the previous
      setting is put back after each call; ``None`` leaves it alone). For networks of this
      size one thread is fastest: more only add synchronisation, which costs a hundredfold on
      a busy machine;
    - ``seed``: initial weights and replay draws, so a run is reproducible.

    Within a micro-batch, each chunk is answered, then learnt (the ``mini_batch`` tag): no
    event is answered by a network that learnt from it, and the answers depend on where the
    stream is cut into chunks and on the seed, nothing else.
"""


class _MLP(NeuralEstimator):
    def _validate(self) -> None:
        super()._validate()
        check_sizes(self, "hidden", self.hidden)
        check_choice(self, "activation", self.activation, ACTIVATIONS)

    def _make_network(self, n_inputs: int, n_outputs: int) -> Any:
        from streamlearn.neural._networks import MLPNetwork

        return MLPNetwork((n_inputs, *self.hidden, n_outputs), self.activation,
                          torch().float64)

    @classmethod
    def _check_instances(cls) -> list[Any]:
        """Small networks for the conformance suite (none without torch)."""
        if not torch_installed():
            return []
        return [cls(hidden=(8,), device="cpu"),
                cls(hidden=(8, 4), optimizer="sgd", learning_rate=0.01, replay="reservoir",
                    replay_size=50, gradient_steps=2, lr_schedule="inverse_sqrt",
                    clip_gradient=1.0, minibatch_size=16, device="cpu")]


class MLPClassifier(ClassTargetsMixin, _MLP, Classifier):
    """A feed-forward network with a softmax output, learnt online.

    The input layer grows a column when a new feature appears and the output layer a unit
    when a new class appears, both starting at zero, so what was learnt is kept. ``hidden``
    gives the widths of the hidden layers and ``activation`` their function (``"relu"``,
    ``"tanh"`` or ``"sigmoid"``). Put a ``StandardScaler`` in front: the network expects
    features of unit scale, and a missing value enters as 0.
    {training}
    >>> from streamlearn.datasets import SEA
    >>> from streamlearn.preprocessing import StandardScaler
    >>> from streamlearn import evaluate, metrics
    >>> model = StandardScaler() | MLPClassifier(hidden=(16,), learning_rate=0.01, device="cpu")
    >>> report = evaluate.prequential(SEA(seed=1).take(4000), model, [metrics.Accuracy()],
    ...                               batch_size=256)
    >>> report.metrics["Accuracy"] > 0.85
    True
    """

    def __init__(self, hidden: Sequence[int] = (64, 32), activation: str = "relu",
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


class MLPRegressor(RegressionTargetsMixin, _MLP, Regressor):
    """A feed-forward network with one linear output, learnt online.

    The network learns the target standardised by its running mean and standard deviation
    and answers on the target's own scale. The input layer grows a zero column when a new
    feature appears. ``hidden`` and ``activation`` are as in :class:`MLPClassifier`. Put a
    ``StandardScaler`` in front; a missing value enters as 0.
    {training}
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(5000, 2))
    >>> y = 100 + 10 * np.sin(X[:, 0]) + 5 * X[:, 1]
    >>> model = MLPRegressor(hidden=(16,), learning_rate=0.01, minibatch_size=8, device="cpu")
    >>> _ = model.learn_many(X[:4000], y[:4000])
    >>> error = np.abs(model.predict_many(X[4000:]) - y[4000:]).mean()
    >>> bool(error < 0.5)
    True
    """

    def __init__(self, hidden: Sequence[int] = (64, 32), activation: str = "relu",
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


for _cls in (MLPClassifier, MLPRegressor):
    _cls.__doc__ = _cls.__doc__.replace("{training}", _TRAINING_OPTIONS)
