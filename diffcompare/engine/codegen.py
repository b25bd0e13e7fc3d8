"""The gradient code written out: a tape's plan (engine/plans.py) printed as one Python
function that imports only numpy, computing the value and the gradient in one forward and
one reverse sweep. This is source transformation, the other way to implement reverse mode
that Baydin et al. describe beside operator overloading (Tapenade, Google's Tangent): here
from the trace, so a program's branches are the ones taken at the traced point, and each is
guarded — the code raises PathChanged where a recorded condition is answered otherwise, and
the caller traces again there (as a JIT re-specializes).

The code is the plan's steps, in its order: the method ``reverse-ad-compiled`` runs it and
the tape's reverse sweep runs the same steps, so the two agree bit for bit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffcompare.engine import pool
from diffcompare.engine.plans import plan_of
from diffcompare.engine.steps import Lit, PathChanged, Plan

INLINE_ENTRIES = 64  # a constant array with more entries is written as its bytes in hex


@dataclass(frozen=True)
class Generated:
    """The gradient code of one tape: its source, the plan it prints, and its function."""

    source: str
    plan: Plan
    function_name: str

    def load(self):
        """The generated function, imported as a module from this code written to a file
        (the tool's own text, made from the ops table and validated identifiers: no user
        text is ever run or evaluated)."""
        import importlib.util
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "value_and_grad.py"
            path.write_text(self.source, encoding="utf-8")
            spec = importlib.util.spec_from_file_location("diffcompare_generated", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        module.PathChanged = PathChanged  # its guards raise the tool's own class
        if _buffers(self.plan):  # its buffers from arrays of the pool's the trace let go
            module.BUFFERS.extend(pool.empty(shape) for shape in _buffers(self.plan))
        return getattr(module, self.function_name)


def input_names(tape) -> tuple[str, ...]:
    """The names the code takes its inputs by: a program's parameters, a formula's
    variables."""
    return tuple(getattr(tape, "names", None) or tape.variables)


def generate(tape, input_names: Sequence[str], title: str = "f",
             lines: Sequence[str] | None = None, seeded: bool = False) -> Generated:
    """The gradient code of ``tape``: value_and_grad(inputs) for one output, else (or
    ``seeded``) value_and_vjp(inputs, r). ``lines`` names the user's line of each record
    (a program's own, by default)."""
    plan = plan_of(tape, input_names, seeded)
    names = plan.inputs
    if lines is None and hasattr(tape, "lines"):  # a program's: each record's line
        lines = [tape.lines[k] for k in range(tape.n_inputs, len(tape.ops))
                 if tape.ops[k] is not None]
    function = "value_and_vjp" if plan.seeds else "value_and_grad"
    return Generated(_source(plan, function, title, input_names, names, lines), plan,
                     function)


def _source(plan: Plan, function: str, title: str, given: Sequence[str],
            names: Sequence[str], lines: Sequence[str] | None) -> str:
    renamed = [f"{n} (for {g})" for n, g in zip(names, given) if n != g]
    out = [f'"""{function} of {_oneline(title)}, written by diffcompare codegen.',
           "",
           "Reverse mode as source code: the forward sweep (v1, v2, ... as in diffcompare",
           "trace), then the reverse sweep (v_bar: the adjoint of v). Run it as it is:",
           "it imports only numpy." + (" Renamed: " + ", ".join(renamed) + "." if renamed
                                       else ""),
           '"""', "", "import numpy as np", "", ""]
    if plan.guards:
        out += ["class PathChanged(ArithmeticError):",
                '    """At this point the program takes another branch than the one this '
                'code was written for."""', "", ""]
    for register, value in plan.constants.items():
        out.append(f"{register} = {constant_code(value)}")
    if plan.blocks is not None:
        out += _blocks_constant(plan.blocks)
    buffers = _buffers(plan)
    if buffers:
        out.append("BUFFERS = []  # arrays the steps write into (out=), kept from call to call")
    if plan.constants or buffers:
        out += ["", ""]
    parameters = ", ".join([*names, *(["cotangent"] if plan.seeds else [])])
    out.append(f"def {function}({parameters}):")
    doc = "(f, the gradient)" if not plan.seeds else "(f, rᵀ·J for the cotangent r)"
    out.append(f'    """{doc} at the given inputs."""')
    for name, shape in zip(names, plan.shapes):
        out.append(f"    {name} = np.asarray({name}, dtype=float)" if shape else
                   f"    {name} = np.float64({name})")
    for name, shape in zip(names, plan.shapes):
        if shape:
            out += [f"    if {name}.shape != {tuple(shape)}:",
                    f"        raise ValueError(\"{name} must have shape {tuple(shape)}\")"]
    if buffers:
        shapes = ", ".join(repr(tuple(s)) for s in buffers)
        out += ["    if not BUFFERS:",
                f"        BUFFERS.extend(np.empty(shape) for shape in [{shapes}])",
                f"    {', '.join(f'buf{i}' for i in range(len(buffers)))}, = BUFFERS"]
    for j, register in enumerate(plan.seeds):
        out.append(f"    {register} = np.float64(cotangent[{j}])")
    out.append('    with np.errstate(all="ignore"):  # IEEE results: inf and nan, no exceptions')
    where = {step.target: line for step, line in zip(plan.forward, lines or ())
             if step.target and line}  # each forward register's line of the user's code
    out += _sweeps(plan, where) if plan.blocks is None else _blocked_sweeps(plan.blocks, where)
    value = _operand(plan.outputs[0]) if not plan.seeds else \
        "np.array([" + ", ".join(_operand(o) for o in plan.outputs) + "])"
    gradient = [_operand(g) for g in plan.gradient]
    grads = gradient[0] if len(gradient) == 1 else "(" + ", ".join(gradient) + ")"
    out.append(f"    return {value}, {grads}")
    return "\n".join(out) + "\n"


def _buffers(plan: Plan) -> tuple:
    return plan.buffers if plan.blocks is None else plan.blocks.buffers


def _line(step, levels: int, where: dict) -> str:
    """A step as code, indented, with the user's line it comes from where it has one."""
    note = f"  # {where[step.target]}" if step.target in where else ""
    return _indented(step.line() + note, levels)


def _sweeps(plan: Plan, where: dict) -> list[str]:
    out = ["        # forward sweep"]
    out += [_line(step, 2, where) for step in plan.forward]
    if plan.guards:
        out.append("        # the branches taken where this code was written, asked again")
        out += [_line(step, 2, where) for step in plan.guards]
    out.append("        # reverse sweep")
    return out + [_line(step, 2, where) for step in plan.reverse]


def _blocked_sweeps(blocks, where: dict) -> list[str]:
    """The sweeps a block at a time (engine/blocks.py): each block's arrays stay in cache
    from the first step to the last."""
    count = len(blocks.bounds)
    order = f"reversed(range({count}))" if blocks.backward else f"range({count})"
    why = " (so that\n        # each entry of the gradient takes its parts in the plan's order)" \
        if blocks.backward else ""
    out = [_line(step, 2, where) for step in (*blocks.forward_before, *blocks.reverse_before)]
    out += [f"        # forward and reverse sweeps, one block of BLOCKS at a time, from the "
            f"{'last' if blocks.backward else 'first'}{why}",
            f"        for block in {order}:",
            "            lo, hi = BLOCKS[block]",
            "            width = hi - lo"]
    out += [_line(step, 3, where) for step in (*blocks.forward_body, *blocks.reverse_body)]
    if blocks.forward_after:
        out.append("        # the sums: the blocks' parts added as np.sum adds them (its value, "
                   "bit for bit)")
        out += [_line(step, 2, where) for step in blocks.forward_after]
    return out


def _blocks_constant(blocks) -> list[str]:
    """BLOCKS, the (lo, hi) of each block, a few to a line."""
    pairs = [f"({lo}, {hi})," for lo, hi in blocks.bounds]
    lines = textwrap.wrap(" ".join(pairs), 84, break_long_words=False,
                          break_on_hyphens=False)
    return [f"# each block's entries [lo, hi): the pieces np.sum's pairwise summation cuts the "
            f"{blocks.length:,}", f"# entries into, at most {blocks.size:,} each (a block's "
            "arrays stay in cache)", "BLOCKS = (", *(f"    {line}" for line in lines), ")"]


def _operand(operand) -> str:
    return operand.text if isinstance(operand, Lit) else operand


def _indented(text: str, levels: int) -> str:
    return "\n".join("    " * levels + line for line in text.split("\n"))


def _oneline(text: str) -> str:
    text = " ".join(str(text).split()).replace('"""', "'''").replace("\\", "/")
    return text if len(text) <= 60 else text[:57] + "..."


def constant_code(value) -> str:
    """An array (or an index made of arrays) as numpy code: its entries when few, else its
    bytes in hex (exact, and still only numpy and Python)."""
    if isinstance(value, tuple):
        return "(" + ", ".join(constant_code(v) for v in value) + ",)"
    array = np.asarray(value)
    kind = {"b": "bool", "i": "np.int64", "u": "np.int64"}.get(array.dtype.kind, "float")
    if kind == "np.int64":
        array = array.astype(np.int64)
    elif kind == "float":
        array = array.astype(float)
    if array.size <= INLINE_ENTRIES:
        entries = repr(array.tolist())
        return f"np.array({entries}, dtype={kind})"
    dtype = {"bool": "bool", "np.int64": "np.int64", "float": "np.float64"}[kind]
    return (f'np.frombuffer(bytes.fromhex("{np.ascontiguousarray(array).tobytes().hex()}"), '
            f"dtype={dtype}).reshape({tuple(array.shape)})")
