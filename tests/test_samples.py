"""Every sample's expected values, against the exact reference and every method."""

from pathlib import Path

import pytest

from diffcompare.analysis.compare import compare
from diffcompare.errors import InputError
from diffcompare.methods import KINDS, METHOD_NAMES, REGISTRY
from diffcompare.problems.cases import find_case, formula_cases, load_cases

ROOT = Path(__file__).resolve().parent.parent
CASES = formula_cases()  # the programs have tests of their own: test_programs.py
EXACT = [name for name in METHOD_NAMES if REGISTRY[name].exact]
# Exact methods: a few roundings per operation on short expressions -> 1e-13 normwise.
EXACT_RTOL = 1e-13
# Central differences at h = cbrt(eps): truncation + round-off are about eps**(2/3) ~ 4e-11
# times (|f| + |f'''|)/|f'|, which is below 25 on these samples (worst seen: 1.9e-10).
CENTRAL_RTOL = 1e-9
# Second differences at h = eps**(1/4): about eps**(1/2) ~ 1.5e-8 times (|f| + |f''''|)/|f''|,
# below 7 on these samples (worst seen: 3.4e-8, Baydin's f).
SECOND_DIFFERENCE_RTOL = 1e-7


def normwise(gradient, expected):
    return max(abs(g - e) for g, e in zip(gradient, expected)) / max(map(abs, expected))


def test_the_seeds_and_the_design_card_are_among_the_samples():
    names = {case.name for case in CASES}
    assert {"blog", "design-card", "baydin", "xy-plus-6", "sin-product"} <= names
    assert all(case.source for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_exact_method_agrees_with_the_reference_and_the_expectations(case):
    result = compare(case.problem(), kind=case.kind, direction=case.direction)
    reference = result.reference
    if case.value is not None:
        assert reference.value == pytest.approx(case.value, rel=EXACT_RTOL)
    if case.expected is not None:
        assert normwise(reference.gradient, case.expected) <= EXACT_RTOL
    for name in (n for n in EXACT if REGISTRY[n].can(case.kind)):
        row = result.row(name)
        assert row.result.failure is None, name
        assert row.rel_error <= EXACT_RTOL, name
        if case.value is not None:
            assert row.result.f_value == pytest.approx(case.value, rel=EXACT_RTOL), name
    central = SECOND_DIFFERENCE_RTOL if KINDS[case.kind].order == 2 else CENTRAL_RTOL
    assert result.row("central-fd").rel_error <= central


def test_the_seeds_numbers_come_out_exactly():
    blog = compare(find_case("blog").problem())
    assert blog.reference.value == 48 and blog.reference.gradient == (12, 12, 9)
    baydin = compare(find_case("baydin").problem())
    assert baydin.reference.value == 11.652071455223084
    assert baydin.reference.gradient == (5.5, 1.7163378145367738)


def test_an_unknown_sample_is_a_clear_error():
    with pytest.raises(InputError, match="no sample named 'nope'"):
        find_case("nope")


def test_case_files_are_validated(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[case]]\nname = "a"\nexpression = "x"\npoint = ["one"]\n')
    with pytest.raises(InputError, match="point must be a list of numbers"):
        load_cases([bad])
    bad.write_text('[[case]]\nname = "a"\nexpression = "x"\npoint = [1]\ncolour = 3\n')
    with pytest.raises(InputError, match="unknown key colour"):
        load_cases([bad])
    bad.write_text("not toml = = =")
    with pytest.raises(InputError, match="not valid TOML"):
        load_cases([bad])
    with pytest.raises(InputError, match="cannot read"):
        load_cases([tmp_path / "missing.toml"])


def test_the_projectiles_expected_gradient_is_the_mpmath_route():
    """The case's numbers come from the same Euler scheme in mpmath at 40 digits, centrally
    differenced with h = 1e-15 (truncation ~h² f''' ~ 1e-27): rerun here, from the file's
    own constants, they agree with the case to the 17 digits it states."""
    import importlib.util

    import mpmath

    path = ROOT / "sample_functions" / "programs" / "projectile.py"
    spec = importlib.util.spec_from_file_location("projectile_sample", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    context = mpmath.MPContext()
    context.dps = 40
    speed, gravity, dt = (context.mpf(v) for v in (module.SPEED, module.GRAVITY, module.DT))

    def flight(angle, drag):
        x = y = context.mpf(0)
        vx, vy = speed * context.cos(angle), speed * context.sin(angle)
        for _ in range(module.MAX_STEPS):
            norm = context.sqrt(vx * vx + vy * vy)
            x_next, y_next = x + dt * vx, y + dt * vy
            vx, vy = vx - dt * drag * norm * vx, vy - dt * (gravity + drag * norm * vy)
            if y_next < 0:
                return x + (x_next - x) * y / (y - y_next)
            x, y = x_next, y_next
        raise AssertionError("it never landed")

    angle, drag = (context.mpf(module.POINT[k]) for k in ("angle", "drag"))
    h = context.mpf("1e-15")
    route = [(flight(angle + h, drag) - flight(angle - h, drag)) / (2 * h),
             (flight(angle, drag + h) - flight(angle, drag - h)) / (2 * h)]
    case = find_case("projectile-with-drag")
    assert float(flight(angle, drag)) == pytest.approx(case.value, rel=1e-16)
    assert [float(g) for g in route] == pytest.approx(list(case.gradient), rel=1e-16)
