"""JSON: the document's data, under its stable keys (no NaN: null where there is no number)."""

from __future__ import annotations

import json


def write(document) -> str:
    return json.dumps(document.data, indent=2, allow_nan=False)
