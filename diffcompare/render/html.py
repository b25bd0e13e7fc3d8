"""Any rich renderable as HTML, for Jupyter's _repr_html_: the same table the terminal shows."""

from __future__ import annotations


def from_rich(renderable, width: int = 160) -> str:
    from rich.console import Console

    console = Console(record=True, width=width, file=_Discard(), force_terminal=False,
                      highlight=False)
    console.print(renderable)
    return console.export_html(inline_styles=True, code_format="<pre style='font-size: "
                               "12px'>{code}</pre>")


class _Discard:
    """A file that forgets what it is given (the recording is what we keep)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
