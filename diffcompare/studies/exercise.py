"""Differentiation exercises drawn at random, reproducibly: the same seed, topics, level and
count give the same sheet on every run and every machine (Python's Mersenne Twister, seeded,
drawing from fixed lists).

Each topic is a list of templates per level; a template is a function of the random source
that writes one function as text (in the tool's own syntax, read back by its own parser)
and names the variable to differentiate by. Level 1 needs the topic's rule once, level 2
combines it with one other rule, level 3 nests or combines several. The answer is derive's
result, simplified by sympy where it manages within the budget and checked equal to the
derived form (studies/derive.simplified); the worked solution is the derivation itself.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from diffcompare.errors import InputError

if TYPE_CHECKING:  # the command line reads the topics: nothing heavy at its start
    from diffcompare.studies.derive import Derivation

LEVELS = (1, 2, 3)
MAX_COUNT = 100  # problems on one sheet
REDRAWS = 50  # tries for a problem not already on the sheet

Template = Callable[[random.Random], tuple[str, str]]  # -> (the function, the variable)


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    levels: dict[int, tuple[Template, ...]]


def _a(rng):  # a coefficient
    return rng.randint(2, 9)


def _n(rng):  # an exponent
    return rng.randint(2, 7)


def _x(text: str) -> tuple[str, str]:
    return text, "x"


def _one_of(rng, names: str) -> str:
    return rng.choice(names.split())


def _partial(text: str, names: str, rng) -> tuple[str, str]:
    return text, _one_of(rng, names)


def _unit(rng):
    return _one_of(rng, "sin cos exp")


def _logistic(rng) -> str:
    """The logistic loss log(1 + exp(-y·z)) of a label y = ±1, z = w·x + b."""
    z = f"w*{rng.randint(1, 3)} + b"
    return f"log(1 + exp(-({z})))" if rng.random() < 0.5 else f"log(1 + exp({z}))"


def _cross_entropy(rng) -> str:
    """Logistic regression's loss on one example (x, label): -log σ(z) or -log(1 - σ(z))."""
    sigmoid = f"1/(1 + exp(-(w*{rng.randint(1, 3)} + b)))"
    return f"-log({sigmoid})" if rng.random() < 0.5 else f"-log(1 - {sigmoid})"


