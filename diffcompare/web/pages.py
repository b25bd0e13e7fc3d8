"""A function's page from the library's results: the views computed (studies/report.py),
each rendered (render/page.py) with its picture (plots/views.py)."""

from __future__ import annotations

from diffcompare.studies.report import Settings, panels, views_named


def panels_html(problem, settings: Settings, views) -> list[str]:
    from diffcompare.plots.views import svg_of
    from diffcompare.render.page import panel

    return [panel(item, svg_of(item.view.name, item.result) if item.result is not None
                  else "") for item in panels(problem, settings, views_named(views))]


def report_page(problem, kind=Settings.kind, direction=None, h=None, wrt=None, views="all",
                budget=Settings.budget) -> str:
    from diffcompare.render.page import report

    settings = Settings(kind, direction, h, wrt, budget)
    where = ", ".join(f"{name} = {value:g}" for name, value in
                      zip(problem.variables, problem.point)) if problem.n <= 12 else \
        f"{problem.n:,} inputs"
    return report(f"diffcompare: {problem.describe()}", f"at {where}; the {kind}",
                  [view.name for view in views_named(views)],
                  panels_html(problem, settings, views))
