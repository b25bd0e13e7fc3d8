"""``diffcompare serve``: one page, server-rendered, whose state lives in its URL.

Starlette (a small, well-kept ASGI toolkit: routing, requests, responses, a test client,
and nothing we would not use) under uvicorn. The page is whole HTML from the server — the
numbers are there with scripts off — and a vendored htmx (no build step, no CDN) only
enhances it: the form's changes fetch the panels again and put the canonical URL in the
address bar, so a link opens exactly what was on the projector.

Every request computes under the CLI's budgets, on a small pool (``WORKERS`` at once, at
most ``QUEUE`` waiting; past that a clear "busy"), so one request's x**x**x**x**x cannot
stall the others. Requests are capped in size, and none names a file: a sample is chosen
by name from the bundled ones, and an uploaded program — code, run as ``python FILE`` would
run it — is refused unless the server was started with ``--allow-programs``.
"""

from __future__ import annotations

import asyncio
import html
import math
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from diffcompare.errors import DiffcompareError, InputError, ParseError
from diffcompare.studies.report import Settings

STATIC = Path(__file__).resolve().parent / "static"
WORKERS, QUEUE = 2, 6  # computations at once, and waiting
MAX_QUERY = 16_384  # characters of a request's query string
MAX_UPLOAD = 256 * 1024  # bytes of an uploaded program
# CPU seconds per piece of a request's work: a page's (studies/report.py), smaller than the
# CLI's default, since a server's workers are shared
REQUEST_BUDGET = Settings.budget
SLIDERS = 6  # coordinates that get a slider (more: the text field alone)
H_RANGE = (-16.0, -1.0)  # log10 h on the step slider


@dataclass(frozen=True)
class Query:
    """A page's state, read from its URL (or its form)."""

    f: str = "3*(x1**2 + x2*x3)"
    at: str = "2,3,4"
    h: float | None = None
    view: str = "all"
    kind: str = "gradient"
    direction: str = ""
    wrt: str = ""
    program: str = ""  # an uploaded program's token (with --allow-programs)
    methods: str = ""  # the table's rows (empty: every method)

    def url(self) -> str:
        params = {"f": self.f, "at": self.at}
        for key, value in (("h", None if self.h is None else f"{self.h:.3g}"),
                           ("view", None if self.view == "all" else self.view),
                           ("kind", None if self.kind == Query.kind else self.kind),
                           ("dir", self.direction or None), ("wrt", self.wrt or None),
                           ("methods", self.methods or None),
                           ("program", self.program or None)):
            if value is not None:
                params[key] = value
        return "/?" + urlencode(params)


def read_query(params) -> Query:
    """The state from query parameters: f, at, h (or log_h from the slider, when fix_h is
    on), view, kind, dir, wrt. (The point's sliders write the at field: a script's.)"""
    from diffcompare.parse import parse_number

    at = params.get("at", Query.at)
    h = None
    if params.get("h"):
        h = parse_number(params["h"], "h")
    elif params.get("fix_h") and params.get("log_h"):
        h = 10.0 ** parse_number(params["log_h"], "log_h")
    if h is not None and not (math.isfinite(h) and h > 0):
        raise InputError(f"h must be a positive number, not {h:g}")
    from diffcompare.methods import KINDS

    kind = params.get("kind", Query.kind)
    if kind not in KINDS:
        raise InputError(f"no kind {kind!r}; kinds: {', '.join(KINDS)}")
    return Query(params.get("f", Query.f), at, h, params.get("view", "all") or "all", kind,
                 params.get("dir", ""), params.get("wrt", ""), params.get("program", ""),
                 params.get("methods", "").replace(" ", ""))


class Busy(Exception):
    """Every worker is taken and the queue is full."""


class Cancelled(Exception):
    """The browser went away (the cancel button, a closed tab): its computation stopped."""


PAGE_BUDGET = 20  # a page's worker may take this many times the per-piece budget in all
CANCEL_POLL = 0.05  # seconds between looks at whether the request was cancelled


