"""The speed goals of the scale issue, each measured against its peers in the same run.

    python benchmarks/run.py [--json] [--repeats 7]

Every figure is a median over repeats, and every goal a ratio to something measured in the
same run (numpy's own evaluation, a hand-written gradient, the peers that are installed:
torch, jax, autograd; `pip install '.[bench]'` installs those PyPI has for this machine).
A ratio is taken pair by pair (A, B, A, B, ...: the median of A/B over the pairs), so that
the machine's drift during a run moves both sides of each pair alike. A peer that is not
installed is skipped with a note. A goal not reached says by how much.

Every contender gets the same memory: the run starts again with glibc's allocator told to
keep what is freed (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), so that no one pays
page faults for its temporaries. Left to itself glibc decides per call, from the largest
block freed lately, whether an array of a million doubles gets fresh pages: numpy's f took
2.0 or 4.6 ms in one process depending on what ran before it (2026-12-07), which moved
every ratio to it by 2x. ``--heap system`` measures with the allocator as it comes.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


sys.path.insert(0, str(Path(__file__).resolve().parent))
from gradient_cost import median_seconds as median  # noqa: E402 - the benchmarks' timer

# glibc: blocks up to 1 GiB come from the heap, and the heap keeps up to 2 GiB it was given
KEPT_HEAP = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(2 << 30)}


def paired_ratio(a, b, repeats: int) -> float:
    """The median of a's time over b's, pair by pair, each timed at its steady state: the
    timed call follows an untimed one of its own, so that neither finds its caches as the
    other left them (f timed right after a gradient of a million entries ran 1.5x slower)."""
    ratios = []
    for _ in range(repeats):
        b()
        start = time.perf_counter()
        b()
        middle = time.perf_counter()
        a()
        again = time.perf_counter()
        a()
        ratios.append((time.perf_counter() - again) / (middle - start))
    return statistics.median(ratios)


def wall(args: list[str], repeats: int) -> float:
    """The median wall time of a whole command, start-up included."""
    return median(_command(args), repeats)


def _command(args: list[str]):
    """A whole command as a call (for ``wall`` and ``paired_ratio``)."""
    return lambda: subprocess.run(args, capture_output=True, check=False, cwd=ROOT)


# --- goal 1: reverse-ad on the Rosenbrock program at n = 10^6 ---------------------------

def rosenbrock_numpy(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_gradient(x):
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] = -400 * x[:-1] * inner - 2 * (1 - x[:-1])
    g[1:] += 200 * inner
    return rosenbrock_numpy(x), g


def rosenbrock_traced(x):
    from diffcompare.math import sum as dsum

    return dsum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def _library(function, inputs: dict, method: str, **options):
    """derivative() as a user calls it: its default options (a budget of CPU seconds, so
    the user's code runs under its alarms) unless ``options`` say otherwise."""
    import diffcompare

    return lambda: diffcompare.derivative(function, at=inputs, method=method, **options)


def _engine(function, names, values):
    """The engine alone: trace at the point, one reverse sweep (what the library wraps)."""
    from diffcompare.engine.arrays import flatten
    from diffcompare.engine.tracer import trace

    point = flatten(values)

    def run():
        tape = trace(function, names, values, point=point)
        return tape.vjp(point, [1.0])
    return run


def _peak_bytes(call, tool: bool = True) -> int:
    """The most memory a call holds at once: what it allocates (tracemalloc's peak) and,
    for the tool's calls, what it keeps from call to call (the pool of large arrays, the
    gradient code's buffers), which an allocation count alone would not see: both are let
    go, one call fills them again, and the next is measured."""
    from diffcompare.engine import pool
    from diffcompare.methods import compiled

    kept = 0
    if tool:
        pool.clear()
        compiled.clear()
        call()
        kept = pool.held_bytes() + compiled.held_bytes()
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak + kept


def goal_rosenbrock(repeats: int, notes: list[str]) -> dict:
    """value + gradient at n = 10^6 through the library, by the tape and by the generated
    code, against numpy's f, the hand-written gradient and the peers; peak memory."""
    n = 10**6
    x = np.ones(n)
    x[::2] = -1.2
    def f():
        return rosenbrock_numpy(x)

    runners = {"hand_written": lambda: rosenbrock_gradient(x),
               "engine": _engine(rosenbrock_traced, ["x"], [x]),
               "library_tape": _library(rosenbrock_traced, {"x": x}, "reverse-ad"),
               "library_compiled": _library(rosenbrock_traced, {"x": x},
                                            "reverse-ad-compiled")}
    found = {"numpy_f_seconds": median(f, repeats), **over_f(f, runners, repeats)}
    f_peak = _peak_bytes(f, tool=False)
    for name in ("library_tape", "library_compiled"):
        found[f"{name}_peak_above_f_bytes"] = _peak_bytes(runners[name]) - f_peak
    found.update(over_f(f, peers(x, notes), repeats))
    return found


def over_f(f, runners: dict, repeats: int) -> dict:
    """Each runner's median seconds, and its time over f's paired call by call."""
    found = {}
    for name, runner in runners.items():
        runner()  # the first run pays for the pages it touches (and writes the code)
        found[f"{name}_seconds"] = median(runner, repeats)
        found[f"{name}_over_f"] = paired_ratio(runner, f, repeats)
    return found


def goal_front_door(repeats: int) -> dict:
    """The library's derivative() ÷ the engine's own trace and sweep, Rosenbrock: with its
    default options (the goal), and without a budget (budget=None: no alarms around the
    user's code, no work predicted)."""
    found = {}
    for n in (10**4, 10**5, 10**6):
        x = np.ones(n)
        x[::2] = -1.2
        engine = _engine(rosenbrock_traced, ["x"], [x])
        runs = repeats if n >= 10**6 else 10 * repeats  # short runs: more of them
        size = f"{n:.0e}".replace("+0", "")
        for name, library in (
                ("library", _library(rosenbrock_traced, {"x": x}, "reverse-ad")),
                ("library_unbudgeted", _library(rosenbrock_traced, {"x": x}, "reverse-ad",
                                                budget=None)),
                ("checks_only", _checks_only(rosenbrock_traced, x))):
            engine(), library()
            found[f"{name}_over_engine_{size}"] = paired_ratio(library, engine, runs)
    return found


def _checks_only(function, x):
    """The engine with only what every call of the library must add to it, and none of
    its layers: the user's code run under the budget's alarms (engine/tracer.py's trace in
    problems/usercode.py's run_user_code), the method's budget started and the sweep's
    predicted work charged to it, the outputs read finite (else the inputs are), the
    gradient read for a nan. Not a contender: the floor beneath goal 2's figure at 10^4."""
    import math

    from diffcompare.engine.tracer import trace
    from diffcompare.methods import Options
    from diffcompare.problems.usercode import from_callable, run_user_code
    from diffcompare.runtime.budget import sweep_seconds

    options = Options()

    def run():
        program = from_callable(function)
        point = x.reshape(-1)
        tape = run_user_code(trace, (program.function, program.inputs, [x], point, False,
                                     True), options.budget, program.path)
        budget = options.clock()
        budget.charge(sweep_seconds(tape, 2, "float"), "the sweeps")
        if not tape.outputs_show_inputs_finite() and not np.isfinite(x).all():
            raise ValueError("not finite")
        value, gradient = tape.vjp(point, (1.0,))
        if math.isnan(np.minimum.reduce(gradient)):
            raise ValueError("a nan")
        return value, gradient
    return run


def mlp_inputs(batch: int = 64, hidden: int = 10_000, features: int = 8):
    rng = np.random.default_rng(0)
    return {"W1": rng.normal(size=(features, hidden)) / np.sqrt(features),
            "b1": np.zeros(hidden), "w2": rng.normal(size=hidden) / np.sqrt(hidden),
            "b2": 0.0}, rng.normal(size=(batch, features)), rng.normal(size=batch)


def goal_mlp(repeats: int, notes: list[str]) -> dict:
    """An MLP 8-10000-1 (10^5 parameters) on a batch of 64: value and gradient by the
    library (tape, generated code) and by hand, over numpy's f."""
    params, X, y = mlp_inputs()

    def mlp(W1, b1, w2, b2):
        from diffcompare.math import sum as dsum
        from diffcompare.math import tanh

        return dsum((tanh(X @ W1 + b1) @ w2 + b2 - y) ** 2) / len(y)

    def numpy_f():
        return np.sum((np.tanh(X @ params["W1"] + params["b1"]) @ params["w2"]
                       + params["b2"] - y) ** 2) / len(y)

    def hand_written():
        hidden = np.tanh(X @ params["W1"] + params["b1"])
        residual = hidden @ params["w2"] + params["b2"] - y
        bar = 2 * residual / len(y)
        back = np.outer(bar, params["w2"]) * (1 - hidden ** 2)
        return np.sum(residual ** 2) / len(y), (X.T @ back, back.sum(0), hidden.T @ bar,
                                                 bar.sum())

    floor = mlp_exact_floor(params, X, y)
    for mine, theirs in zip(floor()[1], hand_written()[1]):  # (the same gradient, to rounding)
        if np.max(np.abs(mine - theirs)) > 1e-13 * np.max(np.abs(theirs)):
            raise AssertionError("the MLP's exact floor computes another gradient")
    runners = {"hand_written": hand_written,
               "exact_floor": floor,
               "library_tape": _library(mlp, params, "reverse-ad"),
               "library_compiled": _library(mlp, params, "reverse-ad-compiled"),
               **mlp_peers(params, X, y, notes)}
    return {"numpy_f_seconds": median(numpy_f, repeats), **over_f(numpy_f, runners, repeats)}


def mlp_exact_floor(params: dict, X, y):
    """The least that exact numpy code takes for the MLP's value and gradient: the least
    passes, into buffers kept from call to call, with tanh's derivative as the tool takes
    it, 1/cosh(z)**2, exact to rounding wherever z is (torch's and jax's 1 - tanh(z)**2 loses
    about e^(2|z|)/2 units in the last place: 200 at |z| = 3, all of them past 19), and
    the diagonal scalings moved past the products (W1's and b1's adjoints are one product
    of [X*r, r] with sech^2, scaled by w2, so no outer product is made). Not a contender: the
    floor beneath goal 1's MLP figure."""
    W1, b1, w2, b2 = (params[k] for k in ("W1", "b1", "w2", "b2"))
    batch, features = X.shape
    Z, H = np.empty((batch, len(b1))), np.empty((batch, len(b1)))
    scaled = np.empty((batch, features + 1))

    def run():
        z = np.matmul(X, W1, out=Z)
        z += b1
        hidden = np.tanh(z, out=H)
        residual = hidden @ w2
        residual += b2 - y
        bar = residual * (2.0 / batch)
        sech2 = np.cosh(z, out=Z)
        np.multiply(sech2, sech2, out=sech2)
        np.reciprocal(sech2, out=sech2)
        np.multiply(X, bar[:, None], out=scaled[:, :features])
        scaled[:, features] = bar
        first = scaled.T @ sech2
        first *= w2
        return residual @ residual / batch, (first[:features], first[features],
                                             hidden.T @ bar, bar.sum())
    return run


def mlp_peers(params: dict, X, y, notes: list[str]) -> dict:
    """value and gradient of the MLP by each installed peer (notes say which are not)."""
    found = {}
    try:
        import torch

        torch.set_num_threads(1)
        tensors = {k: torch.tensor(v, dtype=torch.float64) for k, v in params.items()}
        tX, ty = torch.tensor(X), torch.tensor(y)

        def by_torch():
            p = {k: v.clone().requires_grad_(True) for k, v in tensors.items()}
            value = torch.sum((torch.tanh(tX @ p["W1"] + p["b1"]) @ p["w2"] + p["b2"] - ty)
                              ** 2) / len(y)
            value.backward()
            return value, [v.grad for v in p.values()]
        found["torch"] = by_torch
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)

        def loss(W1, b1, w2, b2):
            return jnp.sum((jnp.tanh(X @ W1 + b1) @ w2 + b2 - y) ** 2) / len(y)

        args = [jnp.asarray(params[k]) for k in ("W1", "b1", "w2", "b2")]
        eager = jax.value_and_grad(loss, argnums=(0, 1, 2, 3))
        jitted = jax.jit(eager)
        found["jax_eager"] = lambda: jax.block_until_ready(eager(*args))
        found["jax_jit"] = lambda: jax.block_until_ready(jitted(*args))
    except ImportError:
        pass
    try:
        import autograd
        import autograd.numpy as anp

        def aloss(W1, b1, w2, b2):
            return anp.sum((anp.tanh(anp.dot(X, W1) + b1) @ w2 + b2 - y) ** 2) / len(y)

        by_autograd = autograd.value_and_grad(aloss, argnum=[0, 1, 2, 3])
        found["autograd"] = lambda: by_autograd(*(params[k] for k in ("W1", "b1", "w2", "b2")))
    except ImportError:
        pass
    return found


