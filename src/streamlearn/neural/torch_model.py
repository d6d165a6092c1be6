"""Any ``torch.nn.Module`` as a streaming classifier or regressor."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin, plain
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import Classifier, Model, numeric_labels
from streamlearn.neural._base import OPTIMIZERS, NeuralEstimator
from streamlearn.neural._torch import from_numpy, to_numpy, torch, torch_installed
from streamlearn.neural.mlp import _TRAINING_OPTIONS

LOSSES = ("mse", "l1", "huber", "cross_entropy")


class TorchModel(ClassesMixin, NeuralEstimator, Model):
    """Streams events through your own ``torch.nn.Module``.

    ``module`` maps a float tensor of shape ``(n, n_features)`` to outputs of shape ``(n,
    n_outputs)``. With ``loss="cross_entropy"`` (or a ``torch.nn.CrossEntropyLoss``) the model
    is a classifier: output ``k`` is the logit of the ``k``-th class seen, so the module needs
    at least as many outputs as there will be classes. With ``"mse"``, ``"l1"``, ``"huber"`` or
    any callable ``loss(output, target)`` it is a regressor on one output. ``optimizer`` is
    ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"`` or a ``torch.optim.Optimizer`` subclass
    (called with the parameters and ``lr=learning_rate``).

    The inputs are the ``features`` in that order (by default the columns of the first learnt
    micro-batch); a feature the module was not built for is ignored and a missing value
    enters as 0. The module is copied when the model starts, so the one you pass keeps its
    initial weights and ``clone()`` starts from them again. Its dtype is kept: use a float64
    module (``module.double()``) when per-event and batch answers must agree to 1e-9.
    Dropout and other random layers are reproducible: each training step reseeds torch's
    generator from the model's own, inside ``torch.random.fork_rng``.

    A snapshot holds the module's weights, buffers and optimizer state, not its code:
    ``restore()`` (and :func:`streamlearn.neural.load`) needs a ``TorchModel`` built with a
    module of the same architecture, and fails with a clear error otherwise. For the same
    reason, a ``TorchModel`` cannot be described in a pipeline spec (YAML or text).
    {training}
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    >>> model = TorchModel(module, loss="cross_entropy", learning_rate=0.05, device="cpu")
    >>> for _ in range(100):
    ...     _ = model.learn_one({"a": 1.0, "b": 0.0}, "yes").learn_one({"a": 0.0, "b": 1.0}, "no")
    >>> model.predict_one({"a": 0.9, "b": 0.1}), model.known_classes
    ('yes', ['yes', 'no'])
    """

    def __init__(self, module: Any, loss: str | Callable = "mse", optimizer: Any = "adam",
                 learning_rate: float = 1e-3, minibatch_size: int = 32, gradient_steps: int = 1,
                 replay: str | None = None, replay_size: int = 1000,
                 lr_schedule: str = "constant", lr_decay: float = 1e-4, warmup_steps: int = 0,
                 clip_gradient: float | None = None, features: Sequence[str] | None = None,
                 device: str = "auto", n_threads: int | None = 1,
                 seed: int = 42):
        self.module = module
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.minibatch_size = minibatch_size
        self.gradient_steps = gradient_steps
        self.replay = replay
        self.replay_size = replay_size
        self.lr_schedule = lr_schedule
        self.lr_decay = lr_decay
        self.warmup_steps = warmup_steps
        self.clip_gradient = clip_gradient
        self.features = features
        self.device = device
        self.n_threads = n_threads
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[TorchModel]:
        """A small regressor and classifier for the conformance suite (none without torch)."""
        if not torch_installed():
            return []
        nn = torch().nn
        with torch().random.fork_rng(devices=[]):
            torch().manual_seed(0)
            regressor = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(0.1),
                                      nn.Linear(6, 1)).double()
            classifier = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double()
        return [cls(regressor, loss="mse", device="cpu"),
                cls(classifier, loss="cross_entropy", optimizer="sgd", learning_rate=0.05,
                    replay="recent", replay_size=20, device="cpu")]

    # ------------------------------------------------------------------ task
    @property
    def _classifies(self) -> bool:
        return self.loss == "cross_entropy" or type(self.loss).__name__ == "CrossEntropyLoss"

    def _dynamic_tags(self) -> dict[str, Any]:
        return {"classifier": self._classifies, "regressor": not self._classifies}

    def _validate(self) -> None:
        super()._validate()
        if not (callable(self.loss) or self.loss in LOSSES):
            raise ParameterError(
                f"The 'loss' parameter of TorchModel must be one of {', '.join(map(repr, LOSSES))}"
                f" or a callable loss(output, target). Got {self.loss!r} instead.")
        if not isinstance(module := self.module, torch().nn.Module):
            raise ParameterError(
                f"The 'module' parameter of TorchModel must be a torch.nn.Module. Got "
                f"{module!r} instead.")

    def _validate_optimizer(self) -> None:
        optimizer = self.optimizer
        if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
            return
        if isinstance(optimizer, type) and issubclass(optimizer, torch().optim.Optimizer):
            return
        raise ParameterError(
            "The 'optimizer' parameter of TorchModel must be one of "
            f"{', '.join(map(repr, OPTIMIZERS))} or a torch.optim.Optimizer subclass. Got "
            f"{optimizer!r} instead.")

    def _optimizer_class(self) -> Any:
        if isinstance(self.optimizer, type):
            return self.optimizer
        return super()._optimizer_class()

    # ------------------------------------------------------------------ hooks
    def _start(self) -> None:
        super()._start()
        self._init_classes()

    def _make_network(self, n_inputs: int, n_outputs: int) -> Any:
        return copy.deepcopy(self.module)

    def _n_outputs(self) -> int:
        return 0  # fixed by the module: never grown

    def _input_dtype(self) -> Any:
        for parameter in self.module.parameters():
            if parameter.is_floating_point():
                return to_numpy(parameter[:0]).dtype
        return np.float32

    def _targets(self, batch: Batch, learn: np.ndarray) -> np.ndarray:
        if self._classifies:
            if batch.y is None and learn.any():
                raise SchemaError("TorchModel needs labels to learn; none were given")
            return self.encode_labels(batch.y, learn)
        return numeric_labels(self, batch.y, learn)

    def _model_inputs(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        if not self.feature_names_:
            names = self.features if self.features is not None else X_learn.columns
            self.feature_names_ = [str(name) for name in names]
        position = {name: j for j, name in enumerate(self.feature_names_)}
        learnt = self._matrix_by_name(X_learn, position)
        if X_pred is X_learn:
            return learnt, learnt
        return self._matrix_by_name(X_pred, position), learnt

    def _matrix_by_name(self, batch: Batch, position: dict[str, int]) -> np.ndarray:
        out = np.zeros((len(batch), len(position)))
        for j, name in enumerate(batch.columns):
            if name in position:
                out[:, position[name]] = batch.X[:, j]
        out[~np.isfinite(out)] = 0.0
        return out

    def _targets_tensor(self, targets: np.ndarray) -> Any:
        if self._classifies:
            return from_numpy(targets.astype(np.int64), self._device)
        return from_numpy(targets.astype(self._input_dtype()), self._device)

    def _forward_for_training(self, inputs: Any) -> Any:
        torch_ = torch()
        devices = [torch_.device(self._device).index or 0] if self._device != "cpu" else []
        with torch_.random.fork_rng(devices=devices):
            torch_.manual_seed(int(self._rng.integers(2**63 - 1)))
            return self._checked_forward(inputs)

    def _checked_forward(self, inputs: Any) -> Any:
        try:
            return self._network(inputs)
        except RuntimeError as exc:
            raise SchemaError(
                f"TorchModel's module rejected inputs of shape {tuple(inputs.shape)} (features "
                f"{self.feature_names_}): {exc}. Pass features=[...] naming the module's inputs "
                "in order") from None

    def _loss(self, output: Any, targets: Any, inputs: Any) -> Any:
        functional = torch().nn.functional
        if self._classifies:
            self._check_width(output)
            if callable(self.loss):
                return self.loss(output, targets)
            return functional.cross_entropy(output, targets)
        output = _one_output(output)
        if callable(self.loss):
            return self.loss(output, targets)
        return {"mse": functional.mse_loss, "l1": functional.l1_loss,
                "huber": functional.huber_loss}[self.loss](output, targets)

    def _check_width(self, output: Any) -> None:
        if output.shape[1] < len(self.classes_):
            raise SchemaError(
                f"TorchModel's module gives {output.shape[1]} outputs but {len(self.classes_)} "
                f"classes were seen ({self.classes_}); build it with more outputs")

    def _predict(self, inputs: np.ndarray) -> np.ndarray:
        network = self._network
        network.eval()
        with torch().inference_mode():
            tensor = self._tensor(inputs)
            return self._answer_from(self._checked_forward(tensor), tensor)

    def _answer_from(self, output: Any, inputs: Any) -> np.ndarray:
        if not self._classifies:
            return to_numpy(_one_output(output)).astype(np.float64).reshape(len(inputs))
        self._check_width(output)
        n_classes = len(self.classes_)
        if n_classes == 0:
            return np.zeros((len(inputs), 0))
        return to_numpy(torch().softmax(output[:, :n_classes].double(), dim=1))

    def _unfitted_answer(self, n: int) -> np.ndarray:
        return np.zeros((n, 0)) if self._classifies else np.zeros(n)

    # ------------------------------------------------------------------ the two faces
    @property
    def known_classes(self) -> list[Any]:
        return list(getattr(self, "classes_", []))

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        return Classifier.labels_from_proba(self, proba)  # type: ignore[arg-type]

    def predict_proba_many(self, X: Any) -> np.ndarray:
        self._require_classifier()
        return self._answer(X)

    def predict_proba_one(self, x: dict) -> dict[Any, float]:
        self._require_classifier()
        return {c: float(p) for c, p in zip(self.known_classes, self._answer(x)[0])}

    def predict_many(self, X: Any) -> np.ndarray:
        answer = self._answer(X)
        return self.labels_from_proba(answer) if self._classifies else answer

    def predict_one(self, x: dict) -> Any:
        answer = self._answer(x)
        if self._classifies:
            return plain(self.labels_from_proba(answer)[0])
        return float(answer[0])

    def _require_classifier(self) -> None:
        if not self._classifies:
            raise TypeError("this TorchModel is a regressor (its loss is not cross-entropy): "
                            "it has no class probabilities; use predict_one / predict_many")


def _one_output(output: Any) -> Any:
    return output.reshape(-1) if output.dim() == 2 and output.shape[1] == 1 else output


TorchModel.__doc__ = TorchModel.__doc__.replace("{training}", _TRAINING_OPTIONS)
