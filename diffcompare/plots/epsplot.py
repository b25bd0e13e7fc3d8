"""The finite-difference error against the step, with the error models drawn in."""

from __future__ import annotations

from diffcompare.plots.figures import colours, new_figure


def figure(study):
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