def computed(cancelled: threading.Event, budget: float, *args):
    """``page(*args)`` in a forked worker, killed (with the workers it started) as soon as
    ``cancelled`` is set: a cancelled request stops its work, not only its wait."""
    from diffcompare.runtime import workers
    from diffcompare.runtime.budget import Budget

    job = workers.start(page, *args, budget=Budget(PAGE_BUDGET * budget), starts_workers=True)
    try:
        while not job.ready(CANCEL_POLL):
            if cancelled.is_set():
                raise Cancelled()
        return job.result("the page")
    finally:
        job.stop()


class Pool:
    """At most ``workers`` computations at once and ``queue`` more waiting for one."""

    def __init__(self, workers: int = WORKERS, queue: int = QUEUE):
        self.slots = threading.BoundedSemaphore(workers)
        self.lock = threading.Lock()
        self.workers, self.queue = workers, queue
        self.active = self.waiting = 0

    def run(self, work, *args):
        with self.lock:
            if self.active + self.waiting >= self.workers + self.queue:
                raise Busy()
            self.waiting += 1
        with self.slots:
            with self.lock:
                self.waiting -= 1
                self.active += 1
            try:
                return work(*args)
            finally:
                with self.lock:
                    self.active -= 1


class Cache:
    """The last ``size`` pages by their canonical URL: the same question asked again (a
    class opening the teacher's link) is answered without a worker, while pathological
    requests hold the pool. Its times are those of the first computation."""

    def __init__(self, size: int = 64):
        from collections import OrderedDict

        self.pages: OrderedDict[str, str] = OrderedDict()
        self.size, self.lock = size, threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        return None

    def put(self, key: str, page: str) -> None:
        with self.lock:
            self.pages[key] = page
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


class Programs:
    """Uploaded programs, kept in a directory of the server's own, named by a token the
    server makes: no request names a path."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="diffcompare-uploads-"))
        self.count = 0
        self.lock = threading.Lock()

    def save(self, code: bytes) -> str:
        with self.lock:
            self.count += 1
            token = f"program{self.count}"
        (self.folder / f"{token}.py").write_bytes(code)
        return token

    def path(self, token: str) -> str:
        if not token.isalnum() or not (self.folder / f"{token}.py").is_file():
            raise InputError("no such uploaded program (uploads last while the server runs)")
        return str(self.folder / f"{token}.py")


def _problem(query: Query, programs: Programs | None, budget: float):
    from diffcompare.problems.load import load_problem

    if query.program:
        if programs is None:
            raise InputError("this server runs no programs (start it with --allow-programs)")
        return load_problem(programs.path(query.program), query.at or None, None,
                            budget=budget)
    if not query.f.strip():
        raise InputError("type a function, e.g. 3*(x1**2 + x2*x3)")
    return load_problem(query.f, query.at, None, budget=budget)


def _panels(query: Query, programs, budget: float) -> tuple[str, object | None]:
    """The panels' HTML, and the problem (None where it could not be made)."""
    from diffcompare.parse import parse_number
    from diffcompare.render.page import error_panel
    from diffcompare.web.pages import panels_html

    try:
        problem = _problem(query, programs, budget)
        direction = tuple(parse_number(piece, "dir entry") for piece in
                          query.direction.split(",")) if query.direction.strip() else None
        settings = Settings(query.kind, direction, query.h, query.wrt or None, budget,
                            query.methods or None)
        return "".join(panels_html(problem, settings, query.view)), problem
    except ParseError as error:
        return error_panel(error.pointed()), None
    except DiffcompareError as error:
        return error_panel(str(error)), None


