"""manual: the textbook rules, applied by our own code to the expression tree.

Each operation's rule comes from its partials in ops.py: d op(u, v) = ∂op/∂u·u' + ∂op/∂v·v'
(the chain rule; sum, product, quotient and power rules are its instances). Derivatives of
shared sub-expressions are computed once (memo keyed by node), bottom-up without recursion,
and only for the nodes that depend on the variable (their list is memoized on the tree), so
the n derivatives of a tree cost the sum of their own sizes, not n walks of it.

Prepared once per problem: the m·n derivative trees (and, when asked, the n² second
derivatives: the rules applied twice) are built and recorded on one tape, then evaluated at
any point in one sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from diffcompare import ops
from diffcompare.engine.scalar import ScalarTape, postorder_all
from diffcompare.errors import Cannot
from diffcompare.expr import (
    Call,
    Const,
    Expr,
    Var,
    as_expr,
    dependents,
    depends_on,
    operation_count,
)
from diffcompare.methods.registry import EvaluatesExpressions, Options, register
from diffcompare.problems.base import BaseProblem as Problem

# A program's path times its inputs: a bound on the derivative terms the rules write (each
# input's derivative may reach every operation of a dense path, a network's, say).
MANUAL_TERMS = 2e7
CHECK_EVERY = 256  # nodes between looks at the CPU clock while the trees are built

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


def differentiate(expr: Expr, wrt: str, steps: list[Step] | None = None,
                  override: Callable | None = None, at: Expr | None = None) -> Expr:
    """d expr / d wrt as a new tree, recording each rule application in ``steps``. With
    ``override``, the rule at the node ``at`` is replaced: override(node, the arguments'
    derivatives, None where constant) gives its derivative there (a student's wrong rule,
    malrules.py), and the rest of the derivation goes on from it."""
    deps = depends_on(expr)
    derivative: dict[int, Expr] = {}
    variable = Var(wrt)
    # The loop runs once per (node, variable) pair on a path: kept tight, since a chain of n
    # sums has n²/2 of them. Only arguments that depend on wrt have their partial taken.
    for node in dependents(expr, wrt):
        if node is variable:
            derivative[id(node)] = ONE
            continue
        if node is at:
            derivative[id(node)] = override(node, tuple(
                derivative[id(a)] if wrt in deps[id(a)] else None for a in node.args))
            continue
        args, partials = node.args, node.op.partials
        if len(args) == 1:  # it depends on wrt, so through its one argument
            pairs = [(partials[0](args[0]), derivative[id(args[0])])]
        else:
            pairs = [(partials[k](*args), derivative[id(a)]) for k, a in enumerate(args)
                     if wrt in deps[id(a)]]
        total = _times(*pairs[0]) if len(pairs) == 1 else \
            sum_of([_times(partial, inner) for partial, inner in pairs], simplify=True)
        derivative[id(node)] = total
        if steps is not None:
            varying = tuple(wrt in deps[id(a)] for a in args)
            textbook = ops.TEXTBOOK.get(node.op)
            applied = textbook(args, tuple(derivative[id(a)] if v else None for a, v in
                                           zip(args, varying))) if textbook else None
            if applied is None:
                applied = sum_of([_written(as_expr(partial), inner)
                                  for partial, inner in pairs], simplify=False)
            _record(steps, node, varying, applied, total, variable)
    if steps is not None and expr is variable:
        steps.append(Step(expr, VARIABLE_RULE, Const(1), Const(1), False))
    elif steps is not None and wrt not in deps[id(expr)]:
        steps.append(Step(expr, CONSTANT_RULE, Const(0), Const(0), False))
    return derivative.get(id(expr), ZERO)


ZERO, ONE = Const(0), Const(1)


def _times(partial, inner: Expr) -> Expr:
    """partial·u', simplified; multiplying by 1 (the sum rule's partials) costs nothing."""
    if type(partial) is int and partial == 1:
        return inner
    return as_expr(partial) * inner


def _record(steps: list[Step], node: Call, varying: tuple[bool, ...], applied: Expr,
            total: Expr, variable: Var) -> None:
    if node.op.names_constant_terms:  # the sum rule needs the constant terms' zero
        for arg, varies in zip(node.args, varying):
            if not varies and not _is_constant_leaf(arg):
                steps.append(Step(arg, CONSTANT_RULE, Const(0), Const(0), False))
    chain = node.op.applies_chain_rule and any(
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


def jacobian_trees(outputs, names, budget=None) -> list[list[Expr]]:
    """d y_i / d x_j for every output and variable: the same trees ``differentiate`` builds
    one variable at a time, built for all variables in one pass over the nodes.

    Each node carries its derivatives as a table {variable: tree}. A node whose varying
    argument has the partial 1 (a sum, say) and is used only there takes that argument's
    table over and adds to it, instead of copying it: a chain of n sums costs O(n), not the
    O(n²) of n separate walks. The terms are summed in argument order, as ``differentiate``
    sums them, so the interned trees are the very same nodes."""
    order = postorder_all(outputs)
    uses: dict[int, int] = {}
    for node in (*order, *outputs):
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    for root in outputs:  # an output's table is read at the end: never hand it on
        uses[id(root)] = uses.get(id(root), 0) + 2
    tables: dict[int, dict[str, Expr]] = {}
    for count, node in enumerate(order):
        if budget is not None and count % CHECK_EVERY == 0:
            budget.check("the manual rules' derivative trees")
        if isinstance(node, Var):
            tables[id(node)] = {node.name: ONE}
            continue
        args = node.children
        varying = [(k, a, tables[id(a)]) for k, a in enumerate(args) if tables[id(a)]]
        if not varying:
            tables[id(node)] = {}
            continue
        partials = [(node.op.partials[k](*args), a, table) for k, a, table in varying]
        tables[id(node)] = _combine(partials, uses, len(set(map(id, args))) == len(args))
    return [[tables[id(out)].get(name, ZERO) for name in names] for out in outputs]


def _combine(partials, uses, distinct: bool) -> dict[str, Expr]:
    """The table of a node from its varying arguments' (partial, argument, table)."""
    handed = next((k for k, (partial, arg, _) in enumerate(partials)
                   if distinct and type(partial) is int and partial == 1
                   and uses[id(arg)] == 1), None)
    if handed is None:
        table: dict[str, Expr] = {}
        names = dict.fromkeys(v for _, _, t in partials for v in t)
    else:  # the handed-on table's own entries stand: only the others' variables need work
        table = partials[handed][2]
        names = dict.fromkeys(v for k, (_, _, t) in enumerate(partials) if k != handed
                              for v in t)
    for name in names:
        terms = [_times(partial, t[name]) for partial, _, t in partials if name in t]
        table[name] = terms[0] if len(terms) == 1 else sum_of(terms, simplify=True)
    return table


