"""Your own derivative rules for a function in a program, in JAX's two forms.

    @diffcompare.custom_jvp                     @diffcompare.custom_vjp
    def lse(x):                                 def clipped(x):
        return np.log(np.sum(np.exp(x)))            return x * 1.0

    @lse.defjvp                                 def clipped_fwd(x):
    def lse_jvp(primals, tangents):                 return clipped(x), None
        (x,), (t,) = primals, tangents
        w = np.exp(x - lse(x))                  def clipped_bwd(residuals, bar):
        return lse(x), np.sum(w * t)                return (np.clip(bar, -1, 1),)

                                                clipped.defvjp(clipped_fwd, clipped_bwd)

forward-ad and reverse-ad use the rule: the call is one record on their tape, its JVP or
VJP the rule's, run on the point's numbers. A JVP rule serves reverse mode too, one JVP
per input entry (a Jacobian, then its transpose times the adjoint), as a VJP rule serves
forward mode, one VJP per output entry; JAX instead transposes the JVP's linear trace,
which needs a rule written in traceable operations. Every other route — finite
differences, complex step, the exact reference, sympy — calls the function itself, so the
rule is measured against the function's own slope (``disagreements``). Rules give first
derivatives: a second-order kind by AD says it cannot use them (JAX differentiates a rule
again; here the rule's code runs on plain numbers). Outside a trace the function is called
as it is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from diffcompare import ops
from diffcompare.errors import Cannot


@dataclass(frozen=True)
class Call:
    """A custom function's call in the function's own trace: what the rule is checked at."""

    rule: CustomRule
    arguments: tuple  # the arguments' values at the point (numbers or arrays)
    where: str  # file:line of the call


class CustomRule:
    """A function with a derivative rule of the user's (custom_jvp, custom_vjp)."""

    form = ""

    def __init__(self, function: Callable):
        functools.update_wrapper(self, function)
        self.function = function

    @property
    def defined(self) -> bool:
        raise NotImplementedError

    def __call__(self, *args):
        from diffcompare.engine.tracer import Traced, _here

        traced = [a for a in args if isinstance(a, Traced)]
        if not traced or not self.defined:
            return self.function(*args)
        tape = traced[0].tape
        values = tuple(a.value if isinstance(a, Traced) else a for a in args)
        if not tape.use_rules:  # the function's own derivative: traced through
            tape.custom_calls.append(Call(self, values, _here()))
            return self.function(*args)
        return _recorded(self, args)

    # the rule, on the point's numbers
    def tangent(self, values: tuple, tangents: tuple):
        raise NotImplementedError

    def cotangents(self, values: tuple, bar) -> tuple:
        raise NotImplementedError

    def jacobian(self, values: tuple) -> list[np.ndarray]:
        """Per argument, d(output)/d(argument) by the rule: (output entries, argument
        entries)."""
        raise NotImplementedError

    def _jacobian_by_columns(self, values: tuple) -> list[np.ndarray]:
        """One JVP per argument entry."""
        blocks = []
        for i, value in enumerate(values):
            size = int(np.size(value))
            columns = []
            for k in range(size):
                unit = np.zeros(size)
                unit[k] = 1.0
                tangents = tuple(unit.reshape(np.shape(value)) if j == i else None
                                 for j in range(len(values)))
                columns.append(np.ravel(np.asarray(self.tangent(values, tangents),
                                                   dtype=float)))
            blocks.append(np.array(columns).T if columns else np.zeros((0, 0)))
        return blocks


class custom_jvp(CustomRule):  # noqa: N801 - JAX's name
    """A function whose JVP is the user's: ``@f.defjvp`` takes (primals, tangents) and
    returns (f(primals), the output's tangent)."""

    form = "JVP"

    def __init__(self, function: Callable):
        super().__init__(function)
        self.rule: Callable | None = None

    def defjvp(self, rule: Callable) -> Callable:
        self.rule = rule
        return rule

    @property
    def defined(self) -> bool:
        return self.rule is not None

    def tangent(self, values, tangents):
        tangents = tuple(np.zeros(np.shape(v)) if t is None else t
                         for v, t in zip(values, tangents))
        _, out = self.rule(values, tangents)
        return out

    def jacobian(self, values):
        return self._jacobian_by_columns(values)

    def cotangents(self, values, bar):
        bar = np.ravel(np.asarray(bar, dtype=float))
        return tuple((bar @ block).reshape(np.shape(v))[()]
                     for v, block in zip(values, self.jacobian(values)))


class custom_vjp(CustomRule):  # noqa: N801 - JAX's name
    """A function whose VJP is the user's: ``f.defvjp(fwd, bwd)``, fwd(*primals) ->
    (output, residuals), bwd(residuals, output's adjoint) -> a tuple, one adjoint per
    argument."""

    form = "VJP"

    def __init__(self, function: Callable):
        super().__init__(function)
        self.forward_rule: Callable | None = None
        self.backward_rule: Callable | None = None

    def defvjp(self, forward: Callable, backward: Callable) -> None:
        self.forward_rule, self.backward_rule = forward, backward

    @property
    def defined(self) -> bool:
        return self.backward_rule is not None

    def cotangents(self, values, bar):
        _, residuals = self.forward_rule(*values)
        found = self.backward_rule(residuals, bar)
        found = tuple(found) if isinstance(found, (tuple, list)) else (found,)
        if len(found) != len(values):
            raise ValueError(f"the VJP rule of {self.__name__} gave {len(found)} adjoints "
                             f"for {len(values)} arguments")
        return found

    def jacobian(self, values):
        """One VJP per output entry: the Jacobian's rows."""
        output = np.asarray(self.function(*values))
        rows = []
        for k in range(output.size):
            unit = np.zeros(output.size)
            unit[k] = 1.0
            adjoints = self.cotangents(values, unit.reshape(output.shape) if output.ndim
                                       else 1.0)
            rows.append([np.ravel(np.asarray(a, dtype=float)) for a in adjoints])
        return [np.array([row[i] for row in rows]).reshape(output.size, int(np.size(v)))
                for i, v in enumerate(values)]

    def tangent(self, values, tangents):
        output = np.asarray(self.function(*values))
        total = sum((block @ np.ravel(t) for block, t in zip(self.jacobian(values), tangents)
                     if t is not None), np.zeros(output.size))
        return total.reshape(output.shape) if output.ndim else float(total[0])


