"""The scaling study's log–log picture: measured times, each method's fitted slope, the
seeds' predicted slopes, and the estimates past a method's budget."""

from __future__ import annotations

import numpy as np

from diffcompare.plots.figures import colours, new_figure


def figure(study):
    from diffcompare.studies.scale import law

    fig = new_figure((8.0, 5.2))
    ax = fig.add_subplot()
    palette = colours()
    sizes = sorted(study.cost_f)
    if sizes:
        ax.plot(sizes, [study.cost_f[n] for n in sizes], "k-", linewidth=1.2, alpha=0.6,
                label="cost(f): one evaluation")
    for k, method in enumerate(study.methods):
        colour = palette[k % len(palette)]
        measured = study.measured(method)
        estimated = [r for r in study.runs if r.method == method and not r.measured]
        if not measured:
            continue
        slope = study.slope(method)
        label = method + ("" if slope is None else f" (slope {slope:.2f})")
        ax.plot([r.n for r in measured], [r.seconds for r in measured], "o-", color=colour,
                label=label, markersize=4, linewidth=1.4)
        if estimated:
            last = measured[-1]
            ax.plot([last.n, *(r.n for r in estimated)],
                    [last.seconds, *(r.seconds for r in estimated)], "o--", color=colour,
                    markerfacecolor="white", markersize=4, linewidth=1.0)
        exponent = law(method)
        if exponent is not None and sizes:
            # the seeds' law through the method's first point: n^law · cost(f)
            first = measured[0]
            grid = np.array(sizes, dtype=float)
            cost = np.array([study.cost_f[n] for n in sizes])
            predicted = first.seconds * (grid / first.n) ** exponent * cost / study.cost_f[
                first.n]
            ax.plot(grid, predicted, ":", color=colour, linewidth=1.0, alpha=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n (inputs)")
    ax.set_ylabel("seconds for one gradient")
    ax.set_title(f"{study.function}: cost of a gradient as n grows (dotted: the seeds' laws, "
                 "n·cost(f) and cost(f); hollow: estimates past the budget)", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig
