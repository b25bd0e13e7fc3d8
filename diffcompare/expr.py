"""The expression tree every method shares: immutable, interned nodes.

Nodes are hash-consed: building the same node twice returns the same object. So equality is
identity (O(1) even for very deep trees, never recursive), a repeated sub-expression such
as ``sin(x)*sin(x)`` is one shared node (a DAG), and nodes can key adjoint and memo tables.
Every walk is iterative (explicit stack, post-order), so generated expressions far deeper
than Python's recursion limit are fine.

Arithmetic operators on nodes build new nodes through ``build`` (light, honest
simplification: 0*u -> 0, 1*u -> u, constant folding), which is how the partials written
in ``ops.py`` turn into derivative trees. The parser builds raw nodes instead, so a tree
keeps the shape the user typed.
"""

from __future__ import annotations

import gc
import itertools
import re
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction

from diffcompare import ops
from diffcompare.ops import Op


class Expr(ops.Arithmetic):
    """Base of the three node kinds. Immutable; equal nodes are the same object."""

    __slots__ = ("__weakref__",)

    def __setattr__(self, name, value):
        raise AttributeError("expression nodes are immutable")

    # Generic dispatch: ops.apply hands any operation with an Expr argument to build().
    @staticmethod
    def __dc_apply__(op: Op, args: tuple) -> Expr:
        return build(op, tuple(as_expr(a) for a in args))

    def __str__(self) -> str:
        return to_text(self)

    @property
    def children(self) -> tuple[Expr, ...]:
        return ()


class _KeyedRef(weakref.ref):
    """A weak reference that carries its table and its key there: weakref.KeyedRef without
    its Python-level __new__ and __init__, which cost a seventh of parsing."""

    __slots__ = ("key", "table")


# The intern tables: key -> a weak reference to the node, dropped when the node dies. Plain
# dicts of keyed references with one shared callback (what WeakValueDictionary does, without
# its Python-level get and set, which cost a third of parsing): nothing iterates them, so
# their iteration guards are not needed. Constants and variables share one table; each
# operation has its own, keyed by the node's own argument tuple (its arguments are
# interned: the tuple compares and hashes by their identities), so no key is made for it.
_interned: dict[tuple, _KeyedRef] = {}
_calls: dict[Op, dict[tuple, _KeyedRef]] = {}  # operation -> its nodes by arguments


def _forget(ref: _KeyedRef) -> None:
    table = ref.table
    if table.get(ref.key) is ref:
        del table[ref.key]


def _lookup(key: tuple):
    ref = _interned.get(key)
    return None if ref is None else ref()


def _store(key: tuple, node: Expr, table: dict = _interned) -> Expr:
    """The node interned under ``key``: this one, or the one another thread stored there
    first (setdefault is one step, so two threads making the same node keep one)."""
    ref = _KeyedRef(node, _forget)
    ref.key, ref.table = key, table
    kept = table.setdefault(key, ref)
    if kept is not ref:
        first = kept()
        if first is not None:
            return first
        table[key] = ref  # (the one there died; its callback will find it replaced)
    return node


def interned_count() -> int:
    """Nodes alive in the intern tables."""
    return len(_interned) + sum(map(len, _calls.values()))


# Tracked objects a build made past which they go straight to the oldest generation: about
# 12,000 parsed operations (four a node: the node, its arguments, its weak reference, its
# table's entry). A build this large is a user's long formula, seldom made.
LARGE_BUILD = 50_000


