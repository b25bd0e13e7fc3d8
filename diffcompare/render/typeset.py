"""Expression trees typeset from the ops table's templates: LaTeX and MathML, iteratively
(deep trees are fine). Each operation brings its own template and says which of its
arguments need brackets (ops.Op.latex, .mathml, .brackets); here are only the leaves and
the brackets."""

from __future__ import annotations

from html import escape

from diffcompare.expr import ATOM, Call, Const, Expr, postorder
from diffcompare.ops import NEG


def variable(name: str) -> str:
    """x1 -> x_{1}, theta -> \\mathrm{theta}, v-1 -> v_{-1}, x[3] -> x_{3}."""
    if "[" in name:
        head, _, index = name.partition("[")
        return f"{variable(head)}_{{{index.rstrip(']')}}}"
    head = name.rstrip("0123456789")
    if name.startswith("v") and name[1:].lstrip("-").isdigit():
        return f"v_{{{name[1:]}}}"
    if head != name and head:
        return f"{head}_{{{name[len(head):]}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def _mathml_variable(name: str) -> str:
    if "[" in name:
        head, _, index = name.partition("[")
        return f"<msub><mi>{escape(head)}</mi><mn>{escape(index.rstrip(']'))}</mn></msub>"
    head = name.rstrip("0123456789")
    if head != name and head:
        return f"<msub><mi>{escape(head)}</mi><mn>{name[len(head):]}</mn></msub>"
    return f"<mi>{escape(name)}</mi>"


class _Form:
    """One target language: its leaves, its brackets, and the op template it reads."""

    def __init__(self, template, fraction, integer, name, wrap):
        self.template, self.fraction, self.integer = template, fraction, integer
        self.name, self.wrap = name, wrap


LATEX = _Form("latex", lambda p, q: rf"\frac{{{p}}}{{{q}}}", str, variable,
              lambda text: rf"\left({text}\right)")
MATHML = _Form("mathml", lambda p, q: f"<mfrac><mn>{p}</mn><mn>{q}</mn></mfrac>",
               lambda k: f"<mn>{k}</mn>", _mathml_variable,
               lambda text: f"<mrow><mo>(</mo>{text}<mo>)</mo></mrow>")


def _leaf(node: Expr, form: _Form) -> tuple[str, int]:
    if isinstance(node, Const):
        v = node.value
        sign = "-" if v < 0 and form is LATEX else ("<mo>&#x2212;</mo>" if v < 0 else "")
        if v.denominator == 1:
            return sign + form.integer(abs(v.numerator)), NEG.precedence if v < 0 else ATOM
        text = form.fraction(abs(v.numerator), v.denominator)
        return sign + text, NEG.precedence if v < 0 else ATOM
    return form.name(node.name), ATOM


def typeset(root: Expr, form: _Form = LATEX) -> str:
    done: dict[int, tuple[str, int]] = {}
    for node in postorder(root):
        if not isinstance(node, Call):
            done[id(node)] = _leaf(node, form)
            continue
        op = node.op
        template = getattr(op, form.template)
        args = [done[id(a)] for a in node.args]
        text = template
        for k, (arg, own) in enumerate(args, 1):
            needed = op.brackets[k - 1] if k - 1 < len(op.brackets) else None
            shown = form.wrap(arg) if needed is not None and own < needed else arg
            text = text.replace(f"@{k}", shown)
        if args:
            text = text.replace("@", args[0][0])
        atom = not args or all(b is None for b in op.brackets)
        done[id(node)] = (text, ATOM if atom else op.precedence)
    return done[id(root)][0]


def to_latex(root: Expr) -> str:
    return typeset(root, LATEX)


def to_mathml(root: Expr) -> str:
    """The expression as presentation MathML (the content of a <math> element)."""
    return typeset(root, MATHML)
