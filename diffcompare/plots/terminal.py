"""The same figures in the terminal, drawn with plotext: several labelled series, built as
text, so a command prints the figure below its table and a test can read it. Only what the
CLI shows when standard output is a terminal and no file was asked for.

Log axes are drawn as log₁₀ of the values on a linear axis, and labelled so: plotext's own
log scale prints its ticks with four fixed decimals (1e-6 reads 0.0000), and setting ticks
by hand undoes its log transform (plotext 6.1).
"""

from __future__ import annotations

import math

WIDTH, HEIGHT = 100, 22


def _log10(values) -> list[float]:
    return [math.log10(v) if v > 0 and math.isfinite(v) else math.nan for v in values]


class _Canvas:
    def __init__(self, title: str, xlabel: str, ylabel: str, width: int, colour: bool):
        import plotext

        self.plotext, self.colour = plotext, colour
        self.figure = plotext.figure
        self.figure.clear()
        self.figure.plot_size(max(40, width), HEIGHT)
        self.figure.theme("default" if colour else "colorless")
        self.figure.title(title)
        self.figure.label(xlabel, "x")
        self.figure.label(ylabel, "y")
        self.drawn = 0

    def series(self, label: str, xs, ys) -> None:
        pairs = [(float(x), float(y)) for x, y in zip(xs, ys)
                 if math.isfinite(x) and math.isfinite(y)]
        if pairs:
            signal = self.figure.signal([x for x, _ in pairs], [y for _, y in pairs])
            self.figure.draw(signal.label(label).lines())
            self.drawn += 1

    def text(self) -> str:
        if not self.drawn:
            return "(nothing finite to draw)"
        built = str(self.figure.build())
        return built if self.colour else self.plotext.uncolorize(built)


def step_study(study, width: int = WIDTH, colour: bool = True) -> str:
    """The error against the step, log₁₀ of both, one series per scheme."""
    if study.exact is None:
        return f"(no error to draw: {study.no_derivative})"
    unit = f"% of {study.wrt}" if study.relative else ""
    canvas = _Canvas(f"error of ∂f/∂{study.wrt} against the step h", f"log₁₀ h {unit}".strip(),
                     "log₁₀ error", width, colour)
    for sweep in study.sweeps:
        canvas.series(sweep.scheme, _log10(study.axis(sweep.steps)), _log10(sweep.errors))
    return canvas.text()


def swell(rows, title: str, width: int = WIDTH, colour: bool = True) -> str:
    from diffcompare.studies.swell import MEASURES

    canvas = _Canvas(title, "k (family member)", "log₁₀ size (operations)", width, colour)
    ks = [r.k if r.k is not None else i for i, r in enumerate(rows, 1)]
    for measure in MEASURES:
        canvas.series(measure.title, ks, _log10([getattr(r, measure.column) or 0
                                                 for r in rows]))
    return canvas.text()


def taylor(study, width: int = WIDTH, colour: bool = True) -> str:
    """Each method's relative error against the order, log₁₀ (an exact 0 at 10⁻¹⁷)."""
    from diffcompare.plots.taylor import series

    canvas = _Canvas(f"{study.label}: error against order", "order k", "log₁₀ relative error",
                     width, colour)
    for run in study.runs:
        orders, errors = series(study, run)
        canvas.series(run.method, orders, _log10(errors))
    return canvas.text()


def descent(study, width: int = WIDTH, colour: bool = True) -> str:
    """f − f* against the iteration, log₁₀ f − f*, one series per run."""
    from diffcompare.plots.descent import convergence

    canvas = _Canvas(f"{study.optimizer}: f − f* against the iteration", "iteration",
                     "log₁₀(f − f*)", width, colour)
    for label, iterations, gaps, _ in convergence(study):
        canvas.series(label, iterations, _log10(gaps))
    return canvas.text()
