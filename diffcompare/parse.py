"""Text -> Expr. The only door user text comes through.

A small ASCII grammar, read by hand; nothing here hands text to Python (no eval, exec,
sympify or parse_expr)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('+' | '-') unary | power
    power  := atom (('**' | '^') unary)?        right-associative, binds tighter than unary -
    atom   := NUMBER | CONSTANT | NAME | FUNCTION '(' expr (',' expr)* ')' | '(' expr ')'

Names are checked against the table in ops.py; everything else is refused with a
ParseError carrying the column. Length, nesting depth and node count are bounded, and every
constant sub-expression is evaluated once in floats (which cannot hang) and must be finite,
so ``10**10**10`` is refused at once instead of being computed.
"""

from __future__ import annotations

import keyword
import math
import re
from fractions import Fraction
from typing import NamedTuple

from diffcompare import ops
from diffcompare.errors import ParseError
from diffcompare.expr import Call, Const, Expr, Var, shorten, to_text

MAX_LENGTH = 10_000  # characters of expression text
MAX_DEPTH = 100  # nesting of parentheses, calls, signs, powers (each costs <= 5 Python frames)
MAX_NODES = 5_000  # nodes in the parsed tree
MAX_NUMBER_LENGTH = 60  # characters in one numeric literal
MAX_CONSTANT_EXPONENT = 1e6  # |k| in u**k when k is constant

# Words that look like numbers or Python but are not part of this language.
RESERVED = {"nan", "inf", "infinity", "none", "true", "false"} | {
    k.lower() for k in keyword.kwlist
}

_TOKEN = re.compile(
    r"(?P<space>[ \t]+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),])"
)

_STRAY_HINTS = {
    "=": "comparisons and assignments are not part of the language",
    "<": "comparisons are not part of the language",
    ">": "comparisons are not part of the language",
    "!": "comparisons are not part of the language",
    "'": "strings are not part of the language",
    '"': "strings are not part of the language",
    "[": "lists and subscripts are not part of the language",
    "]": "lists and subscripts are not part of the language",
    "{": "braces are not part of the language",
    "}": "braces are not part of the language",
    ".": "attributes are not part of the language",
    "_": "names start with a letter",
    ":": "lambdas and slices are not part of the language",
    "\n": "the expression must be on one line",
    "\r": "the expression must be on one line",
}


class Token(NamedTuple):
    kind: str  # number, name, op, end
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    """Split text into tokens, refusing any character outside the grammar."""
    if not text.isascii():
        position = next(k for k, char in enumerate(text) if not char.isascii())
        char = text[position]
        raise ParseError(
            f"non-ASCII character {char!r} (U+{ord(char):04X}); only ASCII is accepted",
            text, position)
    tokens: list[Token] = []
    append, match_at, end = tokens.append, _TOKEN.match, len(text)
    position = 0
    while position < end:
        match = match_at(text, position)
        if match is None:
            char = text[position]
            hint = _STRAY_HINTS.get(char, "not part of the expression language")
            raise ParseError(f"unexpected character {char!r}: {hint}", text, position)
        kind = match.lastgroup
        if kind != "space":
            append(Token(kind, match.group(), position))
        position = match.end()
    append(Token("end", "", end))
    return tokens


def parse(text: str) -> Expr:
    """Parse user text into an expression tree, or raise ParseError pointing at the problem."""
    outputs = parse_outputs(text)
    if len(outputs) != 1:
        raise ParseError("unexpected ',': one expression expected here (several, separated "
                         "by commas, only where a vector function is asked for)", text,
                         _top_level_comma(text))
    return outputs[0]


def parse_outputs(text: str) -> tuple[Expr, ...]:
    """Comma-separated expressions at the top level, the outputs of f: R^n -> R^m:
    "x1*x2, sin(x1) + x2**2". The limits hold for the whole text."""
    if not isinstance(text, str):
        raise ParseError("the expression must be text")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression too long: {len(text)} characters (limit {MAX_LENGTH})",
                         text, MAX_LENGTH)
    if not text.strip():
        raise ParseError("empty expression", text, 0)
    return _Parser(text, tokenize(text)).parse_outputs()


def _top_level_comma(text: str) -> int:
    depth = 0
    for column, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            return column
    return 0


