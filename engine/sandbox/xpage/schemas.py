"""The xPage sandbox's request bodies and list queries, as JSON Schemas.

Every body the emulator accepts is described here once; anything the schema does not name is an
"unknown field" 422, which is how the sandbox keeps clients from relying on fields xPage would ignore.
Readings where the API page is silent:

* Creating needs ``title``; a new variant (no ``id``) needs ``price`` and ``values``; a new option
  needs ``name`` and ``values``; a new ``default`` needs ``price``.
* ``order`` of an option, option value, image or video defaults to its position in the list.
* Only options and variants carry an ``id`` in a write, as the document says; properties are
  ``{name, value}``, option values ``{order, value}`` and ``images`` items ``{id, order}``.
* Prices are JSON numbers, at least 0, with at most 2 decimal places; quantities are integers >= 0.
* Texts (titles, slugs, SKUs, names, values) are non-empty where the document has them required, and
  otherwise unchecked: the document states no pattern for slugs (a shop makes its own) and no length.
* ``role`` of an upload needs its owner (``fileable_type`` with ``fileable_id``): a role is the part a
  file plays for a resource. ``order_direction`` is ``ASC`` or ``DESC`` exactly as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.query import list_schema
from engine.sandbox.validation import UUID, UUID_PATTERN, SchemaValidator

_DIRECTION = {"enum": ["ASC", "DESC"]}

_TEXT = {"type": "string", "minLength": 1}
_OPTIONAL_TEXT = {"type": ["string", "null"]}
_MONEY = {"type": "number", "minimum": 0, "x-decimals": 2}
_OPTIONAL_MONEY = {"type": ["number", "null"], "minimum": 0, "x-decimals": 2}
_FILE_REF = {"type": ["string", "null"], "pattern": UUID_PATTERN, "x-format": "UUID"}
_ORDER = {"type": "integer", "minimum": 0}


def _object(properties: Mapping[str, Any], *required: str, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": dict(properties)}
    if required:
        schema["required"] = list(required)
    return {**schema, **extra}


def _new_needs(*fields: str) -> dict[str, Any]:
    """Items without ``id`` are created, so they need ``fields``; items with one are partial updates."""
    return {"if": {"required": ["id"]}, "else": {"required": list(fields)}}


_LINK = _object({"id": UUID, "order": _ORDER}, "id")
_SALE_FIELDS = {
    "price": _MONEY,
    "compare_price": _OPTIONAL_MONEY,
    "sku": _OPTIONAL_TEXT,
    "quantity": {"type": "integer", "minimum": 0},
    "file": _FILE_REF,
}
_VARIANT = _object(
    {
        "id": UUID,
        **_SALE_FIELDS,
        "image": _FILE_REF,
        "values": {"type": "array", "items": _object({"order": _ORDER, "value": _TEXT}, "order", "value")},
    },
    **_new_needs("price", "values"),
)
_OPTION = _object(
    {
        "id": UUID,
        "order": _ORDER,
        "name": _TEXT,
        "values": {
            "type": "array",
            "minItems": 1,
            "items": _object({"order": _ORDER, "value": _TEXT}, "value"),
        },
    },
    **_new_needs("name", "values"),
)
_PROPERTY = _object({"name": _TEXT, "value": {"type": "string"}}, "name", "value")


def _metadata(create: bool) -> dict[str, Any]:
    default = _object(_SALE_FIELDS, "price") if create else _object(_SALE_FIELDS)
    properties = {
        "title": _TEXT,
        "slug": _TEXT,
        "description": _OPTIONAL_TEXT,
        "page_title": _OPTIONAL_TEXT,
        "meta_description": _OPTIONAL_TEXT,
        "status": {"enum": ["active", "inactive"]},
        "is_digital": {"type": "boolean"},
        "category_id": {"type": ["string", "null"], "pattern": UUID_PATTERN, "x-format": "UUID"},
        "images": {"type": "array", "items": _LINK},
        "ugc_videos": {"type": "array", "items": _LINK},
        "options": {"type": "array", "items": _OPTION},
        "variants": {"type": "array", "items": _VARIANT},
        "default": default,
        "properties": {"type": "array", "items": _PROPERTY},
    }
    return _object(properties, "title") if create else _object(properties)


CREATE_METADATA = SchemaValidator(_metadata(create=True), prefix="metadata")
UPDATE_METADATA = SchemaValidator(_metadata(create=False), prefix="metadata")

TOKEN_REQUEST = SchemaValidator(
    _object(
        {
            "client_id": {"type": "string", "minLength": 1},
            "client_secret": {"type": "string", "minLength": 1},
            "install_id": {"type": ["string", "null"], "pattern": UUID_PATTERN, "x-format": "UUID"},
            "ttl": {"type": "integer", "minimum": 1, "maximum": 86400},
        },
        "client_id",
        "client_secret",
    )
)

NEW_CATEGORY = SchemaValidator(_object({"name": _TEXT}, "name"))

FILE_TYPES = ["product", "variant", "landing_page", "review"]
FILE_ROLES = [
    "product_images",
    "variant_image",
    "digital_product",
    "landing_page_images",
    "review_images",
    "ugc_video",
]

UPLOAD_FIELDS = SchemaValidator(
    _object(
        {
            "fileable_type": {"enum": FILE_TYPES},
            "fileable_id": UUID,
            "role": {"enum": FILE_ROLES},
            "order": _ORDER,
            "alt": {"type": "string"},
        },
        dependencies={"fileable_type": ["fileable_id"], "fileable_id": ["fileable_type"]},
    )
)

PRODUCT_QUERY = list_schema(
    search={"type": "string", "minLength": 2},
    title={"type": "string"},
    status={"enum": ["active", "inactive"]},
    is_digital={"type": "boolean"},
    out_of_stock={"type": "boolean"},
    category={"type": "string"},
    order_by={"enum": ["title", "category", "created_at"]},
    order_direction=_DIRECTION,
)

FILE_QUERY = list_schema(
    fileable_type={"enum": FILE_TYPES},
    fileable_id={"type": "string"},
    mime_type={"type": "string", "minLength": 1},
    **{"from": {"type": "string", "minLength": 1}, "to": {"type": "string", "minLength": 1}},
    order_by={"enum": ["created_at"]},
    order_direction=_DIRECTION,
)
