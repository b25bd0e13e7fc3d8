"""Pictures: results -> matplotlib figures, which notebooks display and commands write to
files. Imported only by what draws, so nothing else pays for matplotlib. Figures are made
with matplotlib's object API (no pyplot state, no backend switched): a returned Figure
shows in Jupyter, and savefig needs no display."""

from __future__ import annotations

from pathlib import Path

from diffcompare.errors import InputError

PICTURES = (".png", ".svg", ".pdf")  # the suffixes a figure is written to


def new_figure(figsize: tuple[float, float]):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def colours() -> list[str]:
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def is_picture(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PICTURES


def save(fig, path: str | Path) -> bool:
    """Write the figure to ``path`` (its suffix says the format) atomically; True when an
    existing file was replaced."""
    from diffcompare.runtime.output import write_file

    path = Path(path)
    if not is_picture(path):
        raise InputError(f"cannot draw {path.name}: choose a file ending in "
                         f"{', '.join(PICTURES)}")
    svg = path.suffix.lower() == ".svg"

    def draw(target: Path) -> None:
        fig.savefig(target, dpi=150, bbox_inches="tight",
                    metadata={"Date": None} if svg else None)

    return write_file(path, draw)


def svg_text(fig) -> str:
    """The figure as SVG text, for a page (no file)."""
    import io

    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()
