"""`Report`: what a prequential evaluation measured, as numbers, a table, JSON and a plot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Report:
    model: str
    events: int
    labelled: int
    seconds: float
    metrics: dict[str, float]
    rolling: dict[str, float]
    rolling_window: int
    history: dict[str, list[float]]
    predictions: np.ndarray | None = None
    skipped: int = 0
    skipped_reasons: list[str] = field(default_factory=list)
    delay: str | None = None
    batch_size: int = 1000

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """Everything but the predictions, as plain JSON-ready values."""
        return {
            "model": self.model, "events": self.events, "labelled": self.labelled,
            "seconds": self.seconds, "events_per_second": self.events_per_second,
            "batch_size": self.batch_size, "delay": self.delay,
            "metrics": self.metrics, "rolling": self.rolling,
            "rolling_window": self.rolling_window, "history": self.history,
            "skipped": self.skipped, "skipped_reasons": self.skipped_reasons,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    def table(self):
        """A rich table of the final metrics, the model and the throughput."""
        from rich.table import Table

        table = Table(title=f"Prequential evaluation: {self.model}", title_justify="left",
                      caption_justify="left", min_width=76)
        table.add_column("metric")
        table.add_column("whole stream", justify="right")
        table.add_column(f"last {self.rolling_window:,} events", justify="right")
        for name, value in self.metrics.items():
            rolling = next((v for k, v in self.rolling.items() if name in k), float("nan"))
            table.add_row(name, f"{value:.4f}", f"{rolling:.4f}")
        table.caption = (f"{self.events:,} events ({self.labelled:,} labelled) in "
                         f"{self.seconds:.2f} s = {self.events_per_second:,.0f} events/s"
                         + (f"; {self.skipped:,} skipped" if self.skipped else ""))
        return table

    def __str__(self) -> str:
        lines = [f"{self.model}: {self.events:,} events in {self.seconds:.2f} s"]
        lines += [f"  {name}: {value:.4f}" for name, value in self.metrics.items()]
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None):
        """The rolling metrics over the stream (and the cumulative ones, dashed)."""
        from streamlearn.evaluate.plot import plot_history

        return plot_history(self, path)
