"""JSON: the document's data, under its stable keys (no NaN: null where there is no number).

Objects are indented; a list of plain values (numbers, strings, null) is written on one
line by the C encoder, so a gradient of a million entries is one fast line, not a million
slow ones, and the text comes out in chunks as it is made, never as one string in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

_PLAIN = (int, float, str, bool, type(None))
_FLAT = json.JSONEncoder(allow_nan=False, separators=(", ", ": "))


def write(document) -> Iterator[str]:
    yield from _encode(document.json(), 0)
    yield "\n"


def _flat(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, _PLAIN) for v in value)


def _encode(value, depth: int) -> Iterator[str]:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        yield "{\n"
        for k, (key, item) in enumerate(value.items()):
            yield f"{inner}{json.dumps(str(key))}: "
            yield from _encode(item, depth + 1)
            yield ",\n" if k < len(value) - 1 else "\n"
        yield pad + "}"
    elif isinstance(value, (list, tuple)) and not _flat(list(value)):
        if not value:
            yield "[]"
            return
        yield "[\n"
        for k, item in enumerate(value):
            yield inner
            yield from _encode(item, depth + 1)
            yield ",\n" if k < len(value) - 1 else "\n"
        yield pad + "]"
    else:
        yield _FLAT.encode(value)
