"""Optimizers over one flat parameter, with torch.optim's update rules and state layout.

For the small networks of streaming learning, ``torch.optim``'s per-call bookkeeping (hooks,
profiler records, per-parameter loops) costs several times the arithmetic of the update
itself. A network that keeps all its weights in one flat tensor (``MLPNetwork``) is updated
here with a handful of in-place tensor operations instead. The rules and their defaults are
torch's: Adam (Kingma & Ba, ICLR 2015), AdamW (Loshchilov & Hutter, ICLR 2019, weight decay
0.01), RMSprop (Tieleman & Hinton, 2012, ``alpha=0.99``) and plain SGD; the state uses
torch's names (``step``, ``exp_avg``, ``exp_avg_sq``, ``square_avg``), so snapshots read the
same whichever path produced them.
"""

from __future__ import annotations

import math
from typing import Any

import torch

BETA1, BETA2, EPS, ADAMW_DECAY, RMS_ALPHA, RMS_EPS = 0.9, 0.999, 1e-8, 0.01, 0.99, 1e-8


class FlatOptimizer:
    """The few members of ``torch.optim.Optimizer`` the neural models use."""

    def __init__(self, parameter: torch.Tensor, rule: str, lr: float):
        self.parameter = parameter
        self.rule = rule
        self.param_groups = [{"lr": lr}]
        self.state: dict[str, Any] = {}

    def _slots(self) -> tuple[str, ...]:
        return {"adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq"),
                "rmsprop": ("square_avg",), "sgd": ()}[self.rule]

    @torch.no_grad()
    def step(self) -> None:
        p, g = self.parameter.detach(), self.parameter.grad
        lr = self.param_groups[0]["lr"]
        if self.rule == "sgd":
            p.add_(g, alpha=-lr)
            return
        if not self.state:
            self.state = {"step": 0.0}
            self.state.update({name: torch.zeros_like(p) for name in self._slots()})
        self.state["step"] += 1.0
        t = self.state["step"]
        if self.rule == "rmsprop":
            square = self.state["square_avg"]
            square.mul_(RMS_ALPHA).addcmul_(g, g, value=1 - RMS_ALPHA)
            p.addcdiv_(g, square.sqrt().add_(RMS_EPS), value=-lr)
            return
        if self.rule == "adamw":
            p.mul_(1 - lr * ADAMW_DECAY)
        mean, square = self.state["exp_avg"], self.state["exp_avg_sq"]
        mean.lerp_(g, 1 - BETA1)
        square.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
        denominator = square.sqrt().div_(math.sqrt(1 - BETA2 ** t)).add_(EPS)
        p.addcdiv_(mean, denominator, value=-lr / (1 - BETA1 ** t))

    def state_dict(self) -> dict[str, Any]:
        """torch.optim's layout: parameter 0's state, if any."""
        return {"state": {0: dict(self.state)} if self.state else {},
                "param_groups": [dict(self.param_groups[0], params=[0])]}

    def load_state_dict(self, stored: dict[str, Any]) -> None:
        slots = stored["state"].get(0, {})
        self.state = {key: float(value) if key == "step" else value.to(self.parameter.device)
                      for key, value in slots.items()}
