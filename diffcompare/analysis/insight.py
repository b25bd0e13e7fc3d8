"""What a kind of derivative teaches, beside the numbers: which AD mode is cheaper for the
shape of f, the dot-product test between J·v and Jᵀ·r, and a Hessian's symmetry and
eigenvalues (the shape of f near the point). Data only; render/ writes it out."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from diffcompare.errors import COMPUTATION_FAILURES
from diffcompare.methods import KINDS, REGISTRY, Options
from diffcompare.methods.kinds import check_direction
from diffcompare.problems.base import BaseProblem as Problem

# Eigenvalues within this of 0, relative to the largest, count as 0 (a degenerate point).
EIGEN_ZERO = 1e-12


def cheaper_mode(m: int, n: int) -> dict:
    """The seed's rule: forward mode costs n passes (a column each), reverse mode one
    forward and m reverse passes (a row each)."""
    if n < m:
        mode, why = "forward-ad", f"n = {n} inputs < m = {m} outputs: {n} forward passes " \
                                  f"against 1 + {m} for reverse mode"
    elif m < n:
        mode, why = "reverse-ad", f"m = {m} outputs < n = {n} inputs: 1 forward and {m} " \
                                  f"reverse passes against {n} forward passes"
    else:
        mode, why = "either", f"n = m = {n}: {n} forward passes, or 1 forward and {m} reverse"
    return {"cheaper_mode": mode, "why": why}


def dot_product_test(problem: Problem, v: Sequence[float], r: Sequence[float],
                     options: Options) -> dict:
    """<J·v, r> from one forward-ad pass and <v, Jᵀ·r> from one reverse-ad pass: equal up to
    rounding for any v and r, so a mismatch shows a wrong pass."""
    jv = REGISTRY["forward-ad"].prepare(problem, options).derivative("jvp", direction=v)
    jtr = REGISTRY["reverse-ad"].prepare(problem, options).derivative("vjp", direction=r)
    left = float(np.dot(jv.value, r))
    right = float(np.dot(v, jtr.value))
    return {"v": [float(x) for x in v], "r": [float(x) for x in r], "Jv_dot_r": left,
            "v_dot_JTr": right, "difference": abs(left - right)}


def hessian_shape(hessian: np.ndarray) -> dict:
    """Eigenvalues of the exact Hessian and what they say about the point."""
    if not np.all(np.isfinite(hessian)):
        return {"eigenvalues": None, "meaning": "the exact Hessian is not finite here"}
    eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    scale = max(float(np.max(np.abs(eigenvalues))), 1e-300)
    signs = [0 if abs(e) <= EIGEN_ZERO * scale else (1 if e > 0 else -1) for e in eigenvalues]
    if 0 in signs:
        meaning = ("degenerate: an eigenvalue is 0, so the second derivatives alone do not "
                   "tell the shape of f here")
    elif all(s > 0 for s in signs):
        meaning = "positive definite: f curves up in every direction (a minimum if ∇f = 0)"
    elif all(s < 0 for s in signs):
        meaning = "negative definite: f curves down in every direction (a maximum if ∇f = 0)"
    else:
        meaning = "indefinite: up in some directions, down in others (a saddle if ∇f = 0)"
    return {"eigenvalues": [float(e) for e in eigenvalues], "meaning": meaning}


def symmetry(values: np.ndarray) -> float:
    """The largest |H - Hᵀ|: 0 for an exact Hessian of a smooth f (Schwarz's theorem)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or not np.all(np.isfinite(values)):
        return math.nan
    return float(np.max(np.abs(values - values.T)))


# --- what each kind teaches, one entry per kind that has something to add ------------------

def _mode(problem, direction, partner, rows, reference, options) -> dict:
    return cheaper_mode(problem.m, problem.n)


def _dot_product(kind_name: str):
    """The test for J·v (its partner r) or Jᵀ·r (its partner v)."""

    def teach(problem, direction, partner, rows, reference, options) -> dict:
        own = KINDS[kind_name]
        other = KINDS[own.partner]
        size = other.direction_size(problem.m, problem.n)
        partner = check_direction(problem, other, partner if partner is not None
                                  else [1.0] * size)
        v, r = (direction, partner) if own.direction == "n" else (partner, direction)
        try:
            return {"dot_product_test": dot_product_test(problem, v, r, options)}
        except COMPUTATION_FAILURES as exc:
            return {"dot_product_test": {"failure": f"{type(exc).__name__}: {exc}"}}

    return teach


def _hessian(problem, direction, partner, rows, reference, options) -> dict:
    found = dict(hessian_shape(reference.derivative))
    found["symmetry"] = {row.method: symmetry(row.result.value) for row in rows
                         if not row.result.failure}
    return found


LESSONS = {"jacobian": _mode, "jvp": _dot_product("jvp"), "vjp": _dot_product("vjp"),
           "hessian": _hessian}


def of(kind, problem, direction, partner, rows, reference, options) -> dict:
    """What the kind teaches beside its numbers (nothing, for most)."""
    lesson = LESSONS.get(kind.name)
    return {} if lesson is None else lesson(problem, direction, partner, rows, reference,
                                            options)
