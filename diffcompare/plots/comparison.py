"""A comparison as a picture: each method's error and cost side by side."""

from __future__ import annotations

import numpy as np

from diffcompare.plots.figures import colours, new_figure


def figure(comparison):
    """Relative error (log) and evaluations of f per method."""
    rows = [r for r in comparison.rows if not r.result.failure]
    fig = new_figure((11, 4.2))
    left, right = fig.subplots(1, 2)
    names = [r.method for r in rows]
    floor = 1e-17  # an exact result (error 0) sits on the floor of the log axis
    errors = [max(r.rel_error, floor) if np.isfinite(r.rel_error) else np.nan for r in rows]
    palette = colours()
    left.bar(names, errors, color=[palette[k % len(palette)] for k in range(len(rows))])
    left.set_yscale("log")
    left.set_ylabel(f"relative error of the {comparison.kind} (1e-17: exact)")
    right.bar(names, [r.result.cost.forward_passes for r in rows], label="forward passes")
    right.bar(names, [r.result.cost.reverse_passes for r in rows],
              bottom=[r.result.cost.forward_passes for r in rows], label="reverse passes")
    right.set_ylabel("passes")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=45, labelsize=8)
    fig.suptitle(f"{comparison.kind} of {comparison.problem.describe()}", fontsize=10)
    fig.tight_layout()
    return fig