class _Parser:
    def __init__(self, text: str, tokens: list[Token]):
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.nodes = 0
        self.constant_values: dict[int, float] = {}  # id(node) -> float, for constant subtrees

    # -- helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def error(self, message: str, token: Token | None = None) -> ParseError:
        return ParseError(message, self.text, (token or self.token).column)

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text:
            raise self.error(f"expected {text!r}, found {self._describe(self.token)}")
        return self.advance()

    @staticmethod
    def _describe(token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else repr(token.text)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (limit {MAX_DEPTH} levels)")

    def node(self, op: ops.Op, args: tuple[Expr, ...], token: Token) -> Expr:
        self._count(token)
        values = [self.constant_values.get(id(a)) for a in args]
        if op is ops.POW and values[1] is not None and abs(values[1]) > MAX_CONSTANT_EXPONENT:
            raise self.error(
                f"constant exponent too large (|{values[1]:.15g}| > "
                f"{MAX_CONSTANT_EXPONENT:.15g})", token)
        node = Call(op, args)
        if all(v is not None for v in values):
            value = op.real(*values)
            if isinstance(value, complex) or not math.isfinite(value):
                raise self.error(
                    f"constant {shorten(to_text(node), 40)} is not a finite real number", token)
            self.constant_values[id(node)] = value
        return node

    def _count(self, token: Token) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"expression too large (more than {MAX_NODES} nodes)", token)

    # -- grammar
    def parse_outputs(self) -> tuple[Expr, ...]:
        outputs = [self.output()]
        while self.token.text == ",":
            self.advance()
            outputs.append(self.output())
        if self.token.kind != "end":
            raise self.error(self._unexpected_message())
        return tuple(outputs)

    def output(self) -> Expr:
        if self.token.kind == "end" or self.token.text == ",":
            raise self.error("empty expression between commas")
        return self.expr()

    def _unexpected_message(self) -> str:
        token = self.token
        if token.text == ")":
            return "unbalanced parentheses: ')' without a matching '('"
        if token.kind in ("number", "name") or token.text == "(":
            return f"missing operator before {token.text!r}"
        return f"unexpected {token.text!r}"

    def expr(self) -> Expr:
        left = self.term()
        while self.token.text in ("+", "-"):
            token = self.advance()
            right = self.term()
            left = self.node(ops.ADD if token.text == "+" else ops.SUB, (left, right), token)
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.token.text in ("*", "/"):
            token = self.advance()
            right = self.unary()
            left = self.node(ops.MUL if token.text == "*" else ops.DIV, (left, right), token)
        return left

    def unary(self) -> Expr:
        if self.token.text in ("+", "-"):
            token = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return operand if token.text == "+" else self.node(ops.NEG, (operand,), token)
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.token.text in ("**", "^"):
            token = self.advance()
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return self.node(ops.POW, (base, exponent), token)
        return base

    def atom(self) -> Expr:
        token = self.token
        if token.kind == "number":
            return self.number(self.advance())
        if token.kind == "name":
            return self.name(self.advance())
        if token.text == "(":
            self.advance()
            self.enter()
            inner = self.expr()
            self.depth -= 1
            if self.token.text != ")":
                raise ParseError("unbalanced parentheses: '(' is never closed",
                                 self.text, token.column)
            self.advance()
            return inner
        if token.kind == "end":
            raise self.error("expression ends where an operand was expected")
        if token.text == ")":
            raise self.error("expected an operand before ')'")
        raise self.error(f"expected an operand, found {token.text!r}")

    def number(self, token: Token) -> Expr:
        if len(token.text) > MAX_NUMBER_LENGTH:
            raise self.error(f"number too long (more than {MAX_NUMBER_LENGTH} characters)", token)
        value = Fraction(token.text)
        try:
            as_float = float(value)
        except OverflowError:
            as_float = math.inf
        if not math.isfinite(as_float) or (value != 0 and as_float == 0):
            raise self.error(f"number {token.text} is outside the range of floating point", token)
        self._count(token)
        node = Const(value)
        self.constant_values[id(node)] = as_float
        return node

    def name(self, token: Token) -> Expr:
        word = token.text
        if word.lower() in RESERVED:
            raise self.error(f"{word!r} is not allowed: it is not a number or a variable here",
                             token)
        calling = self.token.text == "("
        if word in ops.CONSTANTS:
            if calling:
                raise self.error(f"{word} is a constant, not a function", token)
            self._count(token)
            node = Call(ops.CONSTANTS[word])
            self.constant_values[id(node)] = node.op.real()
            return node
        if word in ops.FUNCTIONS:
            if not calling:
                raise self.error(f"{word} is a function: write {word}(...)", token)
            return self.call(ops.FUNCTIONS[word], token)
        if calling:
            known = ", ".join(sorted(ops.FUNCTIONS))
            raise self.error(f"unknown function {word!r}; known functions: {known}", token)
        self._count(token)
        return Var(word)

    def call(self, op: ops.Op, token: Token) -> Expr:
        self.advance()  # (
        self.enter()
        args = [self.expr()]
        while self.token.text == ",":
            self.advance()
            args.append(self.expr())
        self.depth -= 1
        if self.token.text != ")":
            if self.token.kind == "end":
                raise ParseError("unbalanced parentheses: '(' is never closed",
                                 self.text, token.column + len(token.text))
            raise self.error(f"expected ',' or ')', found {self._describe(self.token)}")
        self.advance()
        if len(args) != op.arity:
            plural = "argument" if op.arity == 1 else "arguments"
            raise self.error(f"{token.text} takes {op.arity} {plural}, got {len(args)}", token)
        return self.node(op, tuple(args), token)


def parse_number(text: str, what: str = "number") -> float:
    """A finite float from option text such as ``--at 2.5``; ``pi`` and ``e`` allowed too."""
    word = text.strip()
    if word in ops.CONSTANTS:
        return ops.CONSTANTS[word].real()
    if word.lstrip("+-").lower() in ("nan", "inf", "infinity"):
        raise ParseError(f"{what} {word!r} is not finite")
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", word):
        raise ParseError(f"{what} {text.strip()!r} is not a number")
    value = float(word)
    if not math.isfinite(value):
        raise ParseError(f"{what} {word!r} is not finite")
    return value