@register("manual", family="manual rules", exact=True, rtol=1e-13,
          in_scale=True,
          cost={"gradient": "one derivative expression per input",
                "jacobian": "m·n derivative expressions",
                "jvp": "m·n derivative expressions, then J·v",
                "vjp": "m·n derivative expressions, then Jᵀ·r",
                "hessian": "n² second-derivative expressions (the rules applied twice)",
                "hvp": "n² second-derivative expressions, then H·v"})
class Manual(EvaluatesExpressions):
    def __init__(self, problem: Problem, options: Options):
        super().__init__(problem, options)
        path = problem.tape.scalar_operations
        terms = path * problem.n
        if terms > MANUAL_TERMS:
            raise Cannot(
                f"cannot: the rules would write {problem.n:,} derivative expressions, "
                f"each over a path of {path:,} operations (up to {terms:.1e} terms; the "
                f"manual method stops at {MANUAL_TERMS:.0e})")
        self.trees = jacobian_trees(problem.outputs, problem.variables, self.budget)
        self.tape = ScalarTape.record([d for row in self.trees for d in row] or [ZERO],
                                problem.variables)
        self._second: tuple[list[list[Expr]], ScalarTape] | None = None

    def _jacobian(self, x: np.ndarray):
        m, n = self.problem.m, self.problem.n
        return self._from_tape("jacobian", self.tape, x, (m, n),
                               sum(operation_count(d) for row in self.trees for d in row))

    def _hessian(self, x: np.ndarray):
        self.require_one_output("hessian")
        n = self.problem.n
        if self._second is None:
            trees = jacobian_trees(self.trees[0], self.problem.variables, self.budget)
            self._second = trees, ScalarTape.record([d for row in trees for d in row] or [ZERO],
                                              self.problem.variables)
        trees, tape = self._second
        return self._from_tape("hessian", tape, x, (n, n),
                               sum(operation_count(d) for row in trees for d in row))
