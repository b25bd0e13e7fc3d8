"""Is a student's derivative right? Equivalence decided exactly where it can be, and a wrong
answer explained by the first wrong rule (malrules.py) that reproduces it.

The routes: the answer and the derivative are evaluated in ball arithmetic at seeded
random points (exact rationals in [1/4, 2]); a ball of their difference that excludes 0
proves them different there. Where every point agrees, sympy decides: simplify(answer -
derivative) = 0 proves them equal ("symbolic"); where sympy cannot within the budget, the
agreement at every point to 128 bits is the verdict ("points").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from diffcompare.errors import InputError, MethodError
from diffcompare.expr import Call, Expr, to_text, variables
from diffcompare.malrules import MALRULES
from diffcompare.ops import ADD, SUB
from diffcompare.runtime.budget import DEFAULT_BUDGET
from diffcompare.runtime.workers import within

POINTS = 6  # random points the answer is compared at
LEAST_POINTS = 3  # fewer valid points than this (outside a domain) decide nothing
BITS = 128
LOW, HIGH, GRID = 0.25, 2.0, 64  # points are multiples of 1/64 in [1/4, 2]: exact floats


@dataclass(frozen=True)
class Diagnosis:
    message: str
    rule: str | None = None  # the mal-rule's name, or None when none explains the answer
    wording: str | None = None
    step: int | None = None  # the derivation's step (as derive numbers them)
    point: dict[str, float] | None = None  # where answer and derivative differ
    answer_value: float | None = None
    derivative_value: float | None = None


@dataclass(frozen=True)
class Grade:
    answer: str
    function: str
    wrt: str
    derivative: str  # the right derivative, as derived
    correct: bool | None  # None: undecided within the budget
    route: str | None  # "symbolic" or "points"
    seed: int
    points: tuple[dict[str, float], ...]
    diagnosis: Diagnosis | None = None
    reason: str = ""  # why undecided, or what the route proved


def random_points(names, seed: int) -> tuple[dict[str, float], ...]:
    rng = random.Random(seed)
    return tuple({name: rng.randint(int(LOW * GRID), int(HIGH * GRID)) / GRID for name in names}
                 for _ in range(POINTS))


def _values(exprs, names, points):
    """Each expression at each point in balls: per point, the list of balls, or None where
    one is not finite (outside its domain there)."""
    from diffcompare.engine.balls import ball, precision
    from diffcompare.engine.scalar import ScalarTape

    tape = ScalarTape.record(list(exprs), names)
    found = []
    with precision(BITS):
        for point in points:
            try:
                values = tape.forward([ball(point[n]) for n in names])
                outputs = [values[k] for k in tape.outputs]
            except (ZeroDivisionError, ValueError, ArithmeticError):
                found.append(None)
                continue
            found.append(outputs if all(v.is_finite() for v in outputs) else None)
    return found


def _differs(a, b) -> bool:
    """Whether two balls are proved different (their difference excludes 0)."""
    from diffcompare.engine.balls import precision

    with precision(BITS):
        return not (a - b).contains(0)


def agree(answer: Expr, other: Expr, names, points) -> tuple[bool, int, int | None]:
    """(no point proves them different, valid points, the first point that does)."""
    valid = 0
    for k, pair in enumerate(_values([answer, other], names, points)):
        if pair is None:
            continue
        valid += 1
        if _differs(*pair):
            return False, valid, k
    return True, valid, None


def _sympy_zero(answer: Expr, derivative: Expr, names) -> bool | None:
    """In a worker: whether sympy proves answer - derivative = 0 (None: it cannot say)."""
    import sympy

    from diffcompare.methods.sympy_bridge import symbols_for, to_sympy

    symbols = symbols_for(names)
    difference = sympy.simplify(to_sympy(answer, symbols) - to_sympy(derivative, symbols))
    if difference == 0:
        return True
    if difference.is_number and difference != 0:
        return False
    return None


def _terms(expr: Expr) -> list[Expr]:
    """The top-level terms of a sum (a difference's second term kept as written)."""
    if isinstance(expr, Call) and expr.op in (ADD, SUB):
        return [*_terms(expr.args[0]), expr.args[1]]
    return [expr]


def _diagnose(expr, answer, wrt, names, points, derivative) -> Diagnosis:
    from diffcompare.engine.balls import midpoint
    from diffcompare.methods.manual import Step, differentiate

    steps: list[Step] = []
    differentiate(expr, wrt, steps)
    for rule in MALRULES:
        for number, step in enumerate(steps, 1):
            written: list[Expr] = []

            def wrong(node, inner, rule=rule, written=written):
                found = rule.applied(node, inner)
                written.append(found)
                return found if found is not None else node  # (not used: skipped below)

            try:
                mutated = differentiate(expr, wrt, override=wrong, at=step.node)
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if not written or written[0] is None:
                continue
            same, valid, _ = agree(answer, mutated, names, points)
            if same and valid >= LEAST_POINTS:
                return Diagnosis(
                    f"your answer matches the derivation with {rule.wording} at step "
                    f"{number}: d/d{wrt} {to_text(step.node)} = {to_text(written[0])} "
                    f"(the right step gives {to_text(step.derivative)}) — {rule.missing}",
                    rule.name, rule.wording, number)
    _, _, at = agree(answer, derivative, names, points)
    point = points[at]
    yours, right = (midpoint(v) for v in _values([answer, derivative], names, [point])[0])
    where = ", ".join(f"{n} = {point[n]:g}" for n in names)
    term = ""
    ours, theirs = _terms(derivative), _terms(answer)
    if len(theirs) > 1:  # the first term of the answer that none of the derivative's matches
        unused = list(ours)
        for k, a in enumerate(theirs, 1):
            partner = next((b for b in unused if agree(a, b, names, points)[0]), None)
            if partner is None:
                term = (f"; term {k} of yours, {to_text(a)}, matches no term of the "
                        f"derivative ({', '.join(to_text(b) for b in ours)})")
                break
            unused.remove(partner)
    return Diagnosis(f"no common wrong rule explains it: at {where} your answer is {yours:.10g}"
                     f" and the derivative is {right:.10g}{term}", point=point,
                     answer_value=yours, derivative_value=right)


def grade(answer_text: str, function_text: str, wrt: str | None = None,
          budget: float | None = DEFAULT_BUDGET, seed: int = 0) -> Grade:
    """Grade ``answer_text`` as d/d``wrt`` of ``function_text``."""
    from diffcompare.methods.manual import differentiate
    from diffcompare.parse import parse

    expr = parse(function_text)
    names = variables(expr)
    if wrt is None:
        if len(names) != 1:
            raise InputError(f"f has the variables {', '.join(names) or 'none'}: name the one "
                             "to differentiate by with --wrt")
        wrt = names[0]
    if wrt not in names:
        raise InputError(f"f does not depend on {wrt!r}: its variables are "
                         f"{', '.join(names) or 'none'}")
    answer = parse(answer_text)
    foreign = [v for v in variables(answer) if v not in names]
    if foreign:
        raise InputError(f"your answer uses {', '.join(foreign)}, which f does not have "
                         f"(f's variables: {', '.join(names)})")
    derivative = differentiate(expr, wrt)
    points = random_points(names, seed)
    same, valid, at = agree(answer, derivative, names, points)
    common = dict(answer=answer_text, function=function_text, wrt=wrt,
                  derivative=to_text(derivative), seed=seed, points=points)
    if not same:
        where = ", ".join(f"{n} = {points[at][n]:g}" for n in names)
        return Grade(**common, correct=False, route="points",
                     reason=f"proved different at {where} in {BITS}-bit ball arithmetic",
                     diagnosis=_diagnose(expr, answer, wrt, names, points, derivative))
    try:
        proved = within(budget, _sympy_zero, answer, derivative, names,
                        what="sympy's simplification")
    except MethodError:
        proved = None
    if proved is True:
        return Grade(**common, correct=True, route="symbolic",
                     reason="sympy simplifies the difference to 0")
    if valid >= LEAST_POINTS:
        return Grade(**common, correct=True, route="points",
                     reason=f"equal at {valid} random points to {BITS} bits (sympy could not "
                            "decide within the budget)")
    return Grade(**common, correct=None, route=None,
                 reason=f"only {valid} of {POINTS} random points are in both domains, and "
                        "sympy could not decide within the budget")


@dataclass(frozen=True)
class Graded:
    """One answer of a batch: its grade, or why it could not be graded."""

    student: str
    answer: str
    function: str
    wrt: str | None
    grade: Grade | None
    unreadable: str = ""  # the parser's message with its caret, or the input's error
    where: str = ""

    @property
    def verdict(self) -> str:
        if self.grade is None:
            return "unparsable"
        return {True: "right", False: "wrong", None: "undecided"}[self.grade.correct]


def grade_batch(submitted, function: str | None = None, wrt: str | None = None,
                budget: float | None = DEFAULT_BUDGET, seed: int = 0) -> list[Graded]:
    """Each submitted answer (problems/answers.Submitted) graded; a row without its own
    function or variable takes ``function`` and ``wrt``. An answer that cannot be read is a
    row of its own, with the parser's caret message; the others are graded regardless."""
    from diffcompare.errors import DiffcompareError, ParseError
    from diffcompare.parse import parse

    if function is not None:
        parse(function)  # the teacher's function: unreadable, nothing is graded
    graded = []
    for row in submitted:
        of, by = row.function or function, row.wrt or wrt
        if of is None:
            raise InputError(f"{row.where}: no function for this answer: give the file a "
                             "'for' column or the command --for EXPR")
        try:
            parse(of)
        except ParseError as error:
            graded.append(Graded(row.student, row.answer, of, by, None,
                                 f"its function: {error.pointed()}", row.where))
            continue
        try:
            found = grade(row.answer, of, by, budget, seed)
        except ParseError as error:
            graded.append(Graded(row.student, row.answer, of, by, None, error.pointed(),
                                 row.where))
            continue
        except DiffcompareError as error:
            graded.append(Graded(row.student, row.answer, of, by, None, str(error),
                                 row.where))
            continue
        graded.append(Graded(row.student, row.answer, of, found.wrt, found, "", row.where))
    return graded