def goal_richardson(repeats: int) -> dict:
    """Richardson ÷ central-fd on the 200-variable Rosenbrock chain, each prepared once."""
    from diffcompare.methods import REGISTRY, Options
    from diffcompare.problems.formula import Problem

    chain = " + ".join(f"100*(x{i + 1} - x{i}**2)**2 + (1 - x{i})**2" for i in range(199))
    at = ",".join("-1.2" if i % 2 == 0 else "1" for i in range(200))
    problem = Problem.from_text(chain, at)

    def timed(name):
        prepared = REGISTRY[name].prepare(problem, Options(budget=None))
        return median(lambda: prepared.derivative("gradient"), max(3, repeats // 2))

    central, richardson = timed("central-fd"), timed("richardson")
    return {"central_fd_seconds": central, "richardson_seconds": richardson,
            "richardson_over_central_fd": richardson / central}


def goal_scale() -> dict:
    """`diffcompare scale` with its defaults: its CPU time (what the budget counts) ÷ its
    budget."""
    import resource

    from diffcompare.runtime.budget import DEFAULT_BUDGET

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "diffcompare", "scale"], capture_output=True,
                   check=False, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    from diffcompare.cli.scale import scale  # its own default, as its --help shows

    budget = float(next(p.default for p in scale.params if p.name == "budget")
                   or DEFAULT_BUDGET)
    return {"cpu_seconds": cpu, "wall_seconds": time.perf_counter() - start,
            "budget_seconds": budget, "cpu_over_budget": cpu / budget}


def peers(x: np.ndarray, notes: list[str]) -> dict:
    """value and gradient of Rosenbrock by each installed peer."""
    found = {}
    try:
        import torch

        torch.set_num_threads(1)
        tx = torch.tensor(x)

        def by_torch():
            xt = tx.clone().requires_grad_(True)
            value = torch.sum(100 * (xt[1:] - xt[:-1] ** 2) ** 2 + (1 - xt[:-1]) ** 2)
            value.backward()
            return value, xt.grad

        found["torch"] = by_torch
    except ImportError:
        notes.append("torch is not installed (PyPI's wheel for this machine brings CUDA): "
                     "skipped")
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)

        def f(v):
            return jnp.sum(100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)

        eager, jitted, jx = jax.value_and_grad(f), jax.jit(jax.value_and_grad(f)), jnp.asarray(x)
        found["jax_eager"] = lambda: jax.block_until_ready(eager(jx))
        found["jax_jit"] = lambda: jax.block_until_ready(jitted(jx))
    except ImportError:
        notes.append("jax is not installed: skipped")
    try:
        import autograd
        import autograd.numpy as anp

        def g(v):
            return anp.sum(100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)

        by_autograd = autograd.value_and_grad(g)
        found["autograd"] = lambda: by_autograd(x)
    except ImportError:
        notes.append("autograd is not installed: skipped")
    return found