@contextmanager
def building() -> Iterator[None]:
    """No cyclic garbage collection while a large tree or tape is built: nodes and records
    hold no cycles, and the collector's passes over the ever-growing heap of new, live
    objects cost 40% of parsing a 10^5-operation formula.

    When it is back after a large build (LARGE_BUILD), what was made goes straight to the
    oldest generation (gc.freeze then gc.unfreeze: two list splices, whatever the size),
    where every object that survives two young passes ends up anyway: the tree or tape is
    long-lived (kept, interned), and the young pass due at once over all of it cost a ninth
    of a first parse at 10^5 operations (2.85 -> 2.54 µs per operation, 2026-12-08). The
    caller's young objects move with it, and their garbage cycles wait for a full
    collection, so a small build, which a server makes at every request, leaves the
    generations as they are. A caller that froze objects of its own keeps them frozen
    (then nothing moves: unfreeze would thaw them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] >= LARGE_BUILD and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class Const(Expr):
    """An exact rational constant (decimals typed by the user are exact too)."""

    __slots__ = ("value",)
    value: Fraction

    def __new__(cls, value: Fraction | int) -> Const:
        if type(value) is int:  # most constants: no Fraction made unless the node is new
            key = ("const", value, 1)  # an int's hash is cheap, a Fraction's is not
        else:
            value = Fraction(value)
            key = ("const", value.numerator, value.denominator)
        ref = _interned.get(key)  # (_lookup, written out: the parser makes many)
        node = None if ref is None else ref()
        if node is None:
            node = object.__new__(cls)
            _set_value(node, Fraction(value))
            node = _store(key, node)
        return node

    def __repr__(self) -> str:
        return f"Const({self.value})"


_set_value = Const.__dict__["value"].__set__  # (as a Call's slots are set, below)


class Var(Expr):
    """A named input variable."""

    __slots__ = ("name",)
    name: str

    def __new__(cls, name: str) -> Var:
        key = ("var", name)
        node = _lookup(key)
        if node is None:
            node = object.__new__(cls)
            object.__setattr__(node, "name", name)
            node = _store(key, node)
        return node

    def __repr__(self) -> str:
        return f"Var({self.name!r})"


class Call(Expr):
    """An operation from the ops table applied to argument nodes."""

    __slots__ = ("op", "args")
    op: Op
    args: tuple[Expr, ...]

    def __new__(cls, op: Op, args: Iterable[Expr] = ()) -> Call:
        args = tuple(args)
        if not all(isinstance(a, Expr) for a in args):
            raise TypeError(f"arguments of {op.name} must be expression nodes")
        if len(args) != op.arity:
            raise ValueError(f"{op.name} takes {op.arity} arguments, got {len(args)}")
        return cls.of(op, args)

    @classmethod
    def of(cls, op: Op, args: tuple[Expr, ...]) -> Call:
        """The node op(*args) for arguments already checked (nodes, as many as op takes):
        the parser's constructor."""
        table = _calls.get(op)
        if table is None:
            table = _calls.setdefault(op, {})  # (one table, whichever thread comes first)
        ref = table.get(args)  # _lookup, written out: the parser's hot path
        node = None if ref is None else ref()
        if node is None:
            node = object.__new__(cls)
            _set_op(node, op)
            _set_args(node, args)
            node = _store(args, node, table)
        return node

    @property
    def children(self) -> tuple[Expr, ...]:
        return self.args

    def __repr__(self) -> str:
        return f"Call({self.op.name}, {list(self.args)!r})"


# A new Call's slots set through their descriptors: object.__setattr__ (which the nodes'
# own __setattr__, refusing every change, leaves as the way) costs half as much again.
_set_op, _set_args = Call.__dict__["op"].__set__, Call.__dict__["args"].__set__


