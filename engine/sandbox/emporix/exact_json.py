"""JSON that keeps money exact: numbers read as :class:`~decimal.Decimal` are written back digit for digit.

Prices may carry any number of decimals, so they are never turned into binary floats: the standard
encoder cannot write a Decimal as a bare number, so each one is first replaced by a marked string that
the final text turns back into the number's own digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from engine.sandbox.validation import parse_json

_MARK = "\u0000decimal:"
_MARKED = re.compile(r'"\\u0000decimal:([-+0-9.eE]+)\\u0000"')


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_MARK}{value}\u0000"
    if isinstance(value, Mapping):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    return value


def dumps(value: Any) -> str:
    """``value`` as compact JSON, Decimals written exactly as they were read."""
    text = json.dumps(_marked(value), ensure_ascii=False, separators=(",", ":"))
    return _MARKED.sub(r"\1", text)


def loads(text: str | bytes) -> Any:
    """Strict JSON with Decimal numbers (see :func:`engine.sandbox.validation.parse_json`)."""
    return parse_json(text)


class JsonResponse(Response):
    """A JSON answer whose numbers keep their exact digits."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode()
