"""manual: the textbook rules, applied by our own code to the expression tree.

Each operation's rule comes from its partials in ops.py: d op(u, v) = ∂op/∂u·u' + ∂op/∂v·v'
(the chain rule; sum, product, quotient and power rules are its instances). Derivatives of
shared sub-expressions are computed once (memo keyed by node), bottom-up without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffcompare import ops
from diffcompare.engine.tape import evaluate
from diffcompare.expr import Call, Const, Expr, Var, as_expr, depends_on, operation_count, postorder
from diffcompare.methods.registry import MethodResult, Options, register
from diffcompare.problem import Problem

CONSTANT_RULE = "constant rule: c' = 0"
VARIABLE_RULE = "variable rule: x' = 1"


@dataclass(frozen=True)
class Step:
    """One rule application: the sub-expression, the rule (``name: formula``), the rule
    written out for this sub-expression, and the derivative after light simplification."""

    node: Expr
    rule: str
    applied: Expr  # sum of partial*u' terms, before the sum and products are simplified
    derivative: Expr
    chain: bool  # an argument is itself a function of the variable: the chain rule joins in

    @property
    def rule_name(self) -> str:
        name = self.rule.split(":")[0]
        return f"chain rule with the {name}" if self.chain else name

    @property
    def formula(self) -> str:
        return self.rule.split(": ", 1)[1] if ": " in self.rule else ""


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
        pairs = [(as_expr(partial(*node.args)), derivative[id(arg)])
                 for partial, arg, varies in zip(node.op.partials, node.args, varying) if varies]
        total = sum_of([partial * inner for partial, inner in pairs], simplify=True)
        derivative[id(node)] = total
        if steps is not None:
            applied = sum_of([_written(partial, inner) for partial, inner in pairs],
                             simplify=False)
            _record(steps, node, varying, applied, total, variable)
    if steps is not None and expr is variable:
        steps.append(Step(expr, VARIABLE_RULE, Const(1), Const(1), False))
    elif steps is not None and wrt not in deps[id(expr)]:
        steps.append(Step(expr, CONSTANT_RULE, Const(0), Const(0), False))
    return derivative[id(expr)]


def _record(steps: list[Step], node: Call, varying: tuple[bool, ...], applied: Expr,
            total: Expr, variable: Var) -> None:
    if node.op in (ops.ADD, ops.SUB):  # the sum rule needs the constant terms' zero
        for arg, varies in zip(node.args, varying):
            if not varies and not _is_constant_leaf(arg):
                steps.append(Step(arg, CONSTANT_RULE, Const(0), Const(0), False))
    chain = (node.op.is_function or node.op is ops.POW) and any(
        varies and arg is not variable for arg, varies in zip(node.args, varying))
    steps.append(Step(node, node.op.rule_for(varying), applied, total, chain))


def _is_constant_leaf(node: Expr) -> bool:
    return isinstance(node, Const) or (isinstance(node, Call) and node.op.is_constant)


def _written(partial: Expr, inner: Expr) -> Expr:
    """partial·u' as a student writes it: a factor 1 is dropped, nothing else is touched."""
    if inner is Const(1):
        return partial
    if partial is Const(1):
        return inner
    return Call(ops.MUL, (partial, inner))


def sum_of(terms: list[Expr], simplify: bool) -> Expr:
    if not terms:
        return Const(0)
    total = terms[0]
    for term in terms[1:]:
        total = total + term if simplify else Call(ops.ADD, (total, term))
    return total


@register("manual", family="manual rules", exact=True,
          cost="one derivative expression per input")
def manual(problem: Problem, options: Options) -> MethodResult:
    derivatives = [differentiate(problem.expr, v) for v in problem.variables]
    gradient = tuple(float(evaluate(d, problem.variables, problem.point)) for d in derivatives)
    value = float(evaluate(problem.expr, problem.variables, problem.point))
    size = sum(operation_count(d) for d in derivatives)
    return MethodResult("manual", value, gradient, f_evals=1, passes=problem.n, size=size)