def _form(query: Query, problem, allow_programs: bool) -> str:
    """The controls: the function, the point (a slider per coordinate), the step h on a
    log scale, the kind and the view; htmx refreshes the panels as they change."""
    from diffcompare.methods import KINDS
    from diffcompare.studies.report import VIEWS

    def option(value, chosen, label=None):
        mark = " selected" if value == chosen else ""
        return f"<option value='{html.escape(value)}'{mark}>{html.escape(label or value)}</option>"

    sliders = ""
    if problem is not None and 0 < problem.n <= SLIDERS and not query.program:
        for k, (name, value) in enumerate(zip(problem.variables, problem.point)):
            span = max(1.0, abs(value))
            sliders += (f"<label for='at_{k}'>{html.escape(name)}</label><span><input "
                        f"type='range' id='at_{k}' data-coordinate='{k}' "
                        f"min='{value - 2 * span:g}' "
                        f"max='{value + 2 * span:g}' step='{span / 100:g}' value='{value:g}'>"
                        f" <output>{value:g}</output></span>")
    log_h = math.log10(query.h) if query.h else -8.0
    fixed = " checked" if query.h else ""
    upload = ("<label>program</label><span>upload a .py file below, or pick a sample "
              "(this server runs programs)</span>") if allow_programs else ""
    return (
        "<form id='controls' class='controls' method='get' action='/' hx-get='/' "
        "hx-target='#panels' hx-select='#panels' hx-swap='outerHTML' "
        "hx-trigger='input delay:400ms, change' "
        "hx-indicator='#working'>"
        f"<label for='f'>f</label><input type='text' id='f' name='f' "
        f"value='{html.escape(query.f)}' spellcheck='false'>"
        f"<label for='at'>at</label><input type='text' id='at' name='at' "
        f"value='{html.escape(query.at)}'>"
        f"{sliders}"
        f"<label for='log_h'>h</label><span><input type='checkbox' name='fix_h' value='1'"
        f"{fixed} title='a fixed step for every finite-difference scheme'> "
        f"<input type='range' id='log_h' name='log_h' min='{H_RANGE[0]:g}' "
        f"max='{H_RANGE[1]:g}' step='0.25' value='{log_h:g}'> "
        f"<output>{'h = ' + format(query.h, '.3g') if query.h else 'each scheme its rule'}"
        "</output></span>"
        "<label for='kind'>kind</label><select id='kind' name='kind'>"
        + "".join(option(k, query.kind) for k in KINDS) + "</select>"
        f"<label for='dir'>v or r</label><input type='text' id='dir' name='dir' "
        f"value='{html.escape(query.direction)}' placeholder='for jvp, vjp, hvp'>"
        "<label for='view'>view</label><select id='view' name='view'>"
        + option("all", query.view, "every view")
        + "".join(option(name, query.view, v.title) for name, v in VIEWS.items())
        + "</select>"
        f"<label for='methods'>methods</label><input type='text' id='methods' "
        f"name='methods' value='{html.escape(query.methods)}' placeholder='every method "
        "(or e.g. forward-fd,central-fd,reverse-ad)'>"
        f"<input type='hidden' name='program' value='{html.escape(query.program)}'>"
        f"{upload}"
        "<span></span><span><button type='submit'>show</button> "
        "<span id='working' class='htmx-indicator'>computing… "
        "<button type='button' hx-on:click=\"htmx.trigger('#controls', 'htmx:abort')\">"
        "cancel</button></span></span></form>")


UPLOAD_FORM = ("<form method='post' action='/upload' enctype='multipart/form-data'>"
               "<input type='file' name='program' accept='.py'> <button>run it</button>"
               "</form>")

# The sliders' numbers beside them; a coordinate's slider writes the point into the at field
# (without scripts, the at field is the point, and the page is whole as the server sent it).
SCRIPT = ("<script src='/static/htmx.min.js'></script><script>"
          "document.addEventListener('input', function (e) {"
          "  var t = e.target, out = t.parentElement && t.parentElement.querySelector('output');"
          "  if (t.type !== 'range') return;"
          "  if (out) out.textContent = t.name === 'log_h' ? 'h = 1e' + t.value : t.value;"
          "  if (t.dataset.coordinate !== undefined) {"
          "    var at = document.getElementById('at'), parts = at.value.split(',');"
          "    parts[Number(t.dataset.coordinate)] = t.value; at.value = parts.join(','); }"
          "}, true);"
          "function stepper() {"
          "  var button = document.getElementById('step-reverse'); if (!button) return;"
          "  var tables = document.querySelectorAll('#trace table');"
          "  var rows = Array.from(tables[tables.length - 1].rows).slice(1), shown = 0;"
          "  button.parentElement.hidden = false;"
          "  rows.forEach(function (r) { r.hidden = true; });"
          "  var node = function (row) {"
          "    var name = row.cells[0].textContent.split('=')[0].replace(/[^v0-9-]/g, '');"
          "    return document.getElementById('node-' + name); };"
          "  document.querySelectorAll('[id^=node-]').forEach(function (g) {"
          "    g.style.opacity = 0.3; });"
          "  button.onclick = function () {"
          "    if (shown < rows.length) { rows[shown].hidden = false;"
          "      var g = node(rows[shown]); if (g) g.style.opacity = 1; shown += 1; }"
          "    document.getElementById('step-count').textContent ="
          "      shown + ' of ' + rows.length + ' adjoints'; };"
          "}"
          "document.addEventListener('DOMContentLoaded', stepper);"
          "document.addEventListener('htmx:afterSettle', stepper);"
          "</script>")


