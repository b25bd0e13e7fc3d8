"""Derivatives of any order drawn: each method's relative error against the order."""

from __future__ import annotations

from diffcompare.plots.figures import new_figure

MARKERS = {"taylor-ad": "o-", "nested-duals": "s--", "symbolic": "^-", "central-fd": "v-",
           "cauchy-fft": "D-", "richardson": "P-"}
FLOOR = 1e-17  # an exact 0 is drawn here, below every float's relative rounding


def series(study, run) -> tuple[list[int], list[float]]:
    """(orders, errors) that can be drawn on a log axis (an exact 0 at FLOOR)."""
    pairs = [(k, max(e, FLOOR)) for k, e in enumerate(study.errors(run), 1) if e is not None]
    return [k for k, _ in pairs], [e for _, e in pairs]


def figure(study):
    fig = new_figure((7.5, 4.8))
    ax = fig.add_subplot()
    for run in study.runs:
        orders, errors = series(study, run)
        if orders:
            ax.plot(orders, errors, MARKERS.get(run.method, "o-"), label=run.method,
                    linewidth=1.6, markersize=4)
    ax.set_yscale("log")
    ax.set_xlabel("order k of the derivative")
    ax.set_ylabel("relative error of f⁽ᵏ⁾")
    ax.set_title(f"{study.label}: error against order", fontsize=10)
    ax.axhline(FLOOR, color="0.6", linewidth=0.8, linestyle=":")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig
