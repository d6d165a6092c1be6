"""Learning-rate schedules, as a function of the number of optimizer steps taken so far."""

from __future__ import annotations

import math

SCHEDULES = ("constant", "inverse_time", "inverse_sqrt", "exponential", "cosine")


def learning_rate(base: float, schedule: str, decay: float, warmup_steps: int, step: int
                  ) -> float:
    """The rate of step ``step`` (0-based).

    - ``"constant"``: ``base``;
    - ``"inverse_time"``: ``base / (1 + decay * step)``;
    - ``"inverse_sqrt"``: ``base / sqrt(1 + decay * step)``;
    - ``"exponential"``: ``base * exp(-decay * step)``;
    - ``"cosine"``: ``base * (1 + cos(pi * (decay * step mod 1))) / 2``, warm restarts every
      ``1 / decay`` steps (Loshchilov & Hutter, SGDR, ICLR 2017), so it keeps adapting on an
      endless stream.

    With ``warmup_steps``, the rate also rises linearly over the first steps (Goyal et al.,
    2017), which steadies Adam's first updates.
    """
    if schedule == "constant":
        rate = base
    elif schedule == "inverse_time":
        rate = base / (1.0 + decay * step)
    elif schedule == "inverse_sqrt":
        rate = base / math.sqrt(1.0 + decay * step)
    elif schedule == "exponential":
        rate = base * math.exp(-decay * step)
    else:
        rate = base * 0.5 * (1.0 + math.cos(math.pi * ((decay * step) % 1.0)))
    if step < warmup_steps:
        rate *= (step + 1) / warmup_steps
    return rate