def _custom_jvp(rule, values, tangents, result):
    return rule.tangent(tuple(values), tuple(tangents))


def _custom_vjp(rule, i, bar, values, result):
    return rule.cotangents(tuple(values), bar)[i]


CUSTOM = ops.ShapeOp("custom rule", 1, lambda rule, *values: rule.function(*values),
                     _custom_jvp, _custom_vjp, "the user's own rule for the function")


def _recorded(rule: CustomRule, args: tuple):
    from diffcompare.engine.tracer import _recorded as record

    return record(CUSTOM, rule, args, lambda *values: rule.function(*values))


def first_order_only(tape) -> None:
    """A tape that carries a custom rule has first derivatives only."""
    names = sorted({tape.params[k].__name__ for k, op in enumerate(tape.ops) if op is CUSTOM})
    if names:
        raise Cannot(f"cannot: your rule for {', '.join(names)} gives first derivatives "
                     "only (a second-order kind needs the rule differentiated again)")


CHECKED_CALLS = 5  # calls of rules checked against their function's own slope, per problem
COMPLEX_STEP = 1e-20
# The rule against complex step (exact to rounding): past 1e-8 relative it is not rounding.
# Without complex step (a function that cannot take complex numbers), central differences
# (h = cbrt(eps), error ~1e-10 relative for a tame function), so past 1e-5.
AGREE_COMPLEX, AGREE_CENTRAL = 1e-8, 1e-5


def own_slopes(rule: CustomRule, values: tuple) -> tuple[list[np.ndarray], str]:
    """Per argument, the function's own d(output)/d(argument) at ``values``, by complex step
    where the function takes complex numbers and agrees with central differences, else by
    central differences; and which."""
    central, stepped = [], []
    for i, value in enumerate(values):
        value = np.asarray(value, dtype=float)
        columns_c, columns_s = [], []
        for k in range(value.size):
            def at(offset, i=i, k=k, value=value):
                moved = value.astype(type(offset)).copy()
                moved.flat[k] += offset
                args = tuple(moved if j == i else v for j, v in enumerate(values))
                return np.ravel(np.asarray(rule.function(*args)))
            h = np.cbrt(np.finfo(float).eps) * max(1.0, abs(float(value.flat[k])))
            columns_c.append((at(h) - at(-h)) / (2 * h))
            try:
                with np.errstate(all="ignore"):
                    columns_s.append(np.imag(at(complex(0, COMPLEX_STEP))) / COMPLEX_STEP)
            except (TypeError, ValueError, ArithmeticError):
                columns_s.append(np.full_like(columns_c[-1], np.nan))
        central.append(np.array(columns_c).T)
        stepped.append(np.array(columns_s).T)
    usable = all(np.all(np.isfinite(s)) and np.allclose(s, c, rtol=1e-5, atol=1e-8)
                 for s, c in zip(stepped, central))
    return (stepped, "complex step") if usable else (central, "central differences")


def disagreements(calls) -> tuple[str, ...]:
    """A line for each rule whose derivative differs from its function's own slope."""
    import inspect

    lines, seen = [], set()
    for call in calls:
        if (call.rule, call.where) in seen or len(seen) >= CHECKED_CALLS:
            continue
        seen.add((call.rule, call.where))
        try:
            ours = call.rule.jacobian(call.arguments)
            theirs, how = own_slopes(call.rule, call.arguments)
        except Exception as error:  # the user's rule or function failed on the numbers
            lines.append(f"your {call.rule.form} rule for {call.rule.__name__} (at "
                         f"{call.where}) could not be checked: {type(error).__name__}: "
                         f"{error}")
            continue
        tolerance = AGREE_COMPLEX if how == "complex step" else AGREE_CENTRAL
        scale = max(max((float(np.max(np.abs(t))) for t in theirs if t.size), default=0.0),
                    1e-300)
        worst = max(((float(np.max(np.abs(o - t))) / scale, i, int(np.argmax(np.abs(o - t))))
                     for i, (o, t) in enumerate(zip(ours, theirs))
                     if o.size and o.shape == t.shape), default=None)
        if worst is None or worst[0] <= tolerance:
            continue
        gap, i, flat = worst
        names = list(inspect.signature(call.rule.function).parameters)
        name = names[i] if i < len(names) else f"argument {i + 1}"
        value = np.asarray(call.arguments[i])
        _, column = np.unravel_index(flat, ours[i].shape)
        entry = name if not value.ndim else \
            f"{name}[{','.join(map(str, np.unravel_index(column, value.shape)))}]"
        lines.append(f"your {call.rule.form} rule for {call.rule.__name__} differs from the "
                     f"function's own slope by {gap:.1e} at {entry} (the call at "
                     f"{call.where}; the slope by {how} of {call.rule.__name__} itself)")
    return tuple(lines)
