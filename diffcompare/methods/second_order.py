"""Two more routes to H·v, beside forward-over-forward (forward-ad), forward-over-reverse
(reverse-ad), second differences of f (central-fd, richardson) and symbolic:

- ``reverse-over-forward``: one forward pass on duals seeded with v records the directional
  derivative ∇f·v as a tape of its own (the forward-mode computation, written down), and
  one reverse sweep of that tape gives its gradient, ∇(∇f·v) = H·v;
- ``gradient-fd``: central differences of gradients along v, (∇f(x + hv) − ∇f(x − hv))/2h:
  two gradients, O(h²), with central-fd's checks (the same stencil at 2h, a look across a
  kink, steps that cross a singular point).

They compute H·v only, so other kinds' tables leave them out without a word.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from diffcompare import ops
from diffcompare.errors import Cannot
from diffcompare.methods.registry import Cost, Prepared, register


def _node(constant):
    """A tape's constant as an expression node: a rational, or pi's or e's own call."""
    from diffcompare.expr import Call, Const

    return Call(constant, ()) if isinstance(constant, ops.Op) else Const(constant)


@register("reverse-over-forward", family="automatic differentiation", exact=True, rtol=1e-13,
          cost={"hvp": "one dual forward pass that records ∇f·v as a tape, one reverse "
                       "sweep of it"})
class ReverseOverForward(Prepared):
    """The forward pass on duals is run on expression nodes, so it writes ∇f·v down as a
    tape; the reverse sweep of that tape, run on nodes too, writes H·v down, and H·v is
    that record evaluated: the numbers the sweeps give, with the record's running error
    bound saying how far rounding may have taken them (sqrt(1 - x²) near 1)."""

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        from diffcompare.engine.dual import Dual, new_tag, tangent_of
        from diffcompare.engine.scalar import ScalarTape
        from diffcompare.expr import Var
        from diffcompare.methods.registry import rounding_doubts

        tape = self.problem.ad_tape_at(x).scalar_view()
        names = tape.variables
        tag = new_tag()
        # every input a dual (tangent 0 off v), every number an exact rational
        seeds = [Dual(Var(name), Fraction(float(vi)), tag) for name, vi in zip(names, v)]
        slope = tangent_of(tape.forward(seeds, exact_constants=_node)[tape.output], tag)
        slope = _as_node(slope)
        forward = ScalarTape.record([slope], names)  # ∇f·v, the forward-mode computation
        nodes = forward.forward([Var(name) for name in names], exact_constants=_node)
        adjoints = forward.reverse(nodes)
        written = ScalarTape.record([_as_node(adjoints[i]) for i in range(len(names))], names)
        with np.errstate(all="ignore"):
            values = written.forward([float(xi) for xi in x], structural_zeros=True)
        column = np.array([float(values[k]) for k in written.outputs])
        warnings, issues = rounding_doubts(written, values, column.shape)
        f = float(tape.value([float(xi) for xi in x])[0])
        return self.result("hvp", column, f, Cost(f_evals=1, forward_passes=2,
                                                  reverse_passes=1),
                           size=forward.operation_count + forward.partial_count,
                           warnings=warnings, issues=issues)


def _as_node(value):
    from diffcompare.expr import Const, Expr

    return value if isinstance(value, Expr) else Const(Fraction(float(value)))


@register("gradient-fd", family="finite differences", exact=False, rtol=1e-6, step_order=2,
          cost={"hvp": "two gradients at x ± h·v (and two at ±2h, the check): central-fd's "
                       "J·v of the gradient"})
class GradientDifferences(Prepared):
    """central-fd's J·v of the gradient map x ↦ ∇f(x), the gradient written out by the
    manual rules (a formula whose sweep sees the singular points and kinks its stencil
    crosses, so every check of central-fd holds for it)."""

    def _hvp(self, x: np.ndarray, v: np.ndarray):
        from diffcompare.methods.manual import differentiate
        from diffcompare.methods.registry import REGISTRY
        from diffcompare.problems.formula import Problem

        if self.problem.conditions:
            first = self.problem.conditions[0]
            raise Cannot(f"cannot: {first.describe()} (the gradient is written out as one "
                         "formula, which holds on one side only)")
        names = tuple(self.problem.variables)
        gradient = Problem(tuple(differentiate(self.problem.outputs[0], name) for name in names),
                           names, tuple(float(xi) for xi in x), f"∇({self.problem.describe()})")
        prepared = REGISTRY["central-fd"].prepare(gradient, self.options)
        try:
            found = prepared.derivative("jvp", direction=v)
        finally:
            prepared.close()
        f = float(self.problem.tape_at(x).value(x)[0])
        return replace(found, method=self.method, kind="hvp", f=np.atleast_1d(f))
