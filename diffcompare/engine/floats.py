"""The scalar tape's sweeps specialized to plain floats: the common case, made cheap.

The generic sweeps (tape.py) dispatch every operation through ``ops.apply`` and every
partial through the generic functions, so that one code path serves floats, complex
numbers, arrays, dual numbers and mpmath numbers. For plain floats that costs a few Python
calls per operation. Here the tape is compiled once into flat plans: for the forward
sweep, (slot, float function, argument slots); for the reverse sweep, per record a small
integer naming its rule, so that the common operations' adjoints are a line of arithmetic
each. The numbers are the same as the generic sweeps': the same float functions (ops.py's
IEEE-safe ``real``), the same partials, and the same structural zeros (an exact zero
partial contributes nothing, so 0·∞ = 0).
"""

from __future__ import annotations

from diffcompare import ops

# Rules the reverse plan inlines; any other operation takes its partials from ops.py.
_ADD, _SUB, _MUL, _NEG, _SIN, _COS, _EXP, _OTHER = range(8)
_RULE = {ops.ADD: _ADD, ops.SUB: _SUB, ops.MUL: _MUL, ops.NEG: _NEG, ops.SIN: _SIN,
         ops.COS: _COS, ops.EXP: _EXP}


class FloatPlan:
    """A tape compiled for float sweeps. The slot ``sink`` (one past the last) takes the
    adjoint of arguments that do not depend on an input, so the reverse loop needs no test."""

    def __init__(self, tape):
        self.size = len(tape.ops)
        self.sink = self.size
        self.n_inputs = tape.n_inputs
        self.outputs = tape.outputs
        self.constants = [(k, tape.constants[k]) for k in range(tape.n_inputs, self.size)
                          if tape.ops[k] is None]
        self.forward_plan = []
        self.reverse_plan = []
        for k in range(tape.n_inputs, self.size):
            op = tape.ops[k]
            if op is None:
                continue
            if not op.arity:  # pi, e: a constant like any other
                self.constants.append((k, op.real()))
                continue
            args = tape.args[k]
            first = args[0] if args else -1
            second = args[1] if len(args) > 1 else -1
            self.forward_plan.append((k, op.real, first, second))
            if tape.active[k]:
                routed = [j if tape.active[j] else self.sink for j in args]
                self.reverse_plan.append((k, _RULE.get(op, _OTHER), op, args,
                                          routed[0] if routed else self.sink,
                                          routed[1] if len(routed) > 1 else self.sink))
        self.reverse_plan.reverse()

    def forward(self, inputs) -> list[float]:
        values = [0.0] * self.size
        values[: self.n_inputs] = inputs
        for k, value in self.constants:
            values[k] = value
        for k, fn, a, b in self.forward_plan:
            values[k] = fn(values[a]) if b < 0 else fn(values[a], values[b])
        return values

    def reverse(self, values, cotangent) -> list[float]:
        adjoint = [0.0] * (self.size + 1)
        for slot, r in zip(self.outputs, cotangent):
            adjoint[slot] += r
        for k, rule, op, args, a, b in self.reverse_plan:
            g = adjoint[k]
            if g == 0.0:
                continue
            if rule == _ADD:
                adjoint[a] += g
                adjoint[b] += g
            elif rule == _SUB:
                adjoint[a] += g
                adjoint[b] -= g
            elif rule == _MUL:
                u, v = values[args[0]], values[args[1]]
                if v != 0.0:  # an exact zero partial is a structural zero
                    adjoint[a] += g * v
                if u != 0.0:
                    adjoint[b] += g * u
            elif rule == _NEG:
                adjoint[a] -= g
            elif rule == _SIN:
                partial = ops.COS.real(values[args[0]])
                if partial != 0.0:
                    adjoint[a] += g * partial
            elif rule == _COS:
                partial = -ops.SIN.real(values[args[0]])
                if partial != 0.0:
                    adjoint[a] += g * partial
            elif rule == _EXP:
                if values[k] != 0.0:
                    adjoint[a] += g * values[k]  # exp(u)' = exp(u), already computed
            else:
                arguments = [values[j] for j in args]
                for i, target in enumerate((a, b)[: len(args)]):
                    if target == self.sink:
                        continue
                    partial = op.partials[i](*arguments)
                    if not ops.is_exact_zero(partial):
                        adjoint[target] = adjoint[target] + g * partial
        return adjoint[: self.size]
