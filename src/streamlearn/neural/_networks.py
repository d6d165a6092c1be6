"""The torch modules behind the built-in models (imported only once torch is needed).

Each network is built from its sizes and names which of its parameters face the inputs and
which the outputs, with the axis that counts them, so a model can grow them when a feature or
a class appears: new entries start at zero, which leaves every earlier answer unchanged.
Initial values come from a numpy generator, so a seed fixes them without touching torch's
global random state: uniform in ``±1/sqrt(fan_in)``, as torch's own defaults.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn
from torch.nn import functional

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    bound = 1.0 / np.sqrt(max(fan_in, 1))
    return rng.uniform(-bound, bound, size=shape)


def _times_slope(g: torch.Tensor, name: str, h: torch.Tensor) -> torch.Tensor:
    """``g`` times the activation's derivative, written from its output ``h``, in place."""
    if name == "relu":
        return g.mul_(h > 0)
    if name == "tanh":
        return g.sub_(g * h * h)
    return g.mul_(h - h * h)


class MLPNetwork(nn.Module):
    """Fully connected layers of ``sizes`` (inputs, hidden..., outputs); ``activation``
    between them, none after the last.

    All weights live in one flat parameter, so the optimizer updates them with one fused
    kernel, and :meth:`backward` computes the gradients by hand (plain backpropagation,
    Rumelhart, Hinton & Williams, 1986): for networks this small, autograd's per-operation
    bookkeeping costs more than the arithmetic. Outside, the weights go by the names
    ``weights.k`` (shape ``(n_out, n_in)``) and ``biases.k``.
    """

    def __init__(self, sizes: tuple[int, ...], activation: str, dtype: torch.dtype):
        super().__init__()
        self.sizes = tuple(sizes)
        self.activation = activation
        self.layout: dict[str, tuple[int, tuple[int, ...]]] = {}
        offset = 0
        for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            for name, shape in ((f"weights.{k}", (n_out, n_in)), (f"biases.{k}", (n_out,))):
                self.layout[name] = (offset, shape)
                offset += int(np.prod(shape))
        self.flat = nn.Parameter(torch.empty(offset, dtype=dtype))
        self._bound: tuple[list[torch.Tensor], ...] | None = None

    # ------------------------------------------------------------------ views of the weights
    def _views(self, tensor: torch.Tensor) -> list[torch.Tensor]:
        return [tensor[offset:offset + int(np.prod(shape))].view(shape)
                for offset, shape in self.layout.values()]

    def bind(self) -> None:
        """Allocate the gradient and the views of weights and gradients; call after ``.to``
        and outside inference mode (the optimizer updates them in place)."""
        self.flat.grad = torch.zeros_like(self.flat)
        weights = self._views(self.flat.detach())
        # weights stay (out, in); their transposes are views too, made once
        self._bound = (weights, self._views(self.flat.grad),
                       [w.t() if w.dim() == 2 else w for w in weights])

    def _weights(self) -> tuple[list[torch.Tensor], ...]:
        if self._bound is None:
            raise RuntimeError("MLPNetwork.bind() must be called before it computes")
        return self._bound

    # ------------------------------------------------------------------ compute
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activations(x)[-1]

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The input and every layer's output (the last one is the network's)."""
        weights, _, transposed = self._weights()
        activation = ACTIVATIONS[self.activation]
        outputs = [x]
        last = len(weights) // 2 - 1
        for k in range(last + 1):
            x = torch.addmm(weights[2 * k + 1], x, transposed[2 * k])
            if k < last:
                x = activation(x)
            outputs.append(x)
        return outputs

    def backward(self, outputs: list[torch.Tensor], grad_output: torch.Tensor) -> None:
        """Set the gradient of the loss whose derivative by the output is ``grad_output``."""
        weights, grads, _ = self._weights()
        g = grad_output
        for k in range(len(weights) // 2 - 1, -1, -1):
            torch.mm(g.t(), outputs[k], out=grads[2 * k])
            torch.sum(g, dim=0, out=grads[2 * k + 1])
            if k > 0:
                g = _times_slope(torch.mm(g, weights[2 * k]), self.activation, outputs[k])

    # ------------------------------------------------------------------ named weights
    def split(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        return {name: flat[offset:offset + int(np.prod(shape))].reshape(shape)
                for name, (offset, shape) in self.layout.items()}

    def join(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.asarray(arrays[name]).reshape(-1) for name in self.layout])

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        return {name: shape for name, (_, shape) in self.layout.items()}

    def initial_state(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        state = {}
        for k, (n_in, n_out) in enumerate(itertools.pairwise(self.sizes)):
            state[f"weights.{k}"] = _uniform(rng, (n_out, n_in), n_in)
            state[f"biases.{k}"] = _uniform(rng, (n_out,), n_in)
        return state

    def input_parameters(self) -> dict[str, int]:
        return {"weights.0": 1}

    def output_parameters(self) -> dict[str, int]:
        last = len(self.sizes) - 2
        return {f"weights.{last}": 0, f"biases.{last}": 0}


class RecurrentNetwork(nn.Module):
    """An LSTM or GRU over a sequence, then a linear head on its last hidden state."""

    def __init__(self, n_inputs: int, hidden: int, n_layers: int, cell: str, n_outputs: int,
                 dtype: torch.dtype):
        super().__init__()
        self.hidden = hidden
        kind = nn.LSTM if cell == "lstm" else nn.GRU
        # built on the meta device, so torch's global generator is never drawn from
        self.rnn = kind(n_inputs, hidden, num_layers=n_layers, batch_first=True,
                        device="meta", dtype=dtype).to_empty(device="cpu")
        self.head_weight = nn.Parameter(torch.empty(n_outputs, hidden, dtype=dtype))
        self.head_bias = nn.Parameter(torch.empty(n_outputs, dtype=dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return functional.linear(out[:, -1], self.head_weight, self.head_bias)

    def initial_state(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        state = {name: _uniform(rng, tuple(p.shape), self.hidden)
                 for name, p in self.named_parameters()}
        return state

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        return {name: tuple(p.shape) for name, p in self.named_parameters()}

    def input_parameters(self) -> dict[str, int]:
        return {"rnn.weight_ih_l0": 1}

    def output_parameters(self) -> dict[str, int]:
        return {"head_weight": 0, "head_bias": 0}