def as_expr(value) -> Expr:
    """A node for ``value``: nodes pass through, ints and Fractions become constants."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (int, Fraction)):
        return Const(value)
    if isinstance(value, float) and value.is_integer():
        return Const(int(value))
    raise TypeError(f"cannot make an expression node from {value!r}")


# --- building: light, honest simplification -------------------------------------------

# Light, honest simplification while building derivative trees.
#
# Only identities a student applies without thinking: 0*u -> 0, 1*u -> u, u + 0 -> u,
# u**1 -> u, --u -> u, and folding of constants when the result is an exact rational of
# modest size. Never sympy's simplify: the point is to show the rules, not to hide them.
# (0*u -> 0 forgets that u may be undefined at a point: the derivative of a product with a
# constant factor is the textbook answer, and the domain is checked separately.)


def build(op: ops.Op, args: tuple[Expr, ...]) -> Expr:
    """The node ``op(*args)``, simplified where an identity applies: constant arguments
    folded by the operation's exact rational arithmetic (ops.py), else the identities of
    IDENTITIES."""
    consts = [a.value if isinstance(a, Const) else None for a in args]
    if op.exact is not None and args and all(c is not None for c in consts):
        folded = op.exact(*consts)
        if folded is not None:
            return Const(folded)
    identity = IDENTITIES.get(op)
    simpler = identity(*args, *consts) if identity is not None else None
    return simpler if simpler is not None else Call(op, args)


def _negated(node: Expr) -> Expr | None:
    """w when node is -w."""
    return node.args[0] if isinstance(node, Call) and node.op is ops.NEG else None


def _add(u: Expr, v: Expr, cu, cv) -> Expr | None:
    if cu == 0:
        return v
    if cv == 0:
        return u
    if (w := _negated(v)) is not None:  # u + -w -> u - w
        return build(ops.SUB, (u, w))
    return None


def _sub(u: Expr, v: Expr, cu, cv) -> Expr | None:
    if cv == 0:
        return u
    if cu == 0:
        return build(ops.NEG, (v,))
    if u is v:
        return Const(0)
    if (w := _negated(v)) is not None:  # u - -w -> u + w
        return build(ops.ADD, (u, w))
    return None


def _mul(u: Expr, v: Expr, cu, cv) -> Expr | None:
    if cu == 0 or cv == 0:
        return Const(0)
    if cu == 1:
        return v
    if cv == 1:
        return u
    if cu == -1:
        return build(ops.NEG, (v,))
    if cv == -1:
        return build(ops.NEG, (u,))
    if cu is None and cv is not None:  # u*c -> c*u, as textbooks write it
        return build(ops.MUL, (v, u))
    if (a := _negated(u)) is not None:  # (-a)*b -> -(a*b)
        return build(ops.NEG, (build(ops.MUL, (a, v)),))
    if (b := _negated(v)) is not None:
        return build(ops.NEG, (build(ops.MUL, (u, b)),))
    if _is_reciprocal(u):  # (1/a)*w -> w/a
        return build(ops.DIV, (v, u.args[1]))
    if _is_reciprocal(v):
        return build(ops.DIV, (u, v.args[1]))
    if isinstance(u, Call) and u.op is ops.DIV:  # (a/b)*w -> (a*w)/b
        return build(ops.DIV, (build(ops.MUL, (u.args[0], v)), u.args[1]))
    if cu is not None and isinstance(v, Call) and v.op is ops.MUL \
            and isinstance(v.args[0], Const):  # c1*(c2*w) -> (c1*c2)*w
        return build(ops.MUL, (Const(cu * v.args[0].value), v.args[1]))
    return None


def _div(u: Expr, v: Expr, cu, cv) -> Expr | None:
    if cv == 1:
        return u
    if cu == 0 and cv != 0:
        return Const(0)
    if (a := _negated(u)) is not None:  # (-a)/b -> -(a/b)
        return build(ops.NEG, (build(ops.DIV, (a, v)),))
    return None


def _neg(u: Expr, cu) -> Expr | None:
    return _negated(u)  # --w -> w


def _pow(u: Expr, v: Expr, cu, cv) -> Expr | None:
    if cv == 1:
        return u
    if cv == 0 or cu == 1:
        return Const(1)
    return None


# The identities a derivative is simplified by, per operation: its arguments, then their
# constant values (None where an argument is not constant), to a simpler node or None.
IDENTITIES = {ops.ADD: _add, ops.SUB: _sub, ops.MUL: _mul, ops.DIV: _div, ops.NEG: _neg,
              ops.POW: _pow}


def _is_reciprocal(node: Expr) -> bool:
    return isinstance(node, Call) and node.op is ops.DIV and node.args[0] is Const(1)


# --- walks -------------------------------------------------------------------------------

# Walks are memoized on the interned nodes (weakly: a tree nobody holds is forgotten), so
# differentiating a tree with respect to each of n variables walks it once, not n times. No
# memo holds its own root (the last node of a walk): an entry whose value held its key would
# keep the tree alive for ever.
_postorders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_dependencies: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_dependents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def postorder(root: Expr) -> list[Expr]:
    """Every distinct node once, children before parents (a topological order)."""
    below = _postorders.get(root)
    if below is None:
        order = _postorder(root)
        _postorders[root] = tuple(order[:-1])
        return order
    order = list(below)
    order.append(root)
    return order


def _postorder(root: Expr) -> list[Expr]:
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(node.children):
            if id(child) not in seen:
                stack.append((child, False))
    return order


def variables(root: Expr) -> list[str]:
    """The variable names of an expression, in natural order (x2 before x10)."""
    return sorted({n.name for n in postorder(root) if isinstance(n, Var)}, key=natural_key)


def natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def operation_count(root: Expr, shared: bool = True) -> int:
    """Number of operations: distinct ones (a DAG, as a tape stores them) or, with
    ``shared=False``, as written out in full (a tree, as printed text repeats them)."""
    nodes = postorder(root)
    if shared:
        return sum(1 for n in nodes if isinstance(n, Call) and n.args)
    size: dict[int, int] = {}
    for n in nodes:
        own = 1 if isinstance(n, Call) and n.args else 0
        size[id(n)] = own + sum(size[id(c)] for c in n.children)
    return size[id(root)]


def distinct_operations(roots: Iterable[Expr]) -> int:
    """Operations of several expressions together, each distinct one counted once."""
    seen: set[int] = set()
    for root in roots:
        seen.update(id(n) for n in postorder(root) if isinstance(n, Call) and n.args)
    return len(seen)


def depends_on(root: Expr) -> dict[int, frozenset[str]]:
    """For every node (by id), the variable names it depends on. Do not modify it: it is
    memoized on the root."""
    deps = _dependencies.get(root)
    if deps is None:
        deps = {}
        empty: frozenset[str] = frozenset()
        for n in postorder(root):
            if isinstance(n, Var):
                deps[id(n)] = frozenset((n.name,))
            elif len(n.children) == 1:
                deps[id(n)] = deps[id(n.children[0])]
            else:
                deps[id(n)] = empty.union(*(deps[id(c)] for c in n.children))
        _dependencies[root] = deps
    return deps


def dependents(root: Expr, name: str) -> Iterable[Expr]:
    """The nodes that depend on the variable ``name``, children before parents: the only
    nodes whose derivative with respect to it is not 0. Memoized on the root."""
    deps = depends_on(root)
    if name not in deps[id(root)]:
        return ()
    found = _dependents.get(root)
    if found is None:
        lists: dict[str, list[Expr]] = {}
        for n in postorder(root)[:-1]:  # (the root, last, depends on every variable)
            for variable in deps[id(n)]:
                lists.setdefault(variable, []).append(n)
        found = _dependents[root] = {v: tuple(nodes) for v, nodes in lists.items()}
    return itertools.chain(found.get(name, ()), (root,))


def pack(roots: Iterable[Expr]) -> tuple:
    """Trees as a flat tuple of plain values, to send to another process without pickle's
    recursion: ("c", p, q), ("v", name) or ("f", op name, argument positions), then the
    roots' positions."""
    roots = tuple(roots)
    position: dict[int, int] = {}
    records: list[tuple] = []
    for root in roots:
        for n in postorder(root):
            if id(n) in position:
                continue
            position[id(n)] = len(records)
            if isinstance(n, Const):
                records.append(("c", n.value.numerator, n.value.denominator))
            elif isinstance(n, Var):
                records.append(("v", n.name))
            else:
                records.append(("f", n.op.name, tuple(position[id(a)] for a in n.args)))
    return tuple(records), tuple(position[id(r)] for r in roots)


