"""Descent pictures: f − f* against the iteration for every run, and for two variables the
paths over the contour lines of f."""

from __future__ import annotations

import numpy as np

from diffcompare.plots.figures import colours, new_figure


def convergence(descent) -> list[tuple[str, list[int], list[float], bool]]:
    """(label, iterations, f − f*, is it the exact run) per run, f* the lowest f any run
    reached. The run that reached f* has a gap of exactly 0 there: a log axis leaves that
    point out."""
    best = descent.f_best or 0.0
    found = []
    for run in ([descent.exact] if descent.exact else []) + list(descent.runs):
        if run.iterates:
            gaps = [it.f - best for it in run.iterates]
            found.append((run.method, list(range(len(gaps))), gaps, run.exact))
    return found


EXACT_STYLE = {"color": "black", "linewidth": 2.2, "alpha": 0.45}


def figure(descent):
    two = descent.problem.n == 2
    fig = new_figure((13 if two else 7.5, 5.2))
    axes = fig.subplots(1, 2) if two else [fig.add_subplot()]
    palette = colours()
    for k, (label, iterations, gaps, exact) in enumerate(convergence(descent)):
        style = EXACT_STYLE if exact else {"color": palette[k % len(palette)], "linewidth": 1.2}
        positive = np.where(np.array(gaps) > 0, gaps, np.nan)  # 0: not on a log axis
        axes[0].plot(iterations, positive, label=label, **style)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("iteration")
    axes[0].set_ylabel("f − f*  (f* = the lowest f reached)")
    axes[0].grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    if two:
        _paths(axes[1], descent, palette)
    p = descent.problem
    start = ", ".join(f"{x:g}" for x in p.point_array[:6]) + (", …" if p.n > 6 else "")
    fig.suptitle(f"{descent.optimizer} on {p.describe()} from ({start})", fontsize=11)
    return fig


def _paths(ax, descent, palette) -> None:
    runs = [r for r in ([descent.exact] if descent.exact else []) + list(descent.runs)
            if r.iterates]
    points = np.array([it.point for r in runs for it in r.iterates
                       if np.all(np.isfinite(it.point))])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.maximum((high - low) * 0.15, 0.1)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], 200)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    tape = descent.problem.tape.scalar_view()  # one vectorized sweep over the whole grid
    with np.errstate(all="ignore"):
        z = np.broadcast_to(tape.output_values(tape.forward([grid_x, grid_y]))[0],
                            grid_x.shape)
    finite = z[np.isfinite(z)]
    if finite.size:
        levels = np.geomspace(max(finite.min() - finite.min() + 1e-3, 1e-3),
                              finite.max() - finite.min() + 1e-3, 18) + finite.min() - 1e-3
        ax.contour(grid_x, grid_y, z, levels=np.unique(levels), colors="grey",
                   linewidths=0.6, alpha=0.7)
    for k, run in enumerate(runs):
        path = np.array([it.point for it in run.iterates])
        style = EXACT_STYLE if run.exact else {"color": palette[k % len(palette)],
                                               "linewidth": 1.0}
        ax.plot(path[:, 0], path[:, 1], marker=".", markersize=3, label=run.method, **style)
    ax.plot(*descent.problem.point, marker="o", color="black", linestyle="none")
    names = descent.problem.variables
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title("paths over the contour lines of f", fontsize=9)
