"""JSON as Emporix reads it, with money that keeps its exact digits.

Prices and discounts are JSON numbers in the references. A :class:`decimal.Decimal` is written as the
number it is (``19.99``, never ``19.989999999999998``), since Emporix keeps the digits it is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

JSON = "application/json"


def dumps(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a number: {value}")
        return format(value, "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def encode(value: Any) -> bytes:
    return dumps(value).encode("utf-8")
