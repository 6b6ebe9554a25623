"""Emporix's Schema service (``schema.api.yml``), the routes of mixin schemas, and the check that a
mixin's schema URL is one the service hosts.

Routes: ``POST /schema/{tenant}/schemas`` (201 ``{"id"}``; an ``id`` may be given, a taken one is a 409),
``GET /schema/{tenant}/schemas`` (paged, ``X-Total-Count``, ``type`` and ``q`` filters),
``GET /schema/{tenant}/schemas/{id}`` (``version`` gives an earlier one) and ``PUT`` (204; the body's
``metadata.version`` must be the current one, else 409; each update is a new version). Writes need
``schema.schema_manage``; reads need no scope, as the reference's ``security: [OAuth2: []]`` says.

Readings where the reference is silent:

* Each version is "uploaded to cloudinary": its ``metadata.url`` is
  ``https://res.cloudinary.com/saas-ag/raw/upload/schemata/<tenant>/<id>_v<version>.json``. Every
  version's URL stays hosted (the reference says deleting a schema leaves its file), so documents
  written under an earlier version stay valid.
* ``name`` and attribute names are stored and answered as the maps sent (no language filtering).
* A product, media asset or coupon write whose ``metadata.mixins`` names a schema URL is refused (400
  naming ``metadata.mixins.<name>``) unless the URL is one of a schema this service hosts whose
  ``types`` hold the entity's type, or one of Emporix's own published schemas (under
  ``https://res.cloudinary.com/saas-ag/raw/upload/emporix-docs/``, such as the media service's
  ``mediaCustomAttributes``). The mixin's values must use only the attribute keys of a hosted schema
  (and of its ``OBJECT`` attributes). The mixin guide also says a schema may be "hosted on a hosting
  service" of one's own; ``create_app(mixin_schemas="any")`` takes that reading and accepts any URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import scoped
from engine.sandbox.emporix.context import Shop
from engine.sandbox.emporix.db import Doc, Table
from engine.sandbox.emporix.errors import EmporixError, conflict, not_found
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.requests import (
    PAGING,
    TEXT,
    created,
    filter_q,
    list_response,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.validation import SchemaValidator

BASE = "/schema/{tenant}/schemas"
MANAGE = "schema.schema_manage"
SCOPES = ("schema.schema_manage", "schema.schema_read")
PUBLISHED = "https://res.cloudinary.com/saas-ag/raw/upload/emporix-docs/"
HOSTED = "https://res.cloudinary.com/saas-ag/raw/upload/schemata/"
SCHEMAS = Table("emporix_schemas")
VERSIONS = Table("emporix_schema_versions", columns={"schema_id": lambda d: d["schema"]["id"]})
"""Every version of every schema, keyed by its hosted URL (the ``id`` column holds the URL)."""

TYPES = (
    "AVAILABILITY", "CART", "CART_ITEM", "CATEGORY", "COMPANY", "COUPON", "CUSTOMER", "CUSTOMER_ADDRESS",
    "LOCATION", "ORDER", "ORDER_ENTRY", "PRODUCT", "QUOTE", "RETURN", "PRICE_LIST", "SITE", "CUSTOM_ENTITY",
    "VENDOR", "MEDIA",
)  # fmt: skip
ATTRIBUTE_TYPES = (
    "TEXT",
    "NUMBER",
    "DECIMAL",
    "BOOLEAN",
    "DATE",
    "TIME",
    "DATE_TIME",
    "ENUM",
    "ARRAY",
    "OBJECT",
)
_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_VALUES = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"value": {}},
        "required": ["value"],
    },
}
_ATTRIBUTE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "name", "type"],
    "properties": {
        "key": {"type": "string", "minLength": 1},
        "name": _MAP,
        "description": _MAP,
        "type": {"enum": list(ATTRIBUTE_TYPES)},
        "precision": {"type": "number"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": "boolean"} for k in ("readOnly", "localized", "required", "nullable")},
        },
        "values": _VALUES,
        "attributes": {"type": "array", "items": {"$ref": "#/$defs/attribute"}},
        "arrayType": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": list(ATTRIBUTE_TYPES)},
                "values": _VALUES,
                "localized": {"type": "boolean"},
            },
        },
    },
}


def _body_schema(*, creation: bool) -> SchemaValidator:
    properties: dict[str, Any] = {
        "name": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
        "types": {"type": "array", "minItems": 1, "items": {"enum": list(TYPES)}},
        "attributes": {"type": "array", "items": {"$ref": "#/$defs/attribute"}},
    }
    if creation:
        properties["id"] = {"type": "string", "minLength": 1}
    else:
        properties["metadata"] = {
            "type": "object",
            "additionalProperties": False,
            "required": ["version"],
            "properties": {"version": {"type": "number"}},
        }
    required = ["name", "types", "attributes"] + ([] if creation else ["metadata"])
    return SchemaValidator(
        {
            "type": "object",
            "additionalProperties": False,
            "required": required,
            "properties": properties,
            "$defs": {"attribute": _ATTRIBUTE},
        }
    )


CREATE = _body_schema(creation=True)
UPDATE = _body_schema(creation=False)
LIST_PARAMS = params_schema(**PAGING, q=TEXT, fields=TEXT, type=TEXT)
ONE_PARAMS = params_schema(version={"type": "integer", "minimum": 1})


def url_of(shop: Shop, schema_id: str, version: int) -> str:
    return f"{HOSTED}{shop.tenant}/{schema_id}_v{version}.json"


def _stored(
    shop: Shop, db: sqlite3.Connection, schema_id: str, body: Mapping[str, Any], old: Doc | None
) -> Doc:
    now = shop.timestamp()
    version = int(old["metadata"]["version"]) + 1 if old else 1
    doc: Doc = {
        "id": schema_id,
        "name": dict(body["name"]),
        "types": list(body["types"]),
        "attributes": list(body["attributes"]),
        "metadata": {
            "version": version,
            "createdAt": old["metadata"]["createdAt"] if old else now,
            "modifiedAt": now,
            "url": url_of(shop, schema_id, version),
        },
    }
    SCHEMAS.save(db, doc)
    VERSIONS.save(db, {**doc, "id": doc["metadata"]["url"], "schema": doc})
    return doc


def schema_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_schemas(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        with shop.store.read() as db:
            docs = SCHEMAS.all(db)
        if "type" in params:
            docs = [d for d in docs if params["type"] in d["types"]]
        docs = filter_q(docs, params)
        sort_items(docs, params.get("sort"), lambda d, f: d.get(f))
        return list_response(request, docs, params)

    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, CREATE)
        schema_id = str(body.get("id") or "")
        with shop.store.write() as db:
            if not schema_id:
                schema_id = f"schema-{db.execute('SELECT COUNT(*) FROM emporix_schemas').fetchone()[0] + 1}"
            if SCHEMAS.get(db, schema_id) is not None:
                raise conflict(f"Schema with id {schema_id} already exists.")
            _stored(shop, db, schema_id, body, None)
        return created({"id": schema_id})

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, ONE_PARAMS)
        schema_id = request.path_params["id"]
        with shop.store.read() as db:
            doc = SCHEMAS.get(db, schema_id)
            if doc is not None and "version" in params:
                earlier = VERSIONS.get(db, url_of(shop, schema_id, params["version"]))
                doc = earlier["schema"] if earlier else None
        if doc is None:
            raise not_found(f"Schema with id {schema_id} not found.")
        return JsonResponse(doc)

    async def update(request: Request, principal: Principal | None) -> Response:
        read_params(request, ONE_PARAMS)
        body = await read_json(request, UPDATE)
        schema_id = request.path_params["id"]
        with shop.store.write() as db:
            old = SCHEMAS.get(db, schema_id)
            if old is None:
                raise not_found(f"Schema with id {schema_id} not found.")
            if body["metadata"]["version"] != old["metadata"]["version"]:
                raise conflict("The schema was changed in the meantime; retry with its current version.")
            _stored(shop, db, schema_id, body, old)
        return no_content()

    one = BASE + "/{id}"
    return [
        Endpoint("GET", BASE, list_schemas),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, get_one),
        Endpoint("PUT", one, scoped(update, MANAGE)),
    ]


def check_mixins(shop: Shop, db: sqlite3.Connection, body: Mapping[str, Any], entity: str) -> None:
    """400 unless every schema URL in ``body``'s ``metadata.mixins`` may describe an ``entity`` (a
    :data:`TYPES` value) and its mixin uses only the attributes that schema has (module docstring)."""
    urls = (body.get("metadata") or {}).get("mixins") or {}
    if shop.mixin_schemas == "any":
        return
    errors: dict[str, list[str]] = {}
    for name, url in urls.items():
        where = f"metadata.mixins.{name}"
        if str(url).startswith(PUBLISHED):
            continue
        version = VERSIONS.get(db, str(url))
        if version is None:
            errors[where] = [f"{url} is not a schema the Schema service hosts for this tenant"]
            continue
        if entity not in version["types"]:
            errors[where] = [f"the schema {version['schema']['id']} is not for {entity}"]
            continue
        unknown = _unknown_keys((body.get("mixins") or {}).get(name), version["attributes"])
        if unknown:
            errors[f"mixins.{name}"] = [f"not in the schema {url}: {', '.join(unknown)}"]
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _unknown_keys(value: Any, attributes: list[Any], prefix: str = "") -> list[str]:
    if not isinstance(value, Mapping):
        return []
    known = {str(a.get("key")): a for a in attributes if isinstance(a, Mapping)}
    unknown = []
    for key, inner in value.items():
        attribute = known.get(str(key))
        if attribute is None:
            unknown.append(prefix + str(key))
        elif attribute.get("type") == "OBJECT":
            unknown += _unknown_keys(inner, attribute.get("attributes") or [], f"{prefix}{key}.")
    return unknown
