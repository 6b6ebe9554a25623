"""Reading Emporix requests: typed query parameters, JSON bodies and headers, all checked, all 400s.

Unlike the xPage sandbox, a query parameter an endpoint does not document is refused (400 naming it),
as is a header the services read (``X-Total-Count``, ``Content-Language``, ``Accept-Language``) holding
something they cannot read. Lists page with ``pageNumber`` (from 1) and ``pageSize`` and, when the
request says ``X-Total-Count: true``, answer the number of matches in the ``X-Total-Count`` header.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.emporix.errors import EmporixError, bad_request
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.q import Predicate, QueryError, parse_q
from engine.sandbox.query import typed_text
from engine.sandbox.responses import ApiError
from engine.sandbox.validation import SchemaValidator, parse_json

VALIDATION_MESSAGE = "Validation problem with request body."
PARAMS_MESSAGE = "Validation problem with request parameters."
BOOLEAN: Mapping[str, Any] = {"type": "boolean"}
TEXT: Mapping[str, Any] = {"type": "string"}
PAGING: Mapping[str, Any] = {
    "pageNumber": {"type": "integer", "minimum": 1},
    "pageSize": {"type": "integer", "minimum": 1},
    "sort": TEXT,
}


def params_schema(**properties: Any) -> SchemaValidator:
    """The query parameters of one endpoint; any other name is refused."""
    return SchemaValidator({"type": "object", "additionalProperties": False, "properties": properties})


NO_PARAMS = params_schema()


def read_params(request: Request, schema: SchemaValidator) -> dict[str, Any]:
    """The typed query parameters; 400 naming every unknown or ill-typed one."""
    try:
        return typed_text(request.query_params, schema, ignore_unknown=False)
    except ApiError as exc:
        raise EmporixError(400, PARAMS_MESSAGE, errors=exc.errors) from None


async def read_json(request: Request, schema: SchemaValidator | None = None, *, required: bool = True) -> Any:
    """The JSON body, checked by ``schema``; 400 naming every problem at once."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request("Request body is missing.", {"body": ["required"]})
        return None
    try:
        body = parse_json(raw)
    except ValueError as exc:
        raise bad_request(f"Malformed request body: {exc}", {"body": [str(exc)]}) from None
    if schema is not None:
        errors = schema(body)
        if errors:
            raise EmporixError(400, VALIDATION_MESSAGE, errors=errors)
    return body


def check(schema: SchemaValidator, body: Any) -> None:
    errors = schema(body)
    if errors:
        raise EmporixError(400, VALIDATION_MESSAGE, errors=errors)


def flag_header(request: Request, name: str) -> bool:
    """A boolean request header such as ``X-Total-Count`` (absent is false; not a boolean is a 400)."""
    value = request.headers.get(name)
    if value is None:
        return False
    if value.strip().lower() not in ("true", "false"):
        raise bad_request(f"Header {name} must be true or false.", {name: ["must be true or false"]})
    return value.strip().lower() == "true"


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @classmethod
    def of(cls, params: Mapping[str, Any], default_size: int = 60) -> Page:
        return cls(params.get("pageNumber", 1), params.get("pageSize", default_size))

    def cut(self, items: Sequence[Any]) -> list[Any]:
        start = (self.number - 1) * self.size
        return list(items[start : start + self.size])


def sort_items(
    items: list[dict[str, Any]], sort: str | None, key_of: Callable[[dict[str, Any], str], Any]
) -> None:
    """Sort in place by ``sort`` (``field[:asc|desc],...``, a dotted field, left to right in priority).

    Values that are missing sort first ascending; unlike types compare by their text.
    """
    if not sort:
        return
    for part in reversed([p.strip() for p in sort.split(",") if p.strip()]):
        field, _, direction = part.partition(":")
        descending = direction.strip().lower() == "desc"

        def key(item: dict[str, Any], field: str = field) -> tuple[int, Any]:
            value = key_of(item, field.strip())
            if value is None:
                return (0, "")
            if isinstance(value, bool):
                return (1, str(value))
            if isinstance(value, int | float) or hasattr(value, "as_tuple"):
                return (2, value)
            return (3, str(value).lower())

        items.sort(key=key, reverse=descending)


def dotted(doc: Mapping[str, Any], field: str) -> Any:
    """The value at a dotted path (``metadata.version``), None when any step is missing."""
    node: Any = doc
    for part in field.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def localized_key(language: str, localized: Collection[str]) -> Callable[[Mapping[str, Any], str], Any]:
    """Sort keys by dotted field where a localized field (one of ``localized``) without a language
    sorts by ``language``, or failing that by its first value."""

    def key(doc: Mapping[str, Any], field: str) -> Any:
        value = dotted(doc, field)
        if isinstance(value, Mapping) and field in localized:
            return value.get(language) or next(iter(value.values()), None)
        return value

    return key


def q_predicate(text: str) -> Predicate:
    """The ``q`` parameter read as a predicate; a 400 naming ``q`` when it cannot be read."""
    try:
        return parse_q(text)
    except QueryError as exc:
        raise bad_request(str(exc), {"q": [str(exc)]}) from None


def filter_q(docs: list[Any], params: Mapping[str, Any]) -> list[Any]:
    """``docs`` that match the ``q`` parameter, all of them when there is none (400 when unreadable)."""
    if "q" not in params:
        return docs
    match = q_predicate(params["q"])
    return [d for d in docs if match(d)]


def list_response(
    request: Request, items: list[Any], params: Mapping[str, Any], *, default_size: int = 60
) -> Response:
    """One page of ``items``, with ``X-Total-Count`` when the request asked for it."""
    wants_total = flag_header(request, "X-Total-Count")
    page = Page.of(params, default_size)
    headers = {"X-Total-Count": str(len(items))} if wants_total else {}
    return JsonResponse(page.cut(items), headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def created(body: Mapping[str, Any]) -> Response:
    return JsonResponse(dict(body), status_code=201)
