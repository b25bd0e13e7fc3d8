"""assert_gradient, assert_jvp, assert_vjp, assert_hessian: check derivative code against the
exact derivative, in pytest.

The habit of JAX's ``check_grads`` and PyTorch's ``gradcheck``/``gradgradcheck``, for plain
Python and numpy code: f is traced at the point and its exact derivative computed (the tape
swept in ball arithmetic); the code's answer must agree to what floating point allows a
short computation, and a failure names the worst entry. Without code of your own, the
check is of what reverse-mode (or forward-mode) AD computes through f — so a custom_jvp or
custom_vjp rule inside f (engine/custom.py) is checked against f's own slope.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from diffcompare.analysis.check import default_rtol
from diffcompare.analysis.reference import exact_reference
from diffcompare.methods.given import GIVEN

REFERENCE_SECONDS = 30.0


def _problem(f: Callable, at, budget):
    from diffcompare.problems.load import program_problem
    from diffcompare.problems.usercode import from_callable

    if not isinstance(at, (dict, list, tuple)):
        at = [at]
    program = from_callable(f)
    point = at if isinstance(at, dict) else dict(zip(program.inputs, at))
    return program, program_problem(program, point, budget=budget)


def _inputs(problem, flat) -> list:
    from diffcompare.engine.arrays import split

    return split(np.asarray(flat, dtype=float), problem.shapes)


def _flat(pieces, several: bool) -> np.ndarray:
    """A result given as one array, or as one piece per input (a tuple or list)."""
    if several and isinstance(pieces, (list, tuple)):
        return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in pieces])
    return np.ravel(np.asarray(pieces, dtype=float))


def _seeded_vector(size: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=size)


def _by_ad(problem, kind: str, direction, mode: str) -> np.ndarray:
    from diffcompare.methods import REGISTRY, Options

    found = REGISTRY[mode].prepare(problem, Options(budget=None)).derivative(
        kind, direction=direction)
    if found.failure:
        raise AssertionError(f"{mode} gave no {kind}: {found.failure}")
    return np.ravel(np.asarray(found.value, dtype=float))


def _compare(program, problem, kind: str, direction, got, rtol, budget, what: str) -> None:
    """Raise AssertionError unless ``got`` is the exact ``kind`` normwise within rtol,
    naming the worst entry as check does."""
    from diffcompare.methods import KINDS

    reference = exact_reference(problem, kind, direction, budget=budget)
    if reference.failure:
        raise AssertionError(f"no exact {kind} of {program.name} at this point: "
                             f"{reference.failure}")
    want = np.ravel(np.asarray(reference.derivative, dtype=float))
    got = np.ravel(np.asarray(got, dtype=float))
    if got.size != want.size:
        raise AssertionError(f"the {kind} has {got.size} entries; {program.name}'s has "
                             f"{want.size}")
    tolerance = default_rtol(GIVEN) if rtol is None else rtol
    exists = np.isfinite(want)
    errors = np.where(exists, np.abs(got - want), 0.0)
    errors[exists & ~np.isfinite(got)] = np.inf
    scale = float(np.max(np.abs(want[exists]))) if exists.any() else 0.0
    worst = int(np.argmax(errors)) if errors.size else 0
    relative = float(errors[worst]) / scale if scale > 0 else float(errors[worst])
    if errors.size and relative > tolerance:
        label = KINDS[kind].check_label(worst, problem.m, problem.variables)
        raise AssertionError(
            f"the {what} of {program.name} is wrong at {label}: expected "
            f"{float(want[worst])!r} (exact), got {float(got[worst])!r}; error "
            f"{errors[worst]:.3g}, {relative:.3g} of the largest entry {scale:.6g} > rtol "
            f"{tolerance:g}")


def assert_gradient(f: Callable, grad_f=None, at=None, rtol: float | None = None,
                    budget: float | None = REFERENCE_SECONDS) -> None:
    """Raise AssertionError unless ``grad_f`` (a function taking f's inputs, or the
    gradient itself; None: reverse-mode AD through f, its custom rules included) agrees
    with f's exact gradient at ``at`` (a number, a sequence of f's inputs, or a mapping by
    name), normwise: max|g - r| <= rtol · max|r|.

    ``rtol`` defaults to the tolerance ``check`` gives a "given" derivative (1e-13, a few
    roundings of a short float64 computation): tighter than any finite difference, which is
    why this checks against the exact gradient and not against one."""
    from diffcompare.methods.given import given_function
    from diffcompare.problems.usercode import from_callable

    program, problem = _problem(f, at, budget)
    if grad_f is None:
        got, what = _by_ad(problem, "gradient", None, "reverse-ad"), "gradient by reverse-ad"
    elif callable(grad_f):
        got, what = given_function(problem, from_callable(grad_f), budget).value, "gradient"
    else:
        got, what = _flat(grad_f, len(program.inputs) > 1), "gradient"
    _compare(program, problem, "gradient", None, got, rtol, budget, what)


def assert_jvp(f: Callable, jvp_f=None, at=None, direction=None, rtol: float | None = None,
               budget: float | None = REFERENCE_SECONDS, seed: int = 0) -> None:
    """J·v of f at ``at``: ``jvp_f(*inputs, *tangents)`` (one tangent per input, shaped as
    it), or J·v itself; None: forward-mode AD through f. ``direction`` is v, flat or one
    piece per input (default: seeded normal entries)."""
    program, problem = _problem(f, at, budget)
    v = _seeded_vector(problem.n, seed) if direction is None else \
        _flat(direction, len(program.inputs) > 1)
    if jvp_f is None:
        got, what = _by_ad(problem, "jvp", v, "forward-ad"), "J·v by forward-ad"
    elif callable(jvp_f):
        got = _flat(jvp_f(*_inputs(problem, problem.point_array), *_inputs(problem, v)), True)
        what = "J·v"
    else:
        got, what = _flat(jvp_f, True), "J·v"
    _compare(program, problem, "jvp", v, got, rtol, budget, what)


def assert_vjp(f: Callable, vjp_f=None, at=None, cotangent=None, rtol: float | None = None,
               budget: float | None = REFERENCE_SECONDS, seed: int = 0) -> None:
    """Jᵀ·r of f at ``at``: ``vjp_f(*inputs, r)`` (one adjoint per input, or all of them
    flat), or Jᵀ·r itself; None: reverse-mode AD through f. ``cotangent`` is r, one entry
    per output (default: seeded normal entries)."""
    program, problem = _problem(f, at, budget)
    r = _seeded_vector(problem.m, seed) if cotangent is None else _flat(cotangent, False)
    if vjp_f is None:
        got, what = _by_ad(problem, "vjp", r, "reverse-ad"), "Jᵀ·r by reverse-ad"
    elif callable(vjp_f):
        shaped = r if problem.m > 1 else float(r[0])
        got, what = _flat(vjp_f(*_inputs(problem, problem.point_array), shaped), True), "Jᵀ·r"
    else:
        got, what = _flat(vjp_f, True), "Jᵀ·r"
    _compare(program, problem, "vjp", r, got, rtol, budget, what)


def assert_hessian(f: Callable, hessian_f=None, at=None, rtol: float | None = None,
                   budget: float | None = REFERENCE_SECONDS) -> None:
    """The Hessian of f at ``at``: ``hessian_f(*inputs)`` (n × n over the flat inputs), or
    the matrix itself; None: forward-over-reverse AD through f."""
    program, problem = _problem(f, at, budget)
    if hessian_f is None:
        got, what = _by_ad(problem, "hessian", None, "reverse-ad"), "Hessian by AD"
    elif callable(hessian_f):
        got = _flat(hessian_f(*_inputs(problem, problem.point_array)), False)
        what = "Hessian"
    else:
        got, what = _flat(hessian_f, False), "Hessian"
    _compare(program, problem, "hessian", None, got, rtol, budget, what)