# --- goal 2: scalar tapes: record, sweep, parse per operation ---------------------------

def goal_scalar_tapes(repeats: int) -> dict:
    """Per operation: recording a parsed formula's tape, one forward and one reverse sweep,
    and parsing the text: at the parser's own limits (the longest text of these terms it
    accepts, as it ships), and at about 10^4 and 10^5 operations (past the command line's
    limits, which this benchmark then lifts: they guard user text, not speed). Linear in
    size means the cost per operation at 10^5 stays near its cost at the limits."""
    import importlib

    from diffcompare.engine.scalar import ScalarTape as Tape

    parser = importlib.import_module("diffcompare.parse")  # the module, not the function

    names = [f"x{i}" for i in range(50)]
    point = [0.1 * (i + 1) for i in range(50)]
    at_limits = _longest_accepted(parser)  # (before the limits are lifted)
    found = {"limits": _per_operation(parser, Tape, at_limits, names, point, 5 * repeats)}
    parser.MAX_LENGTH = parser.MAX_NODES = 10**9
    for size, terms in (("small", 2_500), ("large", 25_000)):  # 10^4 and 10^5 operations
        found[size] = _per_operation(parser, Tape, _terms(terms), names, point,
                                     max(3, repeats // 2))
    return {**found, **_growth(parser, Tape, at_limits, _terms(25_000), names,
                               max(3, repeats // 2))}


def _terms(count: int) -> str:
    """Distinct terms (each its own constant), so interning shares nothing between them."""
    return " + ".join(f"sin({i + 1}*x{i % 50})*x{(i + 7) % 50}" for i in range(count))


def _longest_accepted(parser) -> str:
    """The longest text of these terms the parser accepts with its own limits."""
    count = 1
    while len(_terms(count + 1)) <= parser.MAX_LENGTH:
        count += 1
    text = _terms(count)
    parser.parse(text)  # (within the node limit too, or this raises)
    return text


def _growth(parser, tape_class, near: str, far: str, names, runs: int) -> dict:
    """The cost per operation of recording and of a first parse at ``far`` over its cost
    at ``near``, pair by pair (A, B, A, B, ...: drift moves both alike); ``near``'s figure
    in each pair is the median of nine runs (it is short)."""
    def seconds(call) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    def first_parse(text: str) -> float:
        gc.collect()  # (the last tree, let go, is gone: no node of the text is alive)
        return seconds(lambda: parser.parse(text))

    def recording(text: str):
        tree = parser.parse(text)
        return lambda: tape_class.record(tree, names)

    near_record, far_record = recording(near), recording(far)
    operations = [call().operation_count for call in (near_record, far_record)]
    record, parse = [], []
    for _ in range(runs):
        short = statistics.median(seconds(near_record) for _ in range(9))
        record.append(seconds(far_record) / operations[1] / (short / operations[0]))
    del near_record, far_record  # (near's tree is a part of far's: a first parse needs
    for _ in range(runs):  # neither alive)
        short = statistics.median(first_parse(near) for _ in range(9))
        parse.append(first_parse(far) / operations[1] / (short / operations[0]))
    return {"record_growth_1e5_over_limits": statistics.median(record),
            "parse_growth_1e5_over_limits": statistics.median(parse)}


def _per_operation(parser, tape_class, text, names, point, runs) -> dict:
    found = _on_one_tree(parser, tape_class, text, names, point, runs)
    # the first parses last, with the tree gone: they leave the heap as one parse does not
    first = _first_parse_seconds(parser, text, runs)
    return {**found, "parse_us_per_op": first / found["operations"] * 1e6}


def _on_one_tree(parser, tape_class, text, names, point, runs) -> dict:
    """Recording the tree's tape, sweeping it, and parsing the text again while the tree
    is alive (every node is found in the intern table, none made: what this benchmark
    measured as parsing before 2026-12-07)."""
    expr = parser.parse(text)
    tape = tape_class.record(expr, names)
    ops = tape.operation_count
    return {
        "operations": ops,
        "record_us_per_op": median(lambda: tape_class.record(expr, names), runs) / ops * 1e6,
        "forward_reverse_us_per_op": median(
            lambda: tape.reverse(tape.forward(point)), runs) / ops * 1e6,
        "parse_again_us_per_op": median(lambda: parser.parse(text), runs) / ops * 1e6,
    }


def _first_parse_seconds(parser, text: str, runs: int) -> float:
    """The median time of a first parse of ``text``, as a user's parse is: none of its
    nodes alive before (they would be found interned, not made), and the collector's pass
    over the new nodes, due when parsing ends, counted."""
    times = []
    for _ in range(runs):
        gc.collect()  # (the last run's tree, let go, is gone)
        start = time.perf_counter()
        tree = parser.parse(text)
        times.append(time.perf_counter() - start)
        del tree
    return statistics.median(times)


# --- goal 6: deep chains and shared DAGs built through the API --------------------------

def goal_deep() -> dict:
    """A 10^5-operation chain and a 10^4-level shared DAG (each level uses the one below
    twice: written out in full, 2^10^4 nodes) through to_text, the tape and compare."""
    from diffcompare import ops
    from diffcompare.analysis.compare import compare
    from diffcompare.expr import Var, to_text
    from diffcompare.methods import Options
    from diffcompare.problems.formula import Problem

    x = Var("x")
    chain = x
    for i in range(100_000):
        chain = ops.sin(chain) if i % 2 else ops.add(chain, x)
    shared = x
    for _ in range(10_000):
        shared = ops.add(ops.mul(shared, shared), x)
    found = {}
    for name, root in (("chain_1e5", chain), ("dag_1e4_levels", shared)):
        start = time.perf_counter()
        text = to_text(root)
        found[f"{name}_to_text_seconds"] = time.perf_counter() - start
        found[f"{name}_text_characters"] = len(text)
        start = time.perf_counter()
        compare(Problem(root, ("x",), (0.3,)), ["reverse-ad", "forward-ad"], Options(budget=5))
        found[f"{name}_compare_seconds"] = time.perf_counter() - start
    return found


# --- goals 3 to 5: whole commands -------------------------------------------------------

def goal_commands(repeats: int) -> dict:
    exe = [sys.executable, "-m", "diffcompare"]
    chain = " + ".join(f"100*(x{i + 1} - x{i}**2)**2 + (1 - x{i})**2" for i in range(199))
    at = ",".join("-1.2" if i % 2 == 0 else "1" for i in range(200))
    imports = [sys.executable, "-c", "import sympy, numpy, click, rich"]
    seed = [*exe, "grad", "3*(x1**2 + x2*x3)", "--at", "2,3,4"]
    return {
        "help_seconds": wall([*exe, "--help"], repeats),
        "import_baseline_seconds": wall(imports, repeats),
        "grad_seed_seconds": wall(seed, repeats),
        "grad_seed_over_baseline": paired_ratio(_command(seed), _command(imports), repeats),
        "grad_chain_200_reverse_ad_seconds": wall(
            [*exe, "grad", chain, "--at", at, "--methods", "reverse-ad"], max(3, repeats // 2)),
        "manual_over_reverse_ad_n200": manual_ratio(chain, at, repeats),
    }


def manual_ratio(chain: str, at: str, repeats: int) -> float:
    from diffcompare.methods import REGISTRY, Options
    from diffcompare.problems.formula import Problem

    def timed(name):
        def run():
            problem = Problem.from_text(chain, at)  # each method prepares from scratch
            REGISTRY[name].prepare(problem, Options()).derivative("gradient")
        return median(run, repeats)

    return timed("manual") / timed("reverse-ad")


GOALS = [  # (key, how the figure is read, the goal, what it means)
    ("rosenbrock.library_compiled_over_f", "<=", 1.5,
     "1. derivative(method='reverse-ad-compiled'), Rosenbrock 10^6, value + gradient / f"),
    ("rosenbrock.library_tape_over_f", "<=", 3.0,
     "1. derivative(method='reverse-ad') (the tape), the same / f"),
    ("mlp.library_compiled_over_f", "<=", 1.5,
     "1. reverse-ad-compiled, MLP 8-10000-1 (10^5 parameters), batch 64 / f"),
    ("front_door.library_over_engine_1e4", "<=", 1.2,
     "2. derivative() (default options) / engine, n = 10^4"),
    ("front_door.library_over_engine_1e5", "<=", 1.2,
     "2. derivative() (default options) / engine, n = 10^5"),
    ("front_door.library_over_engine_1e6", "<=", 1.2,
     "2. derivative() (default options) / engine, n = 10^6"),
    ("rosenbrock.library_tape_peak_above_f_bytes", "<=", 64 * 2**20,
     "3. peak memory of derivative() (the tape) above f's, Rosenbrock 10^6, bytes"),
    ("rosenbrock.library_compiled_peak_above_f_bytes", "<=", 64 * 2**20,
     "3. the same, by the generated code, bytes"),
    ("richardson.richardson_over_central_fd", "<=", 20.0,
     "4. richardson / central-fd, Rosenbrock chain n = 200"),
    ("scale.cpu_over_budget", "<=", 1.1, "5. diffcompare scale (defaults): CPU s / --budget"),
    ("scalar_tapes.large.parse_us_per_op", "<=", 3.0,
     "6. a first parse at 10^5 operations, µs/op"),
    ("scalar_tapes.large.record_us_per_op", "<=", 1.5,
     "6. recording at 10^5 operations, µs/op"),
    ("scalar_tapes.large.forward_reverse_us_per_op", "<=", 0.5,
     "6. forward + reverse sweep at 10^5 operations, µs/op"),
    ("commands.grad_chain_200_reverse_ad_seconds", "<=", 0.6,
     "7. grad on the Rosenbrock chain, n = 200, --methods reverse-ad, wall seconds"),
    ("commands.help_seconds", "<=", 0.1, "7. diffcompare --help, wall seconds"),
    ("commands.grad_seed_over_baseline", "<=", 1.2,
     "7. grad on the seed / python -c 'import sympy, numpy, click, rich'"),
    ("commands.manual_over_reverse_ad_n200", "<=", 10.0, "7. manual / reverse-ad at n = 200"),
    ("deep.chain_1e5_compare_seconds", "<=", 10.0,
     "8. compare (reverse-ad, forward-ad) on a 10^5-operation chain, seconds"),
    ("deep.dag_1e4_levels_to_text_seconds", "<=", 5.0,
     "8. to_text of a 10^4-level shared DAG (named intermediates), seconds"),
]


# each goal in an interpreter of its own: what one goal leaves (a heap laid out around a
# million expression nodes, the threads of the peers it imported) slowed the next one's
# gradient code by 15% when they shared one (2026-12-07)
STUDIES = {"scalar_tapes": lambda repeats, notes: goal_scalar_tapes(repeats),
           "commands": lambda repeats, notes: goal_commands(repeats),
           "deep": lambda repeats, notes: goal_deep(),
           "richardson": lambda repeats, notes: goal_richardson(repeats),
           "scale": lambda repeats, notes: goal_scale(),
           "front_door": lambda repeats, notes: goal_front_door(repeats),
           "mlp": goal_mlp,
           "rosenbrock": goal_rosenbrock}


def measured_alone(study: str, repeats: int, notes: list[str]) -> dict:
    """One study's figures, measured by a fresh interpreter (this file, ``--study``)."""
    done = subprocess.run([sys.executable, __file__, "--study", study, "--repeats",
                           str(repeats)], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    notes.extend(n for n in found.pop("notes") if n not in notes)
    return found


def lookup(figures: dict, key: str):
    value = figures
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--heap", choices=("kept", "system"), default="kept",
                        help="kept (default): glibc keeps freed memory, no one pays page "
                             "faults; system: the allocator as it comes")
    parser.add_argument("--study", choices=tuple(STUDIES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.heap == "kept" and any(os.environ.get(k) != v for k, v in KEPT_HEAP.items()):
        # glibc reads these at start-up only: the run starts again with them
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **KEPT_HEAP})
    notes: list[str] = []
    if args.study:  # one study, in this fresh interpreter, for the run that started it
        found = STUDIES[args.study](args.repeats, notes)
        print(json.dumps({**found, "notes": notes}))
        return
    figures = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} · Python {platform.python_version()} · "
                   f"numpy {np.__version__}",
        "heap": args.heap,
        **{study: measured_alone(study, args.repeats, notes) for study in STUDIES},
    }
    goals = []
    for key, _, bound, meaning in GOALS:
        value = lookup(figures, key)
        goals.append({"key": key, "goal": bound, "value": value, "meaning": meaning,
                      "met": value is not None and value <= bound,
                      "by": None if value is None else value / bound})
    figures["goals"], figures["notes"] = goals, notes
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"# {figures['date']} · {figures['machine']} · median of {args.repeats} · "
          f"heap {args.heap}")
    for study in ("rosenbrock", "mlp"):
        for name, value in figures[study].items():
            if name.endswith("_over_f"):
                print(f"{study:10} value + gradient / f: {name:28} {value:8.2f}")
    for name, value in figures["front_door"].items():
        print(f"front door {name:44} {value:8.2f}")
    for size, row in figures["scalar_tapes"].items():
        if not isinstance(row, dict):  # (the growth from the limits to 10^5)
            print(f"scalar tape {size} {row:.2f}")
            continue
        print(f"scalar tape {size:6} " + "  ".join(f"{k} {v:.2f}" if isinstance(v, float)
                                                   else f"{k} {v}" for k, v in row.items()))
    for name, value in figures["deep"].items():
        print(f"deep {name:36} {value:.4g}")
    for goal in goals:
        state = "met" if goal["met"] else f"NOT met: {goal['by']:.2f}x the goal"
        print(f"{goal['meaning']:80} {goal['value']:.4g} (goal <= {goal['goal']:g}): {state}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
