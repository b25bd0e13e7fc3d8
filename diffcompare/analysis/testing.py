"""assert_gradient: check hand-written gradient code against the exact derivative, in pytest.

The habit of JAX's ``check_grads`` and PyTorch's ``gradcheck``, for plain Python and numpy
code: f is traced at the point and its exact gradient computed (the tape swept with mpmath);
the gradient code's answer must agree to what floating point allows a short computation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from diffcompare.analysis.check import default_rtol
from diffcompare.analysis.reference import exact_reference
from diffcompare.methods.given import GIVEN

REFERENCE_SECONDS = 30.0


def assert_gradient(f: Callable, grad_f, at, rtol: float | None = None,
                    budget: float | None = REFERENCE_SECONDS) -> None:
    """Raise AssertionError unless ``grad_f`` (a function taking f's inputs, or the
    gradient itself) agrees with f's exact gradient at ``at`` (a number, a sequence of
    f's inputs, or a mapping by name), normwise: max|g - r| <= rtol · max|r|.

    ``rtol`` defaults to the tolerance ``check`` gives a "given" derivative (1e-13, a few
    roundings of a short float64 computation): tighter than any finite difference, which is
    why this checks against the exact gradient and not against one."""
    from diffcompare.methods.given import given_function
    from diffcompare.problems.load import program_problem
    from diffcompare.problems.usercode import from_callable

    if not isinstance(at, (dict, list, tuple)):
        at = [at]
    program = from_callable(f)
    problem = program_problem(program, dict(zip(program.inputs, at))
                              if not isinstance(at, dict) else at, budget=budget)
    reference = exact_reference(problem, "gradient", budget=budget)
    if reference.failure:
        raise AssertionError(f"no exact gradient of {program.name} at this point: "
                             f"{reference.failure}")
    if callable(grad_f):
        got = given_function(problem, from_callable(grad_f), budget).value
    else:
        pieces = grad_f if isinstance(grad_f, (list, tuple)) and len(program.inputs) > 1 \
            else [grad_f]
        got = np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in pieces])
    want = np.asarray(reference.derivative, dtype=float)
    if got.size != want.size:
        raise AssertionError(f"the gradient has {got.size} entries; f has {want.size} inputs")
    tolerance = default_rtol(GIVEN) if rtol is None else rtol
    exists = np.isfinite(want)
    errors = np.where(exists, np.abs(got - want), 0.0)
    errors[exists & ~np.isfinite(got)] = np.inf
    scale = float(np.max(np.abs(want[exists]))) if exists.any() else 0.0
    worst = int(np.argmax(errors)) if errors.size else 0
    relative = float(errors[worst]) / scale if scale > 0 else float(errors[worst])
    if errors.size and relative > tolerance:
        name = problem.variables[worst]
        raise AssertionError(
            f"the gradient of {program.name} is wrong at d/d{name}: expected "
            f"{float(want[worst])!r} (exact), got {float(got[worst])!r}; error "
            f"{errors[worst]:.3g}, {relative:.3g} of max|∇f| = {scale:.6g} > rtol {tolerance:g}")