TOPICS: dict[str, Topic] = {t.name: t for t in (
    Topic("power", "the power rule", {
        1: (lambda r: _x(f"{_a(r)}*x**{_n(r)}"),
            lambda r: _x(f"x**{_n(r)} + {_a(r)}*x"),
            lambda r: _x(f"{_a(r)}/x**{_n(r)}")),
        2: (lambda r: _x(f"{_a(r)}*x**{_n(r)} - {_a(r)}*x**{_n(r) + 5} + {_a(r)}*x"),
            lambda r: _x(f"{_a(r)}*sqrt(x) + {_a(r)}/x"),
            lambda r: _x(f"x**({r.randint(1, 4)}/{r.choice([3, 5, 7])}) - {_a(r)}*x")),
        3: (lambda r: _x(f"{_a(r)}*x**({r.randint(1, 4)}/3) + {_a(r)}/x**{_n(r)} - "
                         f"sqrt(x)/{_a(r)}"),
            lambda r: _x(f"(x**{_n(r)} + {_a(r)})/x"),
            lambda r: _x(f"x**{_n(r)}*sqrt(x) - {_a(r)}/sqrt(x)")),
    }),
    Topic("product", "the product rule", {
        1: (lambda r: _x(f"x**{_n(r)}*{_unit(r)}(x)"),
            lambda r: _x(f"x*{_unit(r)}(x)"),
            lambda r: _x(f"({_a(r)}*x + {_a(r)})*(x**2 - {_a(r)})")),
        2: (lambda r: _x(f"x**{_n(r)}*log(x)"),
            lambda r: _x(f"exp(x)*{_one_of(r, 'sin cos')}(x)"),
            lambda r: _x(f"sqrt(x)*(x**{_n(r)} + {_a(r)})")),
        3: (lambda r: _x(f"x*exp(x)*{_one_of(r, 'sin cos')}(x)"),
            lambda r: _x(f"x**{_n(r)}*exp({_a(r)}*x)*cos(x)"),
            lambda r: _x("x**2*log(x)*sin(x)")),
    }),
    Topic("quotient", "the quotient rule", {
        1: (lambda r: _x(f"x/(x + {_a(r)})"),
            lambda r: _x(f"(x**2 + {_a(r)})/(x + {_a(r)})"),
            lambda r: _x(f"{_one_of(r, 'sin cos exp')}(x)/x")),
        2: (lambda r: _x(f"sin(x)/x**{_n(r)}"),
            lambda r: _x("exp(x)/(1 + x**2)"),
            lambda r: _x(f"log(x)/x**{_n(r)}")),
        3: (lambda r: _x(f"x*sin(x)/(x + {_a(r)})"),
            lambda r: _x(f"(x**2 - {_a(r)})/(x**2 + {_a(r)})"),
            lambda r: _x(f"exp({_a(r)}*x)/(x*cos(x) + {_a(r)})")),
    }),
    Topic("chain", "the chain rule", {
        1: (lambda r: _x(f"({_a(r)}*x + {_a(r)})**{_n(r)}"),
            lambda r: _x(f"{_one_of(r, 'sin cos exp')}({_a(r)}*x)"),
            lambda r: _x(f"sqrt({_a(r)}*x + 1)")),
        2: (lambda r: _x(f"{_one_of(r, 'sin cos exp')}(x**{_n(r)})"),
            lambda r: _x(f"sqrt(1 + x**{_n(r)})"),
            lambda r: _x(f"(x**2 + {_a(r)})**{_n(r)}")),
        3: (lambda r: _x(f"exp(sin(x**{_n(r)}))"),
            lambda r: _x(f"sin(exp({_a(r)}*x))**2"),
            lambda r: _x(f"sqrt(1 + cos(x)**{_n(r)})")),
    }),
    Topic("exp-log", "exponentials and logarithms", {
        1: (lambda r: _x(f"exp({_a(r)}*x)"),
            lambda r: _x(f"log({_a(r)}*x)"),
            lambda r: _x(f"{_a(r)}*exp(x) - {_a(r)}*log(x)")),
        2: (lambda r: _x("x*log(x)"),
            lambda r: _x(f"log(x**2 + {_a(r)})"),
            lambda r: _x("exp(x)*log(x)")),
        3: (lambda r: _x(f"log(1 + exp({_a(r)}*x))"),
            lambda r: _x(f"log(x)**{_n(r)}"),
            lambda r: _x(f"exp(-x**2/{_a(r)})*log(x + {_a(r)})")),
    }),
    Topic("trig", "trigonometric functions", {
        1: (lambda r: _x(f"{_a(r)}*sin(x)"),
            lambda r: _x(f"cos(x) - {_a(r)}*x"),
            lambda r: _x("tan(x)")),
        2: (lambda r: _x("sin(x)*cos(x)"),
            lambda r: _x(f"tan({_a(r)}*x)"),
            lambda r: _x(f"{_one_of(r, 'sin cos')}(x)**{_n(r)}")),
        3: (lambda r: _x(f"sin(x)**2*cos({_a(r)}*x)"),
            lambda r: _x("cos(sin(x))"),
            lambda r: _x(f"tan(x)/(1 + {_a(r)}*x)")),
    }),
    Topic("inverse-trig", "inverse trigonometric functions", {
        1: (lambda r: _x(f"atan({_a(r)}*x)"),
            lambda r: _x(f"asin(x/{_a(r) + 1})"),
            lambda r: _x(f"acos(x/{_a(r) + 1})")),
        2: (lambda r: _x(f"atan(x**{_n(r)})"),
            lambda r: _x("x*atan(x)"),
            lambda r: _x(f"asin(x/{_a(r) + 1})**2")),
        3: (lambda r: _x("atan(1/x)"),
            lambda r: _x(f"x**2*asin(x/{_a(r) + 1})"),
            lambda r: _x(f"atan(x/(1 + {_a(r)}*x))")),
    }),
    Topic("partials", "partial derivatives", {
        1: (lambda r: _partial(f"x**{_n(r)}*y + {_a(r)}*y", "x y", r),
            lambda r: _partial(f"{_a(r)}*x*y**{_n(r)}", "x y", r),
            lambda r: _partial(f"x**2 + {_a(r)}*x*y - y**2", "x y", r)),
        2: (lambda r: _partial(f"{_one_of(r, 'sin cos exp')}(x*y)", "x y", r),
            lambda r: _partial("x/(x + y)", "x y", r),
            lambda r: _partial(f"exp(x - {_a(r)}*y)*x", "x y", r)),
        3: (lambda r: _partial("x*y*z + sin(x*z)", "x y z", r),
            lambda r: _partial("log(x**2 + y**2)", "x y", r),
            lambda r: _partial("atan(y/x)", "x y", r),
            lambda r: _partial("sqrt(x**2 + y**2 + z**2)", "x y z", r)),
    }),
    Topic("ml", "gradients of small machine-learning losses", {
        1: (lambda r: _partial(f"(w*{r.randint(1, 3)} + b - {r.randint(1, 5)})**2", "w b", r),
            lambda r: _partial(f"(w*{r.randint(1, 3)} - {r.randint(1, 5)})**2/2", "w", r),
            lambda r: _partial(f"log(1 + exp(w*{r.randint(1, 3)} + b))", "w b", r)),
        2: (lambda r: _partial(_logistic(r), "w b", r),
            lambda r: _partial(f"(tanh(w*{r.randint(1, 3)} + b) {r.choice('+-')} 1)**2",
                               "w b", r),
            lambda r: _partial(f"((w + b - {r.randint(1, 5)})**2 + "
                               f"(w*{r.randint(2, 4)} + b - {r.randint(1, 5)})**2)/2",
                               "w b", r)),
        3: (lambda r: _partial("-log(exp(a)/(exp(a) + exp(b)))", "a b", r),
            lambda r: _partial(_cross_entropy(r), "w b", r),
            lambda r: _partial(f"(w2*tanh(w1*{r.randint(1, 3)} + b1) + b2 - "
                               f"{r.randint(1, 5)})**2", "w1 b1 w2 b2", r)),
    }),
)}


