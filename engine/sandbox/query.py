"""List endpoints: query strings checked against a schema, and the paginated envelope.

Query parameters arrive as text; :func:`read_query` converts the ones whose schema says integer or
boolean (``"true"``/``"false"``/``"1"``/``"0"``) and leaves anything unconvertible as text, so the schema
reports it. Parameters a schema does not name are ignored, as web frameworks behind these APIs do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from engine.sandbox.responses import invalid
from engine.sandbox.validation import SchemaValidator

PAGE_PROPERTIES: Mapping[str, Any] = {
    "page": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 200},
    "order_direction": {"enum": ["ASC", "DESC", "asc", "desc"]},
}
"""The paging parameters every list shares (page 1, page_size 20 up to 200, order_direction DESC)."""

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def list_schema(**properties: Any) -> SchemaValidator:
    """A validator for one list endpoint: the shared paging parameters plus ``properties``."""
    return SchemaValidator({"type": "object", "properties": {**PAGE_PROPERTIES, **properties}})


def read_query(request: Request, validate: SchemaValidator) -> dict[str, Any]:
    """The known query parameters, typed; 422 naming each bad one."""
    return typed_text(request.query_params, validate, ignore_unknown=True)


def typed_text(
    values: Mapping[str, str], validate: SchemaValidator, *, ignore_unknown: bool
) -> dict[str, Any]:
    """Text values (query parameters, form fields) typed by ``validate``'s schema and checked by it.

    A value the schema calls integer or boolean is converted when it reads as one; otherwise it stays
    text and the schema reports it. Unknown names are dropped with ``ignore_unknown``, else reported.
    """
    schema = validate.schema.get("properties", {})
    params: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in schema:
            if not ignore_unknown:
                params[name] = raw
            continue
        kind = schema[name].get("type")
        if kind == "integer" and _INTEGER.match(raw):
            params[name] = int(raw)
        elif kind == "boolean" and raw.lower() in _BOOLEANS:
            params[name] = _BOOLEANS[raw.lower()]
        else:
            params[name] = raw
    errors = validate(params)
    if errors:
        raise invalid(errors)
    return params


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    descending: bool

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Page:
        return cls(
            number=params.get("page", 1),
            size=params.get("page_size", 20),
            descending=str(params.get("order_direction", "DESC")).upper() == "DESC",
        )


def paginated(resource: str, items: Sequence[Any], total: int, page: Page) -> dict[str, Any]:
    """The body inside ``data``: the items under ``resource`` plus ``pagination``."""
    return {
        resource: list(items),
        "pagination": {
            "total": total,
            "per_page": page.size,
            "current_page": page.number,
            "last_page": max(1, math.ceil(total / page.size)),
        },
    }
