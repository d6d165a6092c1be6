"""Shared machinery of the neural models: a live torch network behind the estimator contract.

Order of operations within a micro-batch (the ``mini_batch`` tag of DESIGN.md §3): the learnt
rows are cut, in order, into chunks of ``minibatch_size`` events. For each chunk, the rows
of the batch up to the chunk's last row that are not answered yet are answered with the
network as it stands; then the chunk gets ``gradient_steps`` optimizer steps (each on the
chunk plus as many events drawn from the replay buffer, if there is one) and joins the
replay buffer. Rows after the last learnt one are answered at the end. So a chunk is
predicted, then learnt: no row is answered by a network that learnt from it, and when every
row is learnt and the micro-batch size is a multiple of ``minibatch_size`` the answers do not
depend on the micro-batch size. Features and classes first seen in a learnt row are
registered before the batch is answered: the network grows a zero-initialised input column or
output unit, which leaves every answer unchanged until it learns. Missing and non-finite
feature values enter the network as 0 (the mean, after a ``StandardScaler``), so they never
reach the weights.

Other micro-batch sizes cut the chunks elsewhere and give other (equally valid) answers, so
these models are checked for determinism under a seed instead of batch-size invariance.
Everything random (initial weights, replay draws) comes from one numpy generator seeded by
``seed`` whose state is part of the snapshot, and the network computes in float64, so that
``*_one`` and ``*_many`` agree to 1e-9 and a restored snapshot continues bit for bit.

The live network and optimizer are private; ``snapshot()`` exports their tensors as numpy
arrays (``network_`` and ``optimizer_``) and ``restore()`` rebuilds them, so snapshots go
through :mod:`streamlearn.core.serialize` and checkpoints like every other estimator's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import reject_categorical
from streamlearn.core.params import check_choice, check_number
from streamlearn.neural import _replay
from streamlearn.neural._schedule import SCHEDULES, learning_rate
from streamlearn.neural._torch import (
    from_numpy,
    intra_op_threads,
    resolve_device,
    to_numpy,
    torch,
)

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
_LIVE_KEYS = ("network_", "optimizer_", "rng_")


def check_sizes(owner: object, name: str, value: Any) -> None:
    """A non-empty tuple or list of positive ints (layer widths)."""
    ok = isinstance(value, tuple | list) and len(value) > 0 and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
    if not ok:
        raise ParameterError(
            f"The {name!r} parameter of {type(owner).__name__} must be a non-empty tuple of "
            f"positive ints (the layer widths). Got {value!r} instead.")


class NeuralEstimator(FeatureStateMixin):
    """Base of the neural models; subclasses build the network and read targets and answers.

    Hooks: ``_make_network(n_inputs, n_outputs)``, ``_n_outputs()``, ``_targets(batch,
    learn)``, ``_model_inputs(X_pred, X_learn, learn)``, ``_loss(output, targets, inputs)``
    (or, for a network that backpropagates by hand, ``_loss_gradient``) and
    ``_answer_from(output, inputs)``; ``_unfitted_answer(n)`` is what a model that never
    learnt says.
    """

    _tags = {"mini_batch": True}
    _feature_arrays: dict[str, float] = {}

    # ------------------------------------------------------------------ parameters
    def _validate(self) -> None:
        check_number(self, "learning_rate", self.learning_rate, low=0, low_inclusive=False)
        self._validate_optimizer()
        check_number(self, "minibatch_size", self.minibatch_size, low=1, integer=True)
        check_number(self, "gradient_steps", self.gradient_steps, low=1, integer=True)
        check_choice(self, "replay", self.replay, _replay.KINDS)
        check_number(self, "replay_size", self.replay_size, low=1, integer=True)
        check_choice(self, "lr_schedule", self.lr_schedule, SCHEDULES)
        check_number(self, "lr_decay", self.lr_decay, low=0)
        check_number(self, "warmup_steps", self.warmup_steps, low=0, integer=True)
        if self.clip_gradient is not None:
            check_number(self, "clip_gradient", self.clip_gradient, low=0, low_inclusive=False)
        check_number(self, "seed", self.seed, low=0, integer=True)
        if self.n_threads is not None:
            check_number(self, "n_threads", self.n_threads, low=1, integer=True)

    def _validate_optimizer(self) -> None:
        check_choice(self, "optimizer", self.optimizer, OPTIMIZERS)

    def _optimizer_class(self) -> Any:
        optim = torch().optim
        return {"adam": optim.Adam, "adamw": optim.AdamW, "sgd": optim.SGD,
                "rmsprop": optim.RMSprop}[self.optimizer]

    # ------------------------------------------------------------------ hooks
    def _make_network(self, n_inputs: int, n_outputs: int) -> Any:
        raise NotImplementedError

    def _n_inputs(self) -> int:
        return len(self.feature_names_)

    def _n_outputs(self) -> int:
        raise NotImplementedError

    def _targets(self, batch: Batch, learn: np.ndarray) -> np.ndarray | None:
        """Per-row targets (anything where the row is not learnt), or None when there are
        none (an autoencoder). Registers new classes."""
        raise NotImplementedError

    def _loss(self, output: Any, targets: Any, inputs: Any) -> Any:
        """The loss to minimise, as a differentiable tensor (autograd path)."""
        raise NotImplementedError

    def _loss_gradient(self, output: Any, targets: Any, inputs: Any) -> Any:
        """The derivative of :meth:`_loss` by the output (for networks that backpropagate
        by hand)."""
        raise NotImplementedError

    def _targets_tensor(self, targets: np.ndarray) -> Any:
        return from_numpy(targets, self._device)

    def _answer_from(self, output: Any, inputs: Any) -> np.ndarray:
        raise NotImplementedError

    def _unfitted_answer(self, n: int) -> np.ndarray:
        return np.zeros(n)

    def _observe_targets(self, targets: np.ndarray) -> None:
        """Called with each chunk's targets just before its gradient steps."""

    # ------------------------------------------------------------------ lifecycle
    def _start(self) -> None:
        self._validate()
        self._init_feature_state()
        self.n_updates_ = 0          # optimizer steps taken (the schedules' clock)
        self.replay_seen_ = 0        # events offered to the replay buffer
        self._rng = np.random.default_rng(self.seed)
        self._network = None

    @property
    def _started(self) -> bool:
        return hasattr(self, "n_updates_")

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        learn = np.asarray(learn, dtype=bool)
        if not self._started:
            if not learn.any():  # prediction never changes state
                return self._unfitted_answer(len(learn))
            self._start()
        with intra_op_threads(self.n_threads, getattr(self, "_device", self.device)):
            return self._process(X_pred, X_learn, learn)

    def _process(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        for batch in (X_pred, X_learn):
            reject_categorical(self, batch)
            if batch.sparse is not None:
                raise SchemaError(
                    f"{type(self).__name__} takes dense features, not hashed ones; leave the "
                    "FeatureHasher out (a OneHotEncoder gives dense columns) or use a linear "
                    "model, which takes hashed features")
        targets = self._targets(X_learn, learn)
        inputs_pred, inputs_learn = self._model_inputs(X_pred, X_learn, learn)
        self._sync_network()
        learnt = np.flatnonzero(learn)
        if len(learnt) == 0:
            return self._predict(inputs_pred)
        answers = []
        size = self.minibatch_size
        first = 0  # first row not answered yet
        for start in range(0, len(learnt), size):
            chunk = learnt[start:start + size]
            # answer the rows up to the chunk's last one, then learn the chunk
            answers.append(self._predict(inputs_pred[first:chunk[-1] + 1]))
            first = chunk[-1] + 1
            self._learn_chunk(inputs_learn[chunk], None if targets is None else targets[chunk])
        if first < len(learn):
            answers.append(self._predict(inputs_pred[first:]))
        return np.concatenate(answers)

    # ------------------------------------------------------------------ inputs
    def _model_inputs(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Both streams as matrices over the registered features (a feature first seen in a
        learnt row registers now; one seen only in predicted rows is left out)."""
        if X_pred.columns == X_learn.columns:
            rows, _ = self.align(X_learn.columns, X_learn.X, learn)
            matrix = self._matrix(X_learn.X, rows)
            if X_pred is X_learn or X_pred.X is X_learn.X:
                return matrix, matrix
            return self._matrix(X_pred.X, rows), matrix
        columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
        X_p, X_l = _reindex(X_pred, columns), _reindex(X_learn, columns)
        rows, _ = self.align(columns, X_l, learn)
        return self._matrix(X_p, rows), self._matrix(X_l, rows)

    def _matrix(self, X: np.ndarray, rows: np.ndarray) -> np.ndarray:
        width = len(self.feature_names_)
        out = np.zeros((len(X), width))
        keep = rows < width
        out[:, rows[keep]] = X[:, keep]
        out[~np.isfinite(out)] = 0.0
        return out

    # ------------------------------------------------------------------ the live network
    def _sync_network(self) -> None:
        """Build the network, or grow it when features or classes were registered."""
        shape = (self._n_inputs(), self._n_outputs())
        if self._network is not None and self._network_shape == shape:
            return
        if self._network is None:
            self._device = resolve_device(self, self.device)
            network = self._make_network(*shape)
            if hasattr(network, "initial_state"):
                initial = network.initial_state(self._rng)
            else:  # a user's module starts from its own weights
                initial = {name: to_numpy(value) for name, value in network.state_dict().items()}
            self._install(network, initial, None, shape)
            return
        weights, optimizer_state = self._export()
        network = self._make_network(*shape)
        grown = _grown_parameters(network, shape, self._network_shape)
        # the optimizer's per-weight slots (Adam's moments) grow with their weights
        for name, slots in optimizer_state.items():
            for key, value in slots.items():
                if np.shape(value) == self._parameter_shapes[name]:
                    slots[key] = _pad(value, grown.get(name))
        weights = {name: _pad(value, grown.get(name)) for name, value in weights.items()}
        self._install(network, weights, optimizer_state, shape)
        self._grow_replay()

    def _install(self, network: Any, weights: dict[str, np.ndarray],
                 optimizer_state: dict[str, dict[str, Any]] | None,
                 shape: tuple[int, int]) -> None:
        """Make ``network`` live with these (named) weights and optimizer state."""
        network = network.to(self._device)
        if hasattr(network, "rnn"):
            network.rnn.flatten_parameters()
        by_parameter, optimizer_by_parameter = _by_parameter(network, weights, optimizer_state)
        try:
            network.load_state_dict({name: from_numpy(value, self._device)
                                     for name, value in by_parameter.items()})
        except RuntimeError as exc:
            raise SchemaError(
                f"the stored weights do not fit {type(self).__name__}'s network: {exc}. "
                "Restore into an estimator built with the same parameters (and, for "
                "TorchModel, a module of the same architecture)") from None
        if hasattr(network, "bind"):
            network.bind()
        optimizer = self._build_optimizer(network)
        if optimizer_by_parameter:
            names = [name for name, _ in network.named_parameters()]
            stored = optimizer.state_dict()
            stored["state"] = {
                index: {key: from_numpy(value, "cpu") if isinstance(value, np.ndarray)
                        else value for key, value in optimizer_by_parameter[name].items()}
                for index, name in enumerate(names) if name in optimizer_by_parameter}
            optimizer.load_state_dict(stored)
        self._network, self._optimizer, self._network_shape = network, optimizer, shape
        self._parameter_shapes = _parameter_shapes(network)
        self._parameters = [p for p in network.parameters() if p.requires_grad]

    def _build_optimizer(self, network: Any) -> Any:
        if hasattr(network, "flat") and isinstance(self.optimizer, str):
            from streamlearn.neural._flat_optim import FlatOptimizer

            return FlatOptimizer(network.flat, self.optimizer, self.learning_rate)
        cls = self._optimizer_class()
        options: dict[str, Any] = {"lr": self.learning_rate}
        if isinstance(self.optimizer, str) and self.optimizer in ("adam", "adamw", "sgd"):
            options["fused"] = True  # one kernel for all parameters: far less per-step overhead
        return cls(network.parameters(), **options)

    def _export(self) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """The network's tensors and the optimizer's per-weight state, as named numpy
        arrays."""
        network = self._network
        weights = {name: to_numpy(value) for name, value in network.state_dict().items()}
        names = [name for name, _ in network.named_parameters()]
        optimizer_state = {}
        for index, slots in self._optimizer.state_dict()["state"].items():
            optimizer_state[names[index]] = {
                key: to_numpy(value) if hasattr(value, "detach") else value
                for key, value in slots.items() if value is not None}
        if not hasattr(network, "split"):
            return weights, optimizer_state
        named_optimizer: dict[str, dict[str, Any]] = {name: {} for name in network.layout}
        for key, value in optimizer_state.get("flat", {}).items():
            parts = (network.split(value) if np.shape(value) == weights["flat"].shape
                     else dict.fromkeys(network.layout, value))
            for name, part in parts.items():
                named_optimizer[name][key] = np.array(part)
        named_weights = {name: np.array(part) for name, part in
                         network.split(weights["flat"]).items()}
        return named_weights, {k: v for k, v in named_optimizer.items() if v}

    # ------------------------------------------------------------------ answering
    def _predict(self, inputs: np.ndarray) -> np.ndarray:
        network = self._network
        network.eval()
        with torch().inference_mode():
            tensor = self._tensor(inputs)
            return self._answer_from(network(tensor), tensor)

    def _tensor(self, inputs: np.ndarray) -> Any:
        """Model inputs as a tensor on the device, in the network's precision."""
        return from_numpy(np.asarray(inputs, dtype=self._input_dtype()), self._device)

    def _input_dtype(self) -> Any:
        return np.float64

    # ------------------------------------------------------------------ learning
    def _learn_chunk(self, inputs: np.ndarray, targets: np.ndarray | None) -> None:
        """``gradient_steps`` steps on the chunk (plus replayed events), then remember it."""
        self._network.train()
        if targets is not None:
            self._observe_targets(targets)
        for _ in range(self.gradient_steps):
            x, t = inputs, targets
            filled = min(self.replay_seen_, self.replay_size)
            if self.replay is not None and filled:
                drawn = _replay.sample(filled, len(inputs), self._rng)
                x = np.concatenate([inputs, self.replay_inputs_[drawn]])
                if t is not None:
                    t = np.concatenate([t, self.replay_targets_[drawn]])
            self._step(x, t)
        if self.replay is not None:
            self._remember(inputs, targets)

    def _step(self, x: np.ndarray, t: np.ndarray | None) -> None:
        rate = learning_rate(self.learning_rate, self.lr_schedule, self.lr_decay,
                             self.warmup_steps, self.n_updates_)
        for group in self._optimizer.param_groups:
            group["lr"] = rate
        inputs = self._tensor(x)
        targets = None if t is None else self._targets_tensor(t)
        network = self._network
        if hasattr(network, "backward"):  # backpropagation by hand (see MLPNetwork)
            outputs = network.activations(inputs)
            network.backward(outputs, self._loss_gradient(outputs[-1], targets, inputs))
        else:
            self._optimizer.zero_grad(set_to_none=True)
            self._loss(self._forward_for_training(inputs), targets, inputs).backward()
        if self.clip_gradient is not None:
            torch().nn.utils.clip_grad_norm_(self._parameters, self.clip_gradient)
        self._optimizer.step()
        self.n_updates_ += 1

    def _forward_for_training(self, inputs: Any) -> Any:
        return self._network(inputs)

    # ------------------------------------------------------------------ replay buffer
    def _remember(self, inputs: np.ndarray, targets: np.ndarray | None) -> None:
        if not hasattr(self, "replay_inputs_"):
            self.replay_inputs_ = np.zeros((self.replay_size, *inputs.shape[1:]))
            self.replay_targets_ = np.zeros(self.replay_size, dtype=_target_dtype(targets))
        kept, slots = _replay.slots(self.replay, self.replay_size, self.replay_seen_,
                                    len(inputs), self._rng)
        self.replay_inputs_[slots] = inputs[kept]
        if targets is not None:
            self.replay_targets_[slots] = targets[kept]
        self.replay_seen_ += len(inputs)

    def _grow_replay(self) -> None:
        """Pad remembered inputs with zeros (missing) for features registered since."""
        if hasattr(self, "replay_inputs_"):
            width = self._input_width()
            missing = width - self.replay_inputs_.shape[-1]
            if missing > 0:
                pad = [(0, 0)] * (self.replay_inputs_.ndim - 1) + [(0, missing)]
                self.replay_inputs_ = np.pad(self.replay_inputs_, pad)

    def _input_width(self) -> int:
        """Width of the last axis of one event's model input."""
        return self._n_inputs()

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()  # type: ignore[misc]
        if getattr(self, "_network", None) is not None:
            weights, optimizer_state = self._export()
            snap["state"]["network_"] = weights
            snap["state"]["optimizer_"] = optimizer_state
        if getattr(self, "_rng", None) is not None:
            snap["state"]["rng_"] = self._rng.bit_generator.state
        return snap

    def restore(self, snapshot: dict[str, Any]) -> Any:
        state = dict(snapshot.get("state", {}))
        live = {key: state.pop(key, None) for key in _LIVE_KEYS}
        super().restore({**snapshot, "state": state})  # type: ignore[misc]
        self._network = None
        self._rng = None
        if live["rng_"] is not None:
            self._rng = np.random.default_rng(self.seed)
            self._rng.bit_generator.state = live["rng_"]
        if live["network_"] is not None:
            self._validate()
            self._device = resolve_device(self, self.device)
            shape = (self._n_inputs(), self._n_outputs())
            self._install(self._make_network(*shape), live["network_"],
                          live["optimizer_"], shape)
        return self


def _by_parameter(network: Any, weights: dict[str, np.ndarray],
                  optimizer_state: dict[str, dict[str, Any]] | None
                  ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]] | None]:
    """Named weights (and optimizer slots) as the network's own parameters: the same, or
    joined into one flat parameter for a network that keeps them so."""
    if not hasattr(network, "join"):
        return weights, optimizer_state
    flat_weights = {"flat": network.join(weights)}
    if not optimizer_state:
        return flat_weights, None
    shapes = network.parameter_shapes()
    first = next(iter(network.layout))
    slots = {}
    for key, value in optimizer_state.get(first, {}).items():
        if np.shape(value) == shapes[first]:
            slots[key] = network.join({name: optimizer_state[name][key]
                                       for name in network.layout})
        else:
            slots[key] = value
    return flat_weights, {"flat": slots}


