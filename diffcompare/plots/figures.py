"""Pictures: results -> matplotlib figures, which notebooks display and commands write to
files. Imported only by what draws, so nothing else pays for matplotlib. Figures are made
with matplotlib's object API (no pyplot state, no backend switched): a returned Figure
shows in Jupyter, and savefig needs no display."""

from __future__ import annotations

from pathlib import Path

from diffcompare.errors import InputError

FORMATS = (".png", ".svg", ".pdf")


def new_figure(figsize: tuple[float, float]):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def colours() -> list[str]:
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def save(fig, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"cannot write {path.name}: choose a file ending in "
                         f"{', '.join(FORMATS)}")
    try:
        fig.savefig(path, dpi=150, bbox_inches="tight",
                    metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _layered_positions(graph) -> dict[str, tuple[float, float]]:
    """x = level; within a level, nodes sorted by the mean height of their arguments
    (the barycenter heuristic), which keeps edges from crossing in small graphs."""
    by_level: dict[int, list] = {}
    for node in graph.nodes:
        by_level.setdefault(node.level, []).append(node)
    position: dict[str, tuple[float, float]] = {}
    for level in sorted(by_level):
        column = by_level[level]
        if level > 0:
            def centre(node, column=column):
                ys = [position[a][1] for a in graph.arguments(node.name)]
                return sum(ys) / len(ys) if ys else 0.0
            column = sorted(column, key=centre, reverse=True)  # the first is drawn on top
        top = (len(column) - 1) / 2
        for k, node in enumerate(column):
            position[node.name] = (float(level), top - k)
    return position


def draw_graph(graph, path: str | Path) -> Path:
    return save(graph_figure(graph), path)


def graph_figure(graph):
    """The computational graph, inputs on the left, the outputs on the right."""
    from diffcompare.render.graph import label

    position = _layered_positions(graph)
    levels = 1 + max(n.level for n in graph.nodes)
    tallest = max(sum(1 for n in graph.nodes if n.level == lv) for lv in range(levels))
    fig = new_figure((2.9 * levels + 0.5, 1.1 * tallest + 1.0))
    ax = fig.add_subplot()
    boxes = {}
    for node in graph.nodes:
        colour = "#cfe2f3" if node.is_input else ("#f9cb9c" if node.is_output else "#eeeeee")
        x, y = position[node.name]
        boxes[node.name] = ax.text(x, y, "\n".join(label(node)), ha="center", va="center",
                                   fontsize=9, family="DejaVu Sans",
                                   bbox={"boxstyle": "round,pad=0.4", "fc": colour,
                                         "ec": "#555555"})
    for a, b in graph.edges:
        ax.annotate("", xy=position[b], xytext=position[a],
                    arrowprops={"arrowstyle": "-|>", "color": "#444444",
                                "patchA": boxes[a].get_bbox_patch(),
                                "patchB": boxes[b].get_bbox_patch(),
                                "shrinkA": 2, "shrinkB": 2})
    ax.set_xlim(-0.7, levels - 0.3)
    half = max(tallest, 1) / 2
    ax.set_ylim(-half - 0.2, half + 0.2)
    ax.axis("off")
    ax.set_title(f"computational graph of {graph.expression}", fontsize=10)
    return fig


def plot_swell(rows, title: str, path: str | Path) -> Path:
    return save(swell_figure(rows, title), path)


def swell_figure(rows, title: str):
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


def plot_step_study(study, path: str | Path) -> Path:
    return save(step_study_figure(study), path)


def step_study_figure(study):
    """Two panels: the estimate against the step (the first seed's figure) and the error
    against the step on log-log axes, with each scheme's error model drawn in."""
    import numpy as np

    from diffcompare.render.numbers import number
    from diffcompare.studies.epsplot import common_steps

    fig = new_figure((13, 5.2))
    left, right = fig.subplots(1, 2)
    palette = colours()
    unit = f"% of {study.wrt}" if study.relative else "absolute"
    for k, s in enumerate(study.sweeps):
        colour = palette[k % len(palette)]
        x = study.axis(s.steps)
        left.plot(x, s.estimates, color=colour, linewidth=1.2, label=s.scheme)
        if study.exact is None:
            continue
        floor = np.finfo(float).eps * max(abs(study.exact), 1e-300) / 4
        slope = "" if s.observed_order is None else f", slope {s.observed_order:.2f}"
        # An error of exactly 0 has no place on a log axis: a dot on the floor instead.
        right.plot(x, np.where(s.errors > 0, s.errors, np.nan), color=colour, linewidth=1.1,
                   label=f"{s.scheme}{slope}")
        exact_hits = s.errors == 0
        right.plot(x[exact_hits], np.full(exact_hits.sum(), floor), ".", color=colour,
                   markersize=3)
        if s.model is not None:
            right.plot(x, np.maximum(s.model(s.steps), floor), color=colour, linestyle="--",
                       linewidth=1.0, alpha=0.8)
            if s.model.optimal_step is not None:
                h = s.model.optimal_step
                right.plot(study.axis([h]), s.model([h]), marker="*", markersize=13,
                           color=colour, markeredgecolor="black", linestyle="none")
        if s.own_estimate is not None:
            right.plot(x, np.maximum(s.own_estimate, floor), color=colour, linestyle=":",
                       linewidth=1.0, label=f"{s.scheme}: its own error estimate")
    for ax in (left, right) if study.exact is not None else (left,):
        ax.set_xscale("log")
        ax.set_xlabel(f"step h ({unit})")
        for c in common_steps(study.x):
            ax.axvline(study.axis([c.step])[0], color="grey", linestyle=":", linewidth=0.9)
    if study.exact is not None:
        _label_common_steps(right, study)
        left.axhline(study.exact, color="black", linewidth=1.0, linestyle="--",
                     label=f"exact {number(study.exact)}")
        left.set_ylim(*_estimate_window(study))
        right.set_yscale("log")
        right.set_ylabel("absolute error")
        right.set_title("error: measured (solid), model (dashed), model's optimum (star); "
                        "dots on the floor: error exactly 0", fontsize=8)
        right.legend(fontsize=7, loc="lower left")
    else:
        right.axis("off")
        right.text(0.5, 0.5, f"no error to draw:\n{study.no_derivative}", ha="center",
                   va="center", wrap=True, fontsize=10, transform=right.transAxes)
        left.set_title(study.no_derivative, fontsize=8, color="darkred")
    left.set_ylabel(f"estimate of ∂f/∂{study.wrt}")
    left.legend(fontsize=7)
    p = study.problem
    at = ", ".join(number(x) for x in p.point)
    fig.suptitle(f"∂f/∂{study.wrt} of {p.describe()} at ({at}): finite differences against "
                 "the step", fontsize=11)
    return fig


def _label_common_steps(ax, study) -> None:
    from diffcompare.studies.epsplot import common_steps

    transform = ax.get_xaxis_transform()
    for k, c in enumerate(common_steps(study.x)):
        ax.text(study.axis([c.step])[0], 0.99 - 0.05 * k, f" {c.name}", transform=transform,
                fontsize=7, color="dimgrey", va="top")


def _estimate_window(study) -> tuple[float, float]:
    """Around the exact value, wide enough for the estimates at sensible steps: the
    middle 90% of the finite estimates, so round-off's wild values at tiny steps do not
    flatten the picture."""
    import numpy as np

    values = np.concatenate([s.estimates[np.isfinite(s.estimates)] for s in study.sweeps])
    low, high = np.percentile(values, [5, 95]) if values.size else (study.exact, study.exact)
    low, high = min(low, study.exact), max(high, study.exact)
    pad = max((high - low) * 0.15, abs(study.exact) * 1e-12, 1e-300)
    return low - pad, high + pad
