"""LaTeX: a fragment to \\input into a handout: paragraphs, tabular tables, align*
derivations, itemized trees."""

from __future__ import annotations

from diffcompare.render.document import Line, Math, Table, Tree

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    """Text as LaTeX prints it (its unicode kept: ∂, ∇, ‖ need a unicode engine or
    \\usepackage{newunicodechar})."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def write(document) -> str:
    out: list[str] = []
    for block in document.blocks:
        out.extend(_block(block))
    return "\n".join(out) + "\n"


def _block(block) -> list[str]:
    if isinstance(block, Line):
        text = escape(block.text)
        return [rf"\textbf{{{text}}}\par" if block.style in ("title", "result")
                else text + r"\par"]
    if isinstance(block, Table):
        spec = "".join("r" if c.align == "right" else "l" for c in block.columns)
        lines = [rf"\begin{{tabular}}{{{spec}}}",
                 " & ".join(rf"\textbf{{{escape(c.title)}}}" for c in block.columns) + r" \\",
                 r"\hline"]
        lines += [" & ".join(escape(c).replace("\n", " ") for c in row) + r" \\"
                  for row in block.rows]
        return lines + [r"\end{tabular}", ""]
    if isinstance(block, Math):
        body = " \\\\\n".join(rf"{left} &= {right}" + (rf" && \text{{{escape(note)}}}"
                                                          if note else "")
                              for (left, right), _, note in block.lines)
        return [r"\begin{align*}", body, r"\end{align*}"]
    if isinstance(block, Tree):
        lines, stack = [r"\begin{itemize}"], [(block, False)]
        while stack:
            node, closing = stack.pop()
            if closing:
                lines.append(r"\end{itemize}")
                continue
            lines.append(rf"\item {escape(node.label)}")
            if node.children:
                lines.append(r"\begin{itemize}")
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
        return lines + [r"\end{itemize}"]
    raise TypeError(f"no LaTeX form for {type(block).__name__}")
