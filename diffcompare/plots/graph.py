"""The computational graph drawn: levels left to right, values and adjoints in the nodes."""

from __future__ import annotations

from diffcompare.plots.figures import new_figure


def _layered_positions(graph) -> dict[str, tuple[float, float]]:
    """x = level; within a level, nodes sorted by the mean height of their arguments
    (the barycenter heuristic), which keeps edges from crossing in small graphs."""
    by_level: dict[int, list] = {}
    for node in graph.nodes:
        by_level.setdefault(node.level, []).append(node)
    position: dict[str, tuple[float, float]] = {}
    for level in sorted(by_level):
        column = by_level[level]
        if level > 0:
            def centre(node, column=column):
                ys = [position[a][1] for a in graph.arguments(node.name)]
                return sum(ys) / len(ys) if ys else 0.0
            column = sorted(column, key=centre, reverse=True)  # the first is drawn on top
        top = (len(column) - 1) / 2
        for k, node in enumerate(column):
            position[node.name] = (float(level), top - k)
    return position


MAX_PICTURE_NODES = 200  # past this a drawing is unreadable, and matplotlib's memory grows


def figure(graph):
    """The computational graph, inputs on the left, the outputs on the right."""
    if len(graph.nodes) > MAX_PICTURE_NODES:
        from diffcompare.errors import InputError

        raise InputError(f"the graph has {len(graph.nodes):,} nodes, too many to draw (at most "
                         f"{MAX_PICTURE_NODES}); write it as .dot or .json instead")
    from diffcompare.render.graph import label

    position = _layered_positions(graph)
    levels = 1 + max(n.level for n in graph.nodes)
    tallest = max(sum(1 for n in graph.nodes if n.level == lv) for lv in range(levels))
    fig = new_figure((2.9 * levels + 0.5, 1.1 * tallest + 1.0))
    ax = fig.add_subplot()
    boxes = {}
    for node in graph.nodes:
        colour = "#cfe2f3" if node.is_input else ("#f9cb9c" if node.is_output else "#eeeeee")
        x, y = position[node.name]
        boxes[node.name] = ax.text(x, y, "\n".join(label(node)), ha="center", va="center",
                                   fontsize=9, family="DejaVu Sans",
                                   gid=f"node-{node.name}",  # a page's script finds it
                                   bbox={"boxstyle": "round,pad=0.4", "fc": colour,
                                         "ec": "#555555"})
    for a, b in graph.edges:
        ax.annotate("", xy=position[b], xytext=position[a],
                    arrowprops={"arrowstyle": "-|>", "color": "#444444",
                                "patchA": boxes[a].get_bbox_patch(),
                                "patchB": boxes[b].get_bbox_patch(),
                                "shrinkA": 2, "shrinkB": 2})
    ax.set_xlim(-0.7, levels - 0.3)
    half = max(tallest, 1) / 2
    ax.set_ylim(-half - 0.2, half + 0.2)
    ax.axis("off")
    ax.set_title(f"computational graph of {graph.expression}", fontsize=10)
    return fig
