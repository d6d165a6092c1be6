"""Matplotlib figure of a report's metric history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlearn.core.errors import require


def plot_history(report: Any, path: str | Path | None = None):
    require("matplotlib", "plot")
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report.metrics)
    fig, axes = plt.subplots(len(names) or 1, 1, figsize=(9, 2.6 * max(1, len(names))),
                             sharex=True, squeeze=False)
    events = report.history["events"]
    for ax, name in zip(axes[:, 0], names):
        rolling_name = next((k for k in report.rolling if name in k), None)
        if rolling_name is not None:
            ax.plot(events, report.history[rolling_name], label=rolling_name, linewidth=1.2)
        ax.plot(events, report.history[name], label=f"{name} (cumulative)", linestyle="--",
                linewidth=1.0)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    axes[-1, 0].set_xlabel("labelled events")
    fig.suptitle(f"{report.model}: {report.events:,} events, "
                 f"{report.events_per_second:,.0f} events/s", fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