def unpack(packed: tuple) -> list[Expr]:
    """The trees ``pack`` flattened, as the same interned nodes."""
    records, roots = packed
    nodes: list[Expr] = []
    for record in records:
        if record[0] == "c":
            nodes.append(Const(Fraction(record[1], record[2])))
        elif record[0] == "v":
            nodes.append(Var(record[1]))
        else:
            nodes.append(Call(ops.BY_NAME[record[1]], (nodes[k] for k in record[2])))
    return [nodes[k] for k in roots]


# --- printing ----------------------------------------------------------------------------

ATOM = 9


def format_fraction(value: Fraction) -> tuple[str, int]:
    """Text for a constant and its precedence: exact, and parseable back to the same value."""
    if value.denominator == 1:
        text = str(value.numerator)
    else:
        shortest = repr(float(value))
        if "inf" not in shortest and Fraction(shortest) == value:
            text = shortest
        else:
            return f"{value.numerator}/{value.denominator}", ops.DIV.precedence
    return text, (ops.NEG.precedence if text.startswith("-") else ATOM)


TEXT_NODES = 200_000  # nodes of the written-out tree past which shared nodes get names


def to_text(root: Expr) -> str:
    """Infix text with the fewest parentheses; parsing it gives back the same tree. Linear
    in the size of the text (pieces joined once, no string rebuilt per level). A DAG whose
    written-out tree would pass TEXT_NODES nodes (sharing doubles it per level) is written
    with its shared nodes named instead: "v2*v2 + x where v1 = x*x + x, v2 = v1*v1 + x"."""
    if tree_size(root) <= TEXT_NODES:
        return _emit(root, {})
    order = postorder(root)
    uses: dict[int, int] = {}
    for node in order:
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    names: dict[int, str] = {}
    definitions = []
    for node in order:
        if isinstance(node, Call) and node.args and uses.get(id(node), 0) > 1:
            definitions.append(f"{_fresh(len(names) + 1)} = {_emit(node, names)}")
            names[id(node)] = _fresh(len(names) + 1)
    return f"{_emit(root, names)} where {', '.join(definitions)}"


