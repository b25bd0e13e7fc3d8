"""One method's derivative as a picture: its entries (a matrix as a heat map)."""

from __future__ import annotations

import numpy as np

from diffcompare.plots.figures import new_figure


def figure(derivative):
    fig = new_figure((6, 4.2))
    ax = fig.add_subplot()
    value = np.asarray(derivative.value, dtype=float)
    if value.ndim == 2:
        image = ax.imshow(value, cmap="RdBu_r")
        fig.colorbar(image, ax=ax)
        for (i, j), v in np.ndenumerate(value):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8)
    else:
        ax.bar([str(k) for k in range(value.size)], value)
        ax.set_xlabel("entry")
    ax.set_title(f"{derivative.method}: {derivative.kind}", fontsize=10)
    return fig
