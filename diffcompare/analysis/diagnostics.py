"""What is wrong at the point itself, whatever the method: outside a function's domain,
not differentiable, overflow. Checked once per problem, record by record on its tape (a
program's records may hold arrays: each entry is checked), with the domains in ops.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffcompare.problems.base import BaseProblem as Problem

OUTSIDE_DOMAIN = "outside domain"
OVERFLOW = "overflow"
NON_DIFFERENTIABLE = "non-differentiable here"
ENTRYWISE_LIMIT = 100_000  # entries of one record checked one by one against a domain


@dataclass(frozen=True)
class Diagnostic:
    kind: str  # one of the three above
    message: str
    inputs: frozenset[int]  # the function's inputs (by index) the record depends on

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"

    def touches(self, problem: Problem, variable: int) -> bool:
        """Whether flat input j is one the offending record depends on."""
        return problem.input_of(variable) in self.inputs


def diagnose(problem: Problem) -> list[Diagnostic]:
    """Computed once per problem (the reference and compare both ask)."""
    found = problem.memo.get("diagnostics")
    if found is None:
        found = problem.memo["diagnostics"] = _diagnose(problem)
    return list(found)


def _diagnose(problem: Problem) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for site in problem.tape.sites(problem.point_array):
        try:
            entries = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in site.args))
        except (TypeError, ValueError):
            continue
        finite = np.logical_and.reduce([np.isfinite(e) for e in entries])
        if not finite.any():
            continue  # reported where it first went wrong
        value = np.asarray(site.value, dtype=float)
        if entries[0].size > ENTRYWISE_LIMIT:  # too many entries to test one by one
            bad = finite & ~np.isfinite(value)
            if bad.any():
                found.append(Diagnostic(OUTSIDE_DOMAIN, f"{site.where()}: {int(bad.sum())} "
                                        "entries are not finite", site.inputs))
            continue
        diagnostic = _first_trouble(site, entries, finite, value)
        if diagnostic is not None:
            found.append(diagnostic)
    return found


def _first_trouble(site, entries, finite, value) -> Diagnostic | None:
    op = site.op
    if op.domain is not None:
        failing = finite & ~_holds(op.domain, entries)
        if failing.any():
            return Diagnostic(OUTSIDE_DOMAIN, f"{site.where()}: {op.domain_text}"
                                              f"{_at(entries, failing)}", site.inputs)
    overflowing = finite & ~np.isfinite(value)
    if overflowing.any():
        return Diagnostic(OVERFLOW, f"{site.where()} is not finite in float64"
                                    f"{_at(entries, overflowing)}", site.inputs)
    if op.smooth is not None and site.inputs:
        failing = finite & ~_holds(op.smooth, entries)
        if failing.any():
            at = _at(entries, failing) if np.ndim(failing) else ""
            return Diagnostic(NON_DIFFERENTIABLE, f"{site.where()}: {op.smooth_text}{at}",
                              site.inputs)
    return None


def _holds(test, entries) -> np.ndarray:
    """A scalar test of ops.py (a domain, smoothness) entry by entry."""
    if not np.ndim(entries[0]):
        return np.asarray(bool(test(*(float(e) for e in entries))))
    passing = np.frompyfunc(lambda *a: bool(test(*a)), len(entries), 1)(*entries)
    return np.asarray(passing, dtype=bool)


def _at(entries, failing) -> str:
    if not np.ndim(failing):
        return f" (argument {', '.join(f'{float(e):.6g}' for e in entries)})"
    index = np.argwhere(failing)[0]
    count = int(np.count_nonzero(failing))
    more = f" and {count - 1} more" if count > 1 else ""
    return f" (entry {tuple(int(i) for i in index)}{more})"