def _fresh(k: int) -> str:
    return f"v{k}"


def tree_size(root: Expr) -> int:
    """Nodes of the tree written out in full (a shared node counted at every use)."""
    size: dict[int, int] = {}
    for node in postorder(root):
        size[id(node)] = 1 + sum(size[id(c)] for c in node.children)
    return size[id(root)]


def _precedence(node: Expr, names: dict[int, str]) -> int:
    if id(node) in names or isinstance(node, Var):
        return ATOM
    if isinstance(node, Const):
        return format_fraction(node.value)[1]
    if node.op.is_constant or node.op.is_function:
        return ATOM
    return node.op.precedence


def _emit(root: Expr, names: dict[int, str]) -> str:
    """The text of a tree by an explicit stack of pieces: nodes (with the precedence their
    place needs) and literal strings, emitted in order."""
    out: list[str] = []
    stack: list = [(root, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, needed = item
        own = _precedence(node, names)
        wrapped = own < needed
        if wrapped:
            stack.append(")")
        if id(node) in names:
            stack.append(names[id(node)])
        elif isinstance(node, Const):
            stack.append(format_fraction(node.value)[0])
        elif isinstance(node, Var):
            stack.append(node.name)
        elif node.op.is_constant:
            stack.append(node.op.name)
        elif node.op.is_function:
            stack.append(")")
            for k in range(len(node.args) - 1, -1, -1):
                stack.append((node.args[k], 0))
                if k:
                    stack.append(", ")
            stack.append(f"{node.op.name}(")
        elif node.op.arity == 1:  # prefix minus: -x**2 means -(x**2)
            stack.append((node.args[0], own))
            stack.append(node.op.symbol)
        else:
            a, b = node.args
            if node.op is ops.POW:  # right-associative; a negative exponent needs ()
                left = own + 1
                right = own - 1 if _precedence(b, names) == ops.NEG.precedence else own
            else:  # left-associative: a-(b-c) keeps its brackets, (a-b)-c does not
                left, right = own, own + 1
            symbol = f" {node.op.symbol} " if own == 1 else node.op.symbol
            stack.append((b, right))
            stack.append(symbol)
            stack.append((a, left))
        if wrapped:
            stack.append("(")
    return "".join(out)


def shorten(text: str, limit: int = 50) -> str:
    """Long expression text cut for a message: the start, then "..."."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