@dataclass(frozen=True)
class Problem:
    number: int
    topic: str
    expression: str  # the function, in the tool's syntax
    wrt: str
    answer: str  # its derivative: simplified where sympy managed, else as derived
    derivation: Derivation  # the worked solution, rule by rule


@dataclass(frozen=True)
class Sheet:
    seed: int
    level: int
    topics: tuple[str, ...]
    problems: tuple[Problem, ...]


def topics_named(names: str | Sequence[str] | None) -> tuple[str, ...]:
    """The topics asked for (comma-separated or a list; default all), each checked."""
    if names is None:
        return tuple(TOPICS)
    asked = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
    asked = [n for n in asked if n]
    unknown = [n for n in asked if n not in TOPICS]
    if unknown or not asked:
        raise InputError(f"no topic {unknown[0]!r}" if unknown else "no topic named" +
                         f"; topics: {', '.join(TOPICS)}")
    return tuple(dict.fromkeys(asked))


def fresh_seed() -> int:
    """A seed for a sheet nobody asked to repeat (the sheet prints it, to be repeated)."""
    return int.from_bytes(os.urandom(4), "big") % 1_000_000


def draw(topics: Sequence[str], level: int, count: int, seed: int) -> list[tuple[str, str, str]]:
    """(topic, function, variable) for each problem: topics in turn, templates at random,
    no function twice on a sheet (while the templates can give another)."""
    if level not in LEVELS:
        raise InputError(f"--level must be one of {', '.join(map(str, LEVELS))}, not {level}")
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count must be from 1 to {MAX_COUNT}, not {count}")
    rng = random.Random(f"diffcompare exercise {seed}")  # a str seed: the same everywhere
    drawn, seen = [], set()
    for k in range(count):
        topic = TOPICS[topics[k % len(topics)]]
        for _ in range(REDRAWS):
            text, wrt = rng.choice(topic.levels[level])(rng)
            if (text, wrt) not in seen:
                break
        seen.add((text, wrt))
        drawn.append((topic.name, text, wrt))
    return drawn


def exercises(topics: str | Sequence[str] | None = None, level: int = 1, count: int = 5,
              seed: int | None = None, budget: float | None = None) -> Sheet:
    """A sheet of ``count`` problems; the seed (drawn when not given) repeats it."""
    from diffcompare.expr import to_text
    from diffcompare.parse import parse
    from diffcompare.studies.derive import derive, simplified

    chosen = topics_named(topics)
    seed = fresh_seed() if seed is None else seed
    problems = []
    for number, (topic, text, wrt) in enumerate(draw(chosen, level, count, seed), 1):
        (derivation,) = derive(parse(text), wrt)
        derivation = simplified(derivation, budget)
        answer = derivation.simplified if derivation.simplified is not None \
            else derivation.result
        problems.append(Problem(number, topic, text, wrt, to_text(answer), derivation))
    return Sheet(seed, level, chosen, tuple(problems))
