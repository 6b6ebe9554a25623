"""Product templates: versioned attribute sets that products, and parent variants above all, refer to.

Every update stores a new version (``metadata.version`` + 1) and keeps the old ones, which
``GET ...?version=N`` still answers; products name the version they follow in ``template.version``.
Readings where the reference is silent:

* an ``id`` that exists already is a 400 on create (the operation documents no 409);
* attribute keys are unique within a template; ``values`` must hold values of the attribute's ``type``
  (``TEXT`` strings, ``NUMBER`` numbers, ``BOOLEAN`` booleans, ``DATETIME`` ISO 8601 text), and so must
  ``metadata.defaultValue``, which must also be one of the ``values`` when they are given;
* a template that any product follows cannot be deleted (400); deleting an unknown one is a 204, like
  every delete the reference answers only with 204.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import scoped
from engine.sandbox.emporix.context import Shop, new_id
from engine.sandbox.emporix.db import PRODUCTS, Doc
from engine.sandbox.emporix.errors import EmporixError, bad_request, conflict, not_found
from engine.sandbox.emporix.exact_json import JsonResponse, dumps, loads
from engine.sandbox.emporix.i18n import accept_languages, check_map, filtered
from engine.sandbox.emporix.requests import (
    PAGING,
    TEXT,
    created,
    dotted,
    filter_q,
    list_response,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_product import TEMPLATE_CREATE, TEMPLATE_UPDATE

BASE = "/product/{tenant}/product-templates"
READ = "product.product_template_read"
MANAGE = "product.product_template_manage"
_LIST_PARAMS = params_schema(**PAGING, q=TEXT)
_ONE_PARAMS = params_schema(
    version={"type": "string", "pattern": r"^[1-9]\d*$", "x-format": "version number"}
)


def template_at(db: sqlite3.Connection, template_id: str, version: int | None = None) -> Doc | None:
    """The template ``template_id`` at ``version`` (the latest when None)."""
    if version is None:
        row = db.execute(
            "SELECT doc FROM emporix_templates WHERE id = ? ORDER BY version DESC LIMIT 1", (template_id,)
        ).fetchone()
    else:
        row = db.execute(
            "SELECT doc FROM emporix_templates WHERE id = ? AND version = ?", (template_id, version)
        ).fetchone()
    return loads(row["doc"]) if row is not None else None


def templates_at(db: sqlite3.Connection, wanted: Collection[tuple[str, int]]) -> dict[tuple[str, int], Doc]:
    """Several templates at given versions, in one query: (id, version) -> template."""
    ids = sorted({template_id for template_id, _ in wanted})
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT id, version, doc FROM emporix_templates WHERE id IN ({','.join('?' * len(ids))})", ids
    )
    return {
        (row["id"], row["version"]): loads(row["doc"])
        for row in rows
        if (row["id"], row["version"]) in wanted
    }


def _latest_all(db: sqlite3.Connection) -> list[Doc]:
    rows = db.execute(
        "SELECT doc FROM emporix_templates t WHERE version ="
        " (SELECT MAX(version) FROM emporix_templates WHERE id = t.id) ORDER BY seq"
    )
    return [loads(row["doc"]) for row in rows]


def _save(db: sqlite3.Connection, doc: Doc) -> None:
    row = db.execute("SELECT MIN(seq) FROM emporix_templates WHERE id = ?", (doc["id"],)).fetchone()
    seq = (
        row[0]
        if row[0] is not None
        else db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM emporix_templates").fetchone()[0]
    )
    db.execute(
        "INSERT INTO emporix_templates (seq, id, version, doc) VALUES (?, ?, ?, ?)",
        (seq, doc["id"], doc["metadata"]["version"], dumps(doc)),
    )


def value_fits(kind: str, value: Any) -> bool:
    """Whether ``value`` is a value of an attribute of type ``kind``."""
    if kind == "BOOLEAN":
        return isinstance(value, bool)
    if kind == "NUMBER":
        return isinstance(value, int | Decimal) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if kind == "DATETIME":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
    return True


def _check_attributes(attributes: Sequence[Mapping[str, Any]], languages: Sequence[str]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, attribute in enumerate(attributes):
        where = f"attributes.{i}"
        if attribute["key"] in seen:
            errors.setdefault(f"{where}.key", []).append(f"key {attribute['key']!r} is used twice")
        seen.add(attribute["key"])
        check_map(f"{where}.name", attribute["name"], languages)
        kind = attribute["type"]
        values = attribute.get("values") or []
        keys = [v["key"] for v in values]
        for j, key in enumerate(keys):
            if not value_fits(kind, key):
                errors.setdefault(f"{where}.values.{j}.key", []).append(f"must be a {kind} value")
            check_map(f"{where}.values.{j}.name", values[j].get("name", {}), languages)
        meta = attribute["metadata"]
        if meta.get("variantAttribute") and not values:
            errors.setdefault(f"{where}.values", []).append("required for a variant attribute")
        default = meta.get("defaultValue")
        if default is not None and (not value_fits(kind, default) or (keys and default not in keys)):
            errors.setdefault(f"{where}.metadata.defaultValue", []).append(
                f"must be a {kind} value" + (" listed in values" if keys else "")
            )
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _shown(doc: Doc, accept: list[str] | None, languages: Sequence[str]) -> Doc:
    out = dict(doc)
    out["name"] = filtered(doc["name"], accept, languages)
    attributes = []
    for attribute in doc["attributes"]:
        item = dict(attribute, name=filtered(attribute["name"], accept, languages))
        if "values" in attribute:
            item["values"] = [
                dict(v, name=filtered(v["name"], accept, languages)) if "name" in v else v
                for v in attribute["values"]
            ]
        attributes.append(item)
    out["attributes"] = attributes
    return out


def template_endpoints(shop: Shop) -> list[Endpoint]:
    languages = shop.languages

    async def list_templates(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, _LIST_PARAMS)
        with shop.store.read() as db:
            docs = _latest_all(db)
        docs = filter_q(docs, params)
        sort_items(docs, params.get("sort"), dotted)
        accept = accept_languages(request)
        return list_response(request, [_shown(d, accept, languages) for d in docs], params)

    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, TEMPLATE_CREATE)
        check_map("name", body["name"], languages)
        _check_attributes(body["attributes"], languages)
        now = shop.timestamp()
        doc = {
            "id": body.get("id") or new_id(),
            "name": body["name"],
            "attributes": body["attributes"],
            "metadata": {"version": 1, "createdAt": now, "modifiedAt": now},
        }
        with shop.store.write() as db:
            if template_at(db, doc["id"]) is not None:
                raise bad_request(
                    f"Product template with id {doc['id']} already exists.", {"id": ["already exists"]}
                )
            _save(db, doc)
        return created({"id": doc["id"]})

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, _ONE_PARAMS)
        template_id = request.path_params["productTemplateId"]
        version = int(params["version"]) if "version" in params else None
        with shop.store.read() as db:
            doc = template_at(db, template_id, version)
        if doc is None:
            at = f" in version {version}" if version is not None else ""
            raise not_found(f"Product template with id {template_id}{at} has not been found.")
        return JsonResponse(_shown(doc, accept_languages(request), languages))

    async def update(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        template_id = request.path_params["productTemplateId"]
        body = await read_json(request, TEMPLATE_UPDATE)
        if body.get("id", template_id) != template_id:
            raise bad_request(
                "The id in the body differs from the id in the path.", {"id": ["must match the path"]}
            )
        check_map("name", body["name"], languages)
        _check_attributes(body["attributes"], languages)
        with shop.store.write() as db:
            latest = template_at(db, template_id)
            if latest is None:
                raise not_found(f"Product template with id {template_id} has not been found.")
            version = latest["metadata"]["version"]
            if body["metadata"]["version"] != version:
                raise conflict(
                    "The resource that was requested for update has changed."
                    f" Please retry your request with valid version (current: {version})."
                )
            doc = {
                "id": template_id,
                "name": body["name"],
                "attributes": body["attributes"],
                "metadata": {
                    "version": version + 1,
                    "createdAt": latest["metadata"]["createdAt"],
                    "modifiedAt": shop.timestamp(),
                },
            }
            _save(db, doc)
        return no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        template_id = request.path_params["productTemplateId"]
        with shop.store.write() as db:
            users = [d["id"] for d in PRODUCTS.all(db) if d.get("template", {}).get("id") == template_id]
            if users:
                raise bad_request(
                    f"Product template {template_id} is used by product(s) {', '.join(users[:5])}"
                    " and cannot be deleted."
                )
            db.execute("DELETE FROM emporix_templates WHERE id = ?", (template_id,))
        return no_content()

    one = BASE + "/{productTemplateId}"
    return [
        Endpoint("GET", BASE, scoped(list_templates, READ)),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, scoped(get_one, READ)),
        Endpoint("PUT", one, scoped(update, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
