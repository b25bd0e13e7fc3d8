"""The exercise page: a sheet of problems (studies/exercise.py) to answer in the browser,
each answer graded (studies/grade.py) with the diagnosis of a wrong one. A plain form: it
works with scripts off."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from diffcompare.errors import DiffcompareError, ParseError

MAX_ANSWER = 2_000  # characters of one answer


def sheet_settings(params) -> dict:
    from diffcompare.studies.exercise import LEVELS, MAX_COUNT

    def integer(key, default, low, high):
        try:
            value = int(params.get(key, default))
        except ValueError:
            value = default
        return min(max(value, low), high)

    return {"topic": params.get("topic", "") or None,
            "level": integer("level", 1, min(LEVELS), max(LEVELS)),
            "count": integer("count", 5, 1, min(MAX_COUNT, 20)),
            "seed": integer("seed", 1, 0, 10 ** 9)}


def _verdict(problem, answer: str, budget: float) -> str:
    from diffcompare.studies.grade import grade

    if not answer.strip():
        return ""
    if len(answer) > MAX_ANSWER:
        return "<p class='failure'>that answer is too long to read</p>"
    try:
        found = grade(answer, problem.expression, problem.wrt, budget)
    except ParseError as error:
        return f"<p class='error'>{html.escape(error.pointed())}</p>"
    except DiffcompareError as error:
        return f"<p class='failure'>{html.escape(str(error))}</p>"
    if found.correct is True:
        return f"<p class='result'>right ({html.escape(found.route or '')})</p>"
    if found.correct is None:
        return f"<p class='warning'>undecided: {html.escape(found.reason)}</p>"
    return ("<p class='failure'>wrong</p><p class='note'>"
            f"{html.escape(found.diagnosis.message)}</p>")


def exercise_page(params, budget: float) -> str:
    """The sheet for the URL's topic, level, count and seed, with each answer graded."""
    from diffcompare.render.page import document_page
    from diffcompare.render.typeset import to_mathml
    from diffcompare.studies.exercise import TOPICS, exercises

    chosen = sheet_settings(params)
    try:
        sheet = exercises(chosen["topic"], chosen["level"], chosen["count"], chosen["seed"],
                          budget)
    except DiffcompareError as error:
        return document_page("diffcompare exercises",
                             f"<p class='failure'>{html.escape(str(error))}</p>")
    items = []
    for problem in sheet.problems:
        answer = params.get(f"answer{problem.number}", "")
        formula = to_mathml(problem.derivation.expr)
        items.append(
            f"<li id='problem{problem.number}'><p><math><mfrac><mo>&#x2202;</mo><mrow>"
            f"<mo>&#x2202;</mo><mi>{html.escape(problem.wrt)}</mi></mrow></mfrac><mrow>"
            f"<mo>(</mo>{formula}<mo>)</mo></mrow></math> &#xA0; <code>"
            f"{html.escape(problem.expression)}</code></p>"
            f"<input type='text' name='answer{problem.number}' size='60' "
            f"value='{html.escape(answer)}' placeholder='your d/d{html.escape(problem.wrt)}'"
            f" spellcheck='false'>{_verdict(problem, answer, budget)}</li>")
    hidden = "".join(f"<input type='hidden' name='{k}' value='{html.escape(str(v))}'>"
                     for k, v in chosen.items() if v is not None)
    topics = "".join(f"<option value='{t}'{' selected' if chosen['topic'] == t else ''}>"
                     f"{html.escape(topic.title)}</option>" for t, topic in TOPICS.items())
    another = urlencode({**{k: v for k, v in chosen.items() if v is not None},
                         "seed": chosen["seed"] + 1})
    body = ("<h1>exercises</h1><form method='get' action='/exercise'>"
            "<select name='topic'><option value=''>every topic</option>" + topics +
            "</select> <label>level <input type='number' name='level' min='1' max='3' "
            f"value='{chosen['level']}'></label> <label>seed <input type='number' "
            f"name='seed' value='{chosen['seed']}'></label> <button>new sheet</button></form>"
            f"<form method='get' action='/exercise' id='sheet'>{hidden}<ol>{''.join(items)}"
            "</ol><button type='submit'>grade my answers</button></form>"
            f"<p class='dim'><a href='/exercise?{html.escape(another)}'>another sheet</a> · "
            "write answers as formulas are written here: 2*x*cos(x**2)</p>")
    return document_page("diffcompare exercises", body)
