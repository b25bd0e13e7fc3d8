"""manual: the textbook rules, applied by our own code to the expression tree.

Each operation's rule comes from its partials in ops.py: d op(u, v) = ∂op/∂u·u' + ∂op/∂v·v'
(the chain rule; sum, product, quotient and power rules are its instances). Derivatives of
shared sub-expressions are computed once (memo keyed by node), bottom-up without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..expr import Call, Const, Expr, Var, depends_on, operation_count, postorder
from ..problem import Problem
from ..tape import evaluate
from . import MethodResult, Options, register


@dataclass(frozen=True)
class Step:
    """One rule application: the sub-expression, the rule, and the derivative it gave."""

    node: Expr
    rule: str
    derivative: Expr
    chain: bool  # an argument is itself a function of the variable: the chain rule joins in


def differentiate(expr: Expr, wrt: str, steps: list[Step] | None = None) -> Expr:
    """d expr / d wrt as a new tree, recording each rule application in ``steps``."""
    deps = depends_on(expr)
    derivative: dict[int, Expr] = {}
    variable = Var(wrt)
    for node in postorder(expr):
        if wrt not in deps[id(node)]:
            derivative[id(node)] = Const(0)
            continue
        if node is variable:
            derivative[id(node)] = Const(1)
            continue
        assert isinstance(node, Call)
        varying = tuple(wrt in deps[id(a)] for a in node.args)
        total: Expr = Const(0)
        for partial, arg, varies in zip(node.op.partials, node.args, varying):
            if varies:
                total = total + partial(*node.args) * derivative[id(arg)]
        derivative[id(node)] = total
        if steps is not None:
            chain = node.op.is_function and node.args[0] is not variable
            steps.append(Step(node, node.op.rule_for(varying), total, chain))
    return derivative[id(expr)]


@register("manual", family="manual rules", exact=True,
          cost="one derivative expression per input")
def manual(problem: Problem, options: Options) -> MethodResult:
    derivatives = [differentiate(problem.expr, v) for v in problem.variables]
    gradient = tuple(float(evaluate(d, problem.variables, problem.point)) for d in derivatives)
    value = float(evaluate(problem.expr, problem.variables, problem.point))
    size = sum(operation_count(d) for d in derivatives)
    return MethodResult("manual", value, gradient, f_evals=1, passes=problem.n, size=size)
