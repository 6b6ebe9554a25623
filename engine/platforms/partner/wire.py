"""JSON as the Partner API gets it: money as numbers with exactly the digits the recipe gives.

httpx's own JSON encoding knows no Decimal, and a float could change a price's digits, so bodies are
encoded here and sent as ready bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def encode(value: Any) -> str:
    """JSON text in which every Decimal is a plain number as written (``12.500`` stays ``12.500``)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
