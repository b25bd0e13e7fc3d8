"""Numbers as text, shared by render/, studies/ and plots/.

Numbers are shown as Python's shortest round-trip repr, so every digit a method produced is
visible (11.999999999999998 is not rounded to 12), and integers without a trailing ".0".
"""

from __future__ import annotations

import math


def number(x: float | None) -> str:
    """Every digit of a float, nothing more: 12, 5.5, 1.7163378145367738, 1e-300."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def error(x: float | None) -> str:
    """Errors need two significant digits, not seventeen."""
    if x is None or math.isnan(x):
        return "—"
    return "0" if x == 0 else f"{x:.1e}"


def seconds(s: float) -> str:
    if s <= 0:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def json_number(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(x)
