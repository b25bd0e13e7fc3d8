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

from diffcompare import ops
from diffcompare.errors import ParseError
from diffcompare.expr import Call, Const, Expr, Var, building, shorten, to_text

MAX_LENGTH = 10_000  # characters of expression text
MAX_DEPTH = 100  # nesting of parentheses, calls, signs, powers (each costs <= 5 Python frames)
MAX_NODES = 5_000  # nodes in the parsed tree
MAX_NUMBER_LENGTH = 60  # characters in one numeric literal
MAX_CONSTANT_EXPONENT = 1e6  # |k| in u**k when k is constant

# Words that look like numbers or Python but are not part of this language.
RESERVED = {"nan", "inf", "infinity", "none", "true", "false"} | {
    k.lower() for k in keyword.kwlist
}

# One token per match, with the blanks before it: a number, a name, an operator, or any other
# character (refused). findall returns each token's text, in C; its first character says
# which it is (_Kinds).
_TOKEN = re.compile(
    r"[ \t]*("
    r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|[A-Za-z][A-Za-z0-9_]*"
    r"|\*\*|[-+*/^(),]"
    r"|.)", re.DOTALL)
_OPERATORS = frozenset(("**", "+", "-", "*", "/", "^", "(", ")", ","))
_END = ("", "", "", "")  # the token after the last
_node = Call.of  # (bound once: a node is made for every operation)


class _Kinds(dict):
    """Token text -> (number, name, operator, stray), the one it is set: worked out once per
    distinct text (most tokens repeat: operators, names), looked up in C after that."""

    def __missing__(self, token: str) -> tuple[str, str, str, str]:
        first = token[0]
        if first.isdigit() or (first == "." and len(token) > 1):
            kind = (token, "", "", "")
        elif first.isalpha():
            kind = ("", token, "", "")
        elif token in _OPERATORS:
            kind = ("", "", token, "")
        else:
            kind = ("", "", "", token)
        self[token] = kind
        return kind

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


def tokenize(text: str) -> list[tuple[str, str, str, str]]:
    """Split text into tokens, (number, name, operator, "") with one of the three set,
    refusing any character outside the grammar."""
    if not text.isascii():
        position = next(k for k, char in enumerate(text) if not char.isascii())
        char = text[position]
        raise ParseError(
            f"non-ASCII character {char!r} (U+{ord(char):04X}); only ASCII is accepted",
            text, position)
    kinds = _Kinds()
    # every character is in some token
    tokens = list(map(kinds.__getitem__, _TOKEN.findall(text.rstrip(" \t"))))
    if not any(kind[3] for kind in kinds.values()):
        return tokens
    for index, token in enumerate(tokens):
        if token[3]:
            char = token[3]
            hint = _STRAY_HINTS.get(char, "not part of the expression language")
            raise ParseError(f"unexpected character {char!r}: {hint}", text,
                             _column(text, tokens, index))
    return tokens


def _column(text: str, tokens: list, index: int) -> int:
    """The column token ``index`` starts at (found again only when an error points there)."""
    if 0 <= index < len(tokens):
        for k, match in enumerate(_TOKEN.finditer(text)):
            if k == index:
                return match.start(match.lastindex)
    return len(text)


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
    with building():
        return _Reader(text, tokenize(text)).outputs()


def _top_level_comma(text: str) -> int:
    depth = 0
    for column, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            return column
    return 0


# Pending operations wait on the reader's stack as (precedence, op, token index, kind,
# operands below). A barrier (a parenthesis, a call, the top level) has precedence 0, so no
# operator reduces past it; a sign binds tighter than * and /, and a power tighter than a
# sign (-x**2 is -(x**2)) and to the right (2**3**x is 2**(3**x)).
_GROUP, _CALL, _TOP, _SIGN, _INFIX = range(5)
_POWER = 4
_INFIXES = {"+": (1, ops.ADD), "-": (1, ops.SUB), "*": (2, ops.MUL), "/": (2, ops.DIV),
            "**": (_POWER, ops.POW), "^": (_POWER, ops.POW)}
_SIGNS = {"+": None, "-": ops.NEG}  # a + sign makes no node
_SIGN_PRECEDENCE = 3