def _parameter_shapes(network: Any) -> dict[str, tuple[int, ...]]:
    if hasattr(network, "parameter_shapes"):
        return network.parameter_shapes()
    return {name: tuple(p.shape) for name, p in network.named_parameters()}


def _grown_parameters(network: Any, new: tuple[int, int], old: tuple[int, int]
                      ) -> dict[str, tuple[int, int]]:
    """Parameter name -> (axis, entries to add) for the inputs and outputs that grew."""
    grown: dict[str, tuple[int, int]] = {}
    for sizes, (new_size, old_size) in ((network.input_parameters(), (new[0], old[0])),
                                        (network.output_parameters(), (new[1], old[1]))):
        if new_size > old_size:
            for name, axis in sizes.items():
                previous = grown.get(name)
                if previous is not None and previous[0] != axis:
                    raise RuntimeError(f"parameter {name} grows along two axes")
                grown[name] = (axis, new_size - old_size)
    return grown


def _pad(value: Any, growth: tuple[int, int] | None) -> Any:
    if growth is None or not isinstance(value, np.ndarray):
        return value
    axis, count = growth
    pad = [(0, 0)] * value.ndim
    pad[axis] = (0, count)
    return np.pad(value, pad)


def _target_dtype(targets: np.ndarray | None) -> Any:
    return np.float64 if targets is None else targets.dtype


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out