def page(query: Query, allow_programs: bool, programs,
         budget: float = REQUEST_BUDGET) -> tuple[str, str]:
    """(the whole page, its canonical URL)."""
    from diffcompare.render.page import document_page

    panels, problem = _panels(query, programs, budget)
    body = ("<h1>diffcompare</h1><p class='dim'>every way of differentiating a function, "
            "side by side, against an exact reference · <a href='/exercise'>exercises</a>"
            "</p>"
            + _form(query, problem, allow_programs)
            + (UPLOAD_FORM if allow_programs else "")
            + f"<div id='panels'>{panels}</div>" + SCRIPT)
    return document_page(f"diffcompare: {query.f if not query.program else 'a program'}",
                         body), query.url()


def create_app(allow_programs: bool = False, pool: Pool | None = None,
               budget: float = REQUEST_BUDGET):
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    pool = pool or Pool()
    programs = Programs() if allow_programs else None
    cache = Cache()

    def busy() -> Response:
        return HTMLResponse(
            "<!DOCTYPE html><p class='busy'>busy: every worker is computing and the queue is "
            "full; try again in a moment</p>", status_code=503, headers={"Retry-After": "2"})

    async def index(request):
        if len(request.url.query) > MAX_QUERY:
            return HTMLResponse("request too large", status_code=414)
        try:
            query = read_query(dict(request.query_params))
        except DiffcompareError as error:
            query = Query()
            message = str(error)
            return HTMLResponse(page_with_error(query, message), status_code=400)
        key = query.url()
        text = None if query.program else cache.get(key)  # an upload may be replaced
        if text is None:
            cancelled = threading.Event()
            work = asyncio.ensure_future(run_in_threadpool(
                pool.run, computed, cancelled, budget, query, allow_programs, programs,
                budget))
            while not work.done():
                await asyncio.wait({work}, timeout=0.2)
                if not work.done() and await request.is_disconnected():
                    cancelled.set()
            try:
                text, _ = work.result()
            except Busy:
                return busy()
            except Cancelled:
                return Response(status_code=499)  # nobody is there to read it
            cache.put(key, text)
        return HTMLResponse(text, headers={"HX-Push-Url": key})

    def page_with_error(query: Query, message: str) -> str:
        from diffcompare.render.page import document_page, error_panel

        return document_page("diffcompare", _form(query, None, allow_programs)
                             + f"<div id='panels'>{error_panel(message)}</div>" + SCRIPT)

    async def upload(request):
        if programs is None:
            return HTMLResponse("this server runs no programs: start it with "
                                "--allow-programs to upload one", status_code=403)
        if int(request.headers.get("content-length", "0")) > MAX_UPLOAD + 4096:
            return HTMLResponse("that file is too large", status_code=413)
        form = await request.form(max_files=1, max_fields=4)
        file = form.get("program")
        if file is None or not hasattr(file, "read"):
            return HTMLResponse("no file", status_code=400)
        code = await file.read(MAX_UPLOAD + 1)
        if len(code) > MAX_UPLOAD:
            return HTMLResponse("that file is too large", status_code=413)
        token = programs.save(code)
        return RedirectResponse(Query(f="", at="", program=token).url(), status_code=303)

    async def no_icon(request):
        return Response(status_code=204)

    async def exercise(request):
        from diffcompare.web.exercises import exercise_page

        if len(request.url.query) > MAX_QUERY:
            return HTMLResponse("request too large", status_code=414)
        try:
            text = await run_in_threadpool(pool.run, exercise_page,
                                           dict(request.query_params), budget)
        except Busy:
            return busy()
        return HTMLResponse(text)

    return Starlette(routes=[
        Route("/", index),
        Route("/favicon.ico", no_icon),
        Route("/exercise", exercise),
        Route("/upload", upload, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
