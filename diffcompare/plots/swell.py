"""Expression swell drawn: sizes against the family member, log scale."""

from __future__ import annotations

from diffcompare.plots.figures import new_figure


def figure(rows, title: str):
    """Sizes against the family member k, on a log axis: one line per measure."""
    from diffcompare.studies.swell import MEASURES

    fig = new_figure((7.5, 4.8))
    ax = fig.add_subplot()
    ks = [r.k if r.k is not None else i for i, r in enumerate(rows, 1)]
    for measure in MEASURES:
        sizes = [getattr(r, measure.column) or 0 for r in rows]  # None: sympy timed out
        shown = [(k, s) for k, s in zip(ks, sizes) if s > 0]  # log axis: 0 cannot be drawn
        if shown:
            ax.plot(*zip(*shown), measure.marker, label=measure.title, linewidth=1.6,
                    markersize=4)
    ax.set_yscale("log")
    ax.set_xlabel("k (family member)")
    ax.set_ylabel("size (elementary operations)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig
