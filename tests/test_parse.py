"""The parser: grammar, precedence, and every refusal the foundation promises."""

import time
from fractions import Fraction

import pytest

from diffcompare import ops
from diffcompare.errors import ParseError
from diffcompare.expr import Call, Const, Var, to_text
from diffcompare.parse import MAX_DEPTH, MAX_LENGTH, parse, parse_number


def test_numbers_in_every_notation_are_exact_rationals():
    assert parse("12") is Const(12)
    assert parse("1.5e-3").value * 1000 == Const(3).value / 2
    assert parse("2E2") is Const(200)
    assert parse(".5").value == Fraction(1, 2)
    assert parse("0.1").value.denominator == 10  # the decimal the user typed, exactly


def test_power_is_right_associative_and_caret_means_power():
    assert parse("x^y^z") is parse("x**(y**z)")
    assert parse("x**y**z") is Call(ops.POW, (Var("x"), Call(ops.POW, (Var("y"), Var("z")))))


def test_power_binds_tighter_than_unary_minus():
    assert parse("-x^2") is Call(ops.NEG, (Call(ops.POW, (Var("x"), Const(2))),))
    assert parse("2^-1") is Call(ops.POW, (Const(2), Call(ops.NEG, (Const(1),))))


def test_products_bind_tighter_than_sums_and_both_associate_left():
    assert parse("a - b - c") is parse("(a - b) - c")
    assert parse("a / b / c") is parse("(a / b) / c")
    assert parse("a + b*c") is parse("a + (b*c)")
    assert parse("+x") is Var("x")


def test_functions_constants_and_aliases():
    assert parse("ln(x)") is parse("log(x)")
    assert parse("pi") is Call(ops.PI)
    assert parse("e") is Call(ops.E)
    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
                 "log", "ln", "sqrt", "abs"):
        assert isinstance(parse(f"{name}(x)"), Call)


def test_variables_are_any_other_identifier():
    assert parse("theta + a_b + x10") is parse("(theta + a_b) + x10")


def test_a_repeated_subexpression_is_one_shared_node():
    tree = parse("sin(x)*sin(x)")
    assert tree.args[0] is tree.args[1]


@pytest.mark.parametrize("text", [
    "x1**2*x2 + x2*x3", "-x**2", "(-x)**2", "a - (b - c)", "a/(b*c)", "2*-x", "x**-2",
    "sin(x)**2 + cos(x)**2", "(a + b)**(c - d)", "-(a*b)", "1.5e-3*x", "e**x - pi",
    "x - -y", "2**3**x", "(2**3)**x",
])
def test_printing_and_parsing_again_gives_the_same_tree(text):
    tree = parse(text)
    assert parse(to_text(tree)) is tree


def refusal(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


@pytest.mark.parametrize("text, words, column", [
    ("foo(x)", "unknown function 'foo'", 0),
    ("f(x1)", "unknown function 'f'", 0),
    ("sin(x, y)", "takes 1 argument, got 2", 0),
    ("log(x1, 2)", "takes 1 argument, got 2", 0),
    ("(x + 1", "never closed", 0),
    ("x + 1)", "')' without a matching '('", 5),
    ("x $ 1", "unexpected character '$'", 2),
    ("x + ясно", "non-ASCII", 4),
    ("２", "non-ASCII", 0),
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("x1 x2", "missing operator before 'x2'", 3),
    ("2x1", "missing operator before 'x1'", 1),
    ("1j", "missing operator before 'j'", 1),
    ("x1\nx2", "one line", 2),
    ("x1 == 1", "comparisons", 3),
    ("'a'", "strings", 0),
    ("x[0]", "subscripts", 1),
    ("x.real", "attributes", 1),
    ("__import__('os')", "names start with a letter", 0),
    ("lambda: 0", "lambdas and slices", 6),
    ("lambda", "'lambda' is not allowed", 0),
    ("True", "'True' is not allowed", 0),
    ("nan", "'nan' is not allowed", 0),
    ("inf", "'inf' is not allowed", 0),
    ("x1 if x2 else x3", "missing operator before 'if'", 3),
    ("sin", "sin is a function", 0),
    ("pi(x)", "pi is a constant", 0),
    ("x +", "ends where an operand", 3),
    ("()", "operand before ')'", 1),
    ("1e400", "outside the range", 0),
    ("1/0", "not a finite real number", 1),
    ("log(0)", "not a finite real number", 0),
    ("(-8)**(1/3)", "not a finite real number", 4),
])
def test_refusals_name_the_problem_and_point_at_it(text, words, column):
    error = refusal(text)
    assert words in error.message
    assert error.column == column
    assert error.text == text


@pytest.mark.parametrize("text", ["10**10**10", "9**9**9**9", "2**(2**40)", "x1*10**10**10",
                                  "x**(2**40)"])
def test_huge_constant_powers_are_refused_at_once(text):
    start = time.process_time()  # CPU time: what the refusal costs, whatever else runs
    error = refusal(text)
    assert time.process_time() - start < 0.1
    assert "too large" in error.message or "not a finite" in error.message


def test_length_depth_and_size_limits():
    assert "too long" in refusal("x+" * MAX_LENGTH + "x").message
    assert "too long" in refusal("(" * 10_000 + "x" + ")" * 10_000).message
    assert "nested too deeply" in refusal("(" * 4_000 + "x" + ")" * 4_000).message
    assert "nested too deeply" in refusal("-" * 9_000 + "x").message
    assert "nested too deeply" in refusal("x" + "^x" * (MAX_DEPTH + 1)).message
    assert "too large" in refusal("+".join(["x"] * 4000)).message
    assert "number too long" in refusal("1" + "0" * 5000).message


def test_a_deep_but_allowed_expression_parses():
    depth = MAX_DEPTH - 1
    tree = parse("(" * depth + "x" + ")" * depth)
    assert tree is Var("x")


def test_coordinates_are_finite_numbers():
    assert parse_number("-2.5e1") == -25.0
    assert parse_number("pi") == pytest.approx(3.141592653589793, rel=0)
    for bad in ("nan", "inf", "1e999", "two", "1,5", ""):
        with pytest.raises(ParseError):
            parse_number(bad)
