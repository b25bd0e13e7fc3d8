"""The design's decisions, held by reading the package's syntax trees: no method asks what
kind of input it was given, no module outside the registries decides by comparing a
method's, a kind's, a format's or an optimizer's name to a string, and imports point one
way (ops/expr -> engine -> problems -> methods -> analysis/studies -> render/plots -> cli/web).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "diffcompare"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _names() -> set[str]:
    from diffcompare.methods import KINDS, REGISTRY
    from diffcompare.render.formats import ALIASES, FORMATS
    from diffcompare.studies.descent import OPTIMIZERS

    return (set(REGISTRY) | set(KINDS) | set(FORMATS) | set(ALIASES) | set(OPTIMIZERS)
            | {"given", "exact"})


# Where each table is declared: there, and only there, the names are the data.
REGISTRIES = {"methods/registry.py", "methods/kinds.py", "render/formats/__init__.py",
              "studies/descent.py"}


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _string_comparisons(tree: ast.AST, names: set[str]):
    """``x == "name"``, ``x != "name"``, ``"name" in x``, ``x in ("a", "b")`` on names."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for operand in operands:
            literals = []
            if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                literals = [operand.value]
            elif isinstance(operand, (ast.Tuple, ast.List, ast.Set)):
                literals = [e.value for e in operand.elts
                            if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            for literal in literals:
                if literal in names:
                    yield node.lineno, literal


def test_no_method_asks_what_kind_of_input_it_was_given():
    found = []
    for path in MODULES:
        if _relative(path).startswith("methods/"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in ("program", "traced"):
                    found.append(f"{_relative(path)}:{node.lineno}: .{node.attr}")
    assert found == []


def test_no_module_outside_the_registries_compares_a_name_to_a_string():
    names = _names()
    found = []
    for path in MODULES:
        if _relative(path) in REGISTRIES:
            continue
        for line, literal in _string_comparisons(ast.parse(path.read_text()), names):
            found.append(f"{_relative(path)}:{line}: {literal!r}")
    assert found == []


LAYERS = [("ops", "expr", "parse", "errors"), ("engine", "math"), ("runtime",), ("problems",),
          ("methods",), ("analysis", "studies"), ("render", "plots"), ("cli", "web", "api")]


def _layer(module: str) -> int | None:
    head = module.split(".")[1] if module.count(".") else ""
    for k, names in enumerate(LAYERS):
        if head in names:
            return k
    return None


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_imports_point_down_the_layers(path):
    here = _layer("diffcompare." + _relative(path).replace("/", ".").removesuffix(".py"))
    if here is None:
        return
    runtime, engine = _layer("diffcompare.runtime"), _layer("diffcompare.engine")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("diffcompare."):
            there = _layer(node.module)
            if there is None or {here, there} == {runtime, engine}:
                continue  # runtime and engine sit side by side: neither needs the other
            assert there <= here, f"{_relative(path)}:{node.lineno} imports {node.module}"