class _Reader:
    """The grammar read by operator precedence with two explicit stacks, one pass over the
    tokens and no recursion: operands wait as (node, float value when constant, else None),
    operations until a weaker operator, a closing parenthesis, a comma or the end reduces
    them. Nodes are made, and nesting counted, in the order a recursive-descent reader of
    the grammar would make them, so the first error a text meets is the grammar's."""

    def __init__(self, text: str, tokens: list[tuple[str, str, str, str]]):
        self.text = text
        self.tokens = tokens
        self.nodes = 0
        self.variables: dict[str, tuple[Expr, None]] = {}  # the words read as variables

    def error(self, message: str, index: int) -> ParseError:
        return ParseError(message, self.text, _column(self.text, self.tokens, index))

    def outputs(self) -> tuple[Expr, ...]:
        tokens, end = self.tokens, len(self.tokens)
        operands: list[tuple[Expr, float | None]] = []
        stack: list[tuple] = [(0, None, -1, _TOP, 0)]
        outputs: list[Expr] = []
        depth = index = 0
        starting = True  # at the start of an output
        while True:
            # -- an operand is expected: signs and opening parentheses, then an atom
            number, word, symbol, _ = tokens[index] if index < end else _END
            if starting:
                if index == end or symbol == ",":
                    raise self.error("empty expression between commas", index)
                starting = False
            if number:
                operands.append(self._number(number, index))
            elif word in self.variables and (index + 1 == end or tokens[index + 1][2] != "("):
                operands.append(self._variable(word, index))
            elif word:
                calling = index + 1 < end and tokens[index + 1][2] == "("
                atom = self._word(word, calling, index)
                if isinstance(atom, ops.Op):  # a function: its arguments come next
                    depth = self._enter(depth, index + 2)
                    stack.append((0, atom, index, _CALL, len(operands)))
                    index += 2
                    continue
                operands.append(atom)
            elif symbol in _SIGNS or symbol == "(":
                depth = self._enter(depth, index + 1)
                if symbol == "(":
                    stack.append((0, None, index, _GROUP, 0))
                else:
                    stack.append((_SIGN_PRECEDENCE, _SIGNS[symbol], index, _SIGN, 0))
                index += 1
                continue
            elif symbol == ")":
                raise self.error("expected an operand before ')'", index)
            elif symbol:
                raise self.error(f"expected an operand, found {symbol!r}", index)
            else:
                raise self.error("expression ends where an operand was expected", index)
            index += 1
            # -- an operator is expected; what it closes is reduced first
            while True:
                symbol = tokens[index][2] if index < end else ""
                infix = _INFIXES.get(symbol)
                if infix is not None and infix[0] == _POWER:  # the atom is a base
                    depth = self._enter(depth, index + 1)
                    stack.append((_POWER, infix[1], index, _INFIX, 0))
                    index += 1
                    break
                threshold = infix[0] if infix is not None else 1
                while stack[-1][0] >= threshold:
                    precedence, op, at, kind, _ = stack.pop()
                    if precedence >= _SIGN_PRECEDENCE:
                        depth -= 1
                    if kind is _SIGN:
                        if op is not None:
                            operands.append(self._make(op, (operands.pop(),), at))
                    else:
                        right = operands.pop()
                        operands.append(self._make(op, (operands.pop(), right), at))
                if infix is not None:
                    stack.append((infix[0], infix[1], index, _INFIX, 0))
                    index += 1
                    break
                _, op, at, kind, below = stack[-1]
                if kind is _GROUP:
                    if symbol != ")":
                        raise self.error("unbalanced parentheses: '(' is never closed", at)
                    stack.pop()
                    depth -= 1
                    index += 1
                elif kind is _CALL:
                    if symbol == ",":  # the next argument
                        index += 1
                        break
                    self._close_call(symbol, index, at)
                    stack.pop()
                    depth -= 1
                    arguments = tuple(operands[below:])
                    del operands[below:]
                    operands.append(self._call(op, arguments, at))
                    index += 1
                elif symbol == ",":  # the top level: the next output
                    outputs.append(operands.pop()[0])
                    starting = True
                    index += 1
                    break
                elif index == end:
                    outputs.append(operands.pop()[0])
                    return tuple(outputs)
                else:
                    raise self.error(self._unexpected(tokens[index]), index)

    # -- what the grammar checks as it reads
    def _enter(self, depth: int, index: int) -> int:
        """One level deeper: a sign, an exponent, a parenthesis or a call's arguments."""
        depth += 1
        if depth > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (limit {MAX_DEPTH} levels)", index)
        return depth

    def _close_call(self, symbol: str, index: int, name_index: int) -> None:
        if symbol == ")":
            return
        if index == len(self.tokens):
            word = self.tokens[name_index][1]
            raise ParseError("unbalanced parentheses: '(' is never closed", self.text,
                             _column(self.text, self.tokens, name_index) + len(word))
        found = "".join(self.tokens[index])  # the one of its parts that is set
        raise self.error(f"expected ',' or ')', found {found!r}", index)

    @staticmethod
    def _unexpected(token: tuple[str, str, str, str]) -> str:
        number, word, symbol, _ = token
        if symbol == ")":
            return "unbalanced parentheses: ')' without a matching '('"
        if number or word or symbol == "(":
            return f"missing operator before {number or word or symbol!r}"
        return f"unexpected {symbol!r}"

    def _count(self, index: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"expression too large (more than {MAX_NODES} nodes)", index)

    def _variable(self, word: str, index: int) -> tuple[Expr, None]:
        """A variable seen before in this text: one lookup instead of _word's checks."""
        self._count(index)
        return self.variables[word]

    def _make(self, op: ops.Op, arguments: tuple, index: int) -> tuple[Expr, float | None]:
        """The node op(arguments), and its value when every argument is constant (evaluated
        once in floats, which cannot hang, and refused unless finite and real)."""
        self._count(index)
        if len(arguments) == 2:
            (left, a), (right, b) = arguments
            children = (left, right)
            if op is ops.POW and b is not None and abs(b) > MAX_CONSTANT_EXPONENT:
                raise self.error(f"constant exponent too large (|{b:.15g}| > "
                                 f"{MAX_CONSTANT_EXPONENT:.15g})", index)
            constant = a is not None and b is not None
        elif len(arguments) == 1:  # a function of one argument: no generator made
            (only, a), = arguments
            children, constant = (only,), a is not None
        else:
            children = tuple(node for node, _ in arguments)
            constant = all(value is not None for _, value in arguments)
        node = _node(op, children)
        if not constant:
            return node, None
        value = op.real(*(value for _, value in arguments))
        if isinstance(value, complex) or not math.isfinite(value):
            raise self.error(
                f"constant {shorten(to_text(node), 40)} is not a finite real number", index)
        return node, value

    def _call(self, op: ops.Op, arguments: tuple, index: int) -> tuple[Expr, float | None]:
        if len(arguments) != op.arity:
            plural = "argument" if op.arity == 1 else "arguments"
            raise self.error(f"{self.tokens[index][1]} takes {op.arity} {plural}, got "
                             f"{len(arguments)}", index)
        return self._make(op, arguments, index)

    def _number(self, text: str, index: int) -> tuple[Expr, float]:
        if len(text) > MAX_NUMBER_LENGTH:
            raise self.error(f"number too long (more than {MAX_NUMBER_LENGTH} characters)",
                             index)
        if text.isdigit():  # an integer: exact as it is, and at most 60 digits, so finite
            value = int(text)
            as_float = float(value)
        else:
            value = Fraction(text)
            try:
                as_float = float(value)
            except OverflowError:
                as_float = math.inf
            if not math.isfinite(as_float) or (value != 0 and as_float == 0):
                raise self.error(f"number {text} is outside the range of floating point",
                                 index)
        self._count(index)
        return Const(value), as_float

    def _word(self, word: str, calling: bool, index: int):
        """A variable or a constant as (node, value), or the function ``word`` names."""
        if word.lower() in RESERVED:
            raise self.error(f"{word!r} is not allowed: it is not a number or a variable here",
                             index)
        if word in ops.CONSTANTS:
            if calling:
                raise self.error(f"{word} is a constant, not a function", index)
            self._count(index)
            constant = ops.CONSTANTS[word]
            return _node(constant, ()), constant.real()
        if word in ops.FUNCTIONS:
            if not calling:
                raise self.error(f"{word} is a function: write {word}(...)", index)
            return ops.FUNCTIONS[word]
        if calling:
            known = ", ".join(sorted(ops.FUNCTIONS))
            raise self.error(f"unknown function {word!r}; known functions: {known}", index)
        self._count(index)
        self.variables[word] = atom = (Var(word), None)
        return atom


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
