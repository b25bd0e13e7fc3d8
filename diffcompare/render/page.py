"""Pages: the views of one function (studies/report.py) as HTML — a self-contained file to
hand out (``report``), or the live page of ``serve`` with its form. Pure: the pictures come
in as SVG text; MathML is inline (browsers draw it natively); no external requests."""

from __future__ import annotations

import html

from diffcompare.render.formats.html import STYLE, fragment

PAGE_STYLE = STYLE + """
body{max-width:110em}
section{margin:1.2em 0;padding-top:.4em;border-top:1px solid #ccc;overflow-x:auto}
section svg{max-width:100%;height:auto}.error{color:#c00;white-space:pre;font-family:monospace}
form.controls{display:grid;grid-template-columns:max-content 1fr;gap:.4em 1em;align-items:center}
form.controls input[type=text]{width:40em;max-width:100%;font-family:monospace}
.busy{color:#a60}.htmx-indicator{display:none}.htmx-request .htmx-indicator{display:inline}
nav a{margin-right:1em}@media print{form,nav{display:none}}"""


def _documents():
    from diffcompare.render import comparison, derive, descent, epsplot, graph, scale, swell, trace

    return {"table": comparison.document, "derivation": derive.document,
            "trace": trace.document, "graph": graph.document, "epsplot": epsplot.document,
            "swell": lambda found: swell.document(found.rows, found.title),
            "descent": descent.document, "scale": scale.document}


def panel(item, svg: str = "") -> str:
    """One view: its title, its document, its picture; or why it has none."""
    title = f"<h2>{html.escape(item.view.title)}</h2>"
    if item.result is None:
        return (f"<section id='{item.view.name}'>{title}<p class='failure'>"
                f"{html.escape(item.failure)}</p></section>")
    body = fragment(_documents()[item.view.name](item.result))
    picture = f"<figure>{svg}</figure>" if svg else ""
    return f"<section id='{item.view.name}'>{title}{STEPPER.get(item.view.name, '')}" \
           f"{body}{picture}</section>"


# The reverse sweep one adjoint at a time: a script hides the sweep's rows and shows one
# more per press of the button (a page without scripts shows them all, and no button).
STEPPER = {"trace": "<p class='stepper' hidden><button type='button' id='step-reverse'>"
                    "step the reverse sweep</button> <span id='step-count'></span></p>"}


def error_panel(message: str) -> str:
    """A message in place of the views (a parser's caret message keeps its columns)."""
    return f"<section id='error'><p class='error'>{html.escape(message)}</p></section>"


def document_page(title: str, body: str, head: str = "") -> str:
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style>{head}</head>"
            f"<body>{body}</body></html>\n")


def report(title: str, subtitle: str, names: list[str], panels_html: list[str]) -> str:
    """A self-contained page: every view (``names``, in the order of ``panels_html``),
    printable, with no script and no request."""
    contents = "".join(f"<a href='#{name}'>{html.escape(name)}</a>" for name in names)
    return document_page(title, f"<h1>{html.escape(title)}</h1><p class='dim'>"
                                f"{html.escape(subtitle)}</p><nav>{contents}</nav>"
                         + "".join(panels_html))
