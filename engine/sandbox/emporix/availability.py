"""Emporix's availability service (``availability.api.yml``): stock levels of products per site.

Routes: ``GET /availability/{tenant}/availability/site/{site}`` (paged, ``q``, ``sort``; the
``X-Total-Count`` header is always answered, as the reference lists it without condition),
``POST /availability/{tenant}/availability/search`` (a list of product ids with an optional ``site``,
or ``{"q": ...}`` without one), ``PUT`` and ``DELETE /availability/{tenant}/availability/{productId}/
{site}`` (201 ``{"id"}`` / 204; 204 / 404) and ``PUT /availability/{tenant}/availability/bulk`` (at
most 200 items, 207 with ``id``, ``index``, ``code``, ``status`` and ``message`` per item).

Readings where the reference is silent, each the strictest plausible one:

* Reads need ``availability.availability_view`` (the scope the reference's security scheme describes
  as "Needed to view availabilities"; the operations list only the vendor scope, "required only when
  fetching availabilities for a specific vendor"); writes ``availability.availability_manage``.
* An upsert replaces the whole record: fields it does not send (``available``, ``popularity``,
  ``distributionChannel``, mixins) are gone afterwards, so a client that means to keep them sends
  them back. The other plausible reading, that it changes only the fields sent, is
  ``create_app(availability_upsert="merge")``. The id is ``<site>:<productId>``.
* The product must exist (404 for one, a 404 item in a bulk) and the site must be one of the tenant's
  (400). The reference advises against availabilities for a site named ``main`` (an aggregator of the
  other sites); the sandbox tenant has that one site only, so it takes them and reads them back as
  written.
* ``stockLevel`` is a number of at least 0 (400 otherwise); mixin schema URLs are checked as in
  :mod:`engine.sandbox.emporix.schema_service` (type ``AVAILABILITY``).
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
from engine.sandbox.emporix.context import SITES, Shop
from engine.sandbox.emporix.db import PRODUCTS, Doc, Table
from engine.sandbox.emporix.errors import (
    EmporixError,
    bad_request,
    invalid_field,
    not_found,
    phrase,
)
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.requests import (
    PAGING,
    TEXT,
    Page,
    check,
    created,
    filter_q,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schema_service import check_mixins
from engine.sandbox.validation import SchemaValidator

BASE = "/availability/{tenant}/availability"
VIEW = "availability.availability_view"
MANAGE = "availability.availability_manage"
MAX_BULK = 200
DEFAULT_PAGE = 20000
AVAILABILITIES = Table("emporix_availabilities", columns={"site": lambda d: d["site"]})

_FIELDS: dict[str, Any] = {
    "stockLevel": {"type": "number", "minimum": 0},
    "available": {"type": "boolean"},
    "popularity": {"type": "integer"},
    "distributionChannel": {"enum": ["ASSORTMENT", "HOME_DELIVERY", "PICKUP"]},
    "mixins": {"type": "object"},
    "metadata": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"mixins": {"type": "object", "additionalProperties": {"type": "string"}}},
    },
}
ONE = SchemaValidator({"type": "object", "additionalProperties": False, "properties": _FIELDS})
BULK_ITEM = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["productId", "site"],
        "properties": {"productId": {"type": "string", "minLength": 1}, "site": TEXT, **_FIELDS},
    }
)
LIST_PARAMS = params_schema(**PAGING, q=TEXT)
SEARCH_PARAMS = params_schema(**PAGING, site=TEXT)


def _store(shop: Shop, db: sqlite3.Connection, product_id: str, site: str, body: Mapping[str, Any]) -> bool:
    """Replace the availability of ``product_id`` on ``site`` with ``body``; True when it is new."""
    if site not in SITES:
        raise invalid_field("site", f"{site} is not a site of this tenant")
    if PRODUCTS.get(db, product_id) is None:
        raise not_found(f"There is no product with id {product_id}.")
    check_mixins(shop, db, body, "AVAILABILITY")
    key = f"{site}:{product_id}"
    old = AVAILABILITIES.get(db, key)
    now = shop.timestamp()
    doc: Doc = {"id": key, "site": site, "productId": product_id}
    if old is not None and shop.availability_upsert == "merge":
        doc.update({k: v for k, v in old.items() if k not in ("id", "site", "productId", "metadata")})
    doc.update(
        {
            k: body[k]
            for k in ("stockLevel", "available", "popularity", "distributionChannel", "mixins")
            if k in body
        }
    )
    metadata: Doc = {"createdAt": old["metadata"]["createdAt"] if old else now, "modifiedAt": now}
    mixins = (body.get("metadata") or {}).get("mixins")
    if not mixins and old is not None and shop.availability_upsert == "merge":
        mixins = old["metadata"].get("mixins")
    if mixins:
        metadata["mixins"] = dict(mixins)
    doc["metadata"] = metadata
    AVAILABILITIES.save(db, doc)
    return old is None


def availability_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_site(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        site = request.path_params["site"]
        with shop.store.read() as db:
            docs = AVAILABILITIES.all(db, "site = ?", (site,))
        docs = filter_q(docs, params)
        sort_items(docs, params.get("sort"), lambda d, f: d.get(f))
        page = Page.of(params, DEFAULT_PAGE)
        return JsonResponse(page.cut(docs), headers={"X-Total-Count": str(len(docs))})

    async def search(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, SEARCH_PARAMS)
        body = await read_json(request)
        with shop.store.read() as db:
            docs = AVAILABILITIES.all(db)
        if isinstance(body, list) and all(isinstance(i, str) for i in body):
            wanted = set(body)
            docs = [d for d in docs if d["productId"] in wanted]
            if "site" in params:
                docs = [d for d in docs if d["site"] == params["site"]]
        elif isinstance(body, dict) and set(body) == {"q"} and isinstance(body["q"], str):
            if "site" in params:
                raise bad_request("site may not be given with a q body.", {"site": ["not allowed with q"]})
            docs = filter_q(docs, {"q": body["q"]})
        else:
            raise bad_request('The body must be a list of product ids or {"q": ...}.', {"body": ["invalid"]})
        sort_items(docs, params.get("sort"), lambda d, f: d.get(f))
        page = Page.of(params, DEFAULT_PAGE)
        return JsonResponse(page.cut(docs), headers={"X-Total-Count": str(len(docs))})

    async def upsert(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, ONE)
        product_id, site = request.path_params["productId"], request.path_params["site"]
        with shop.store.write() as db:
            new = _store(shop, db, product_id, site, body)
        return created({"id": f"{site}:{product_id}"}) if new else no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        product_id, site = request.path_params["productId"], request.path_params["site"]
        with shop.store.write() as db:
            if not AVAILABILITIES.delete(db, f"{site}:{product_id}"):
                raise not_found(f"There is no availability for productId: {product_id} and site: {site}")
        return no_content()

    async def bulk(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        items = await read_json(request)
        if not isinstance(items, list):
            raise bad_request(
                "The request body must be a list of availabilities.", {"body": ["must be a list"]}
            )
        if len(items) > MAX_BULK:
            raise bad_request(
                "Too many items.", {"body": [f"Maximum size of the payload array is {MAX_BULK}."]}
            )
        results = []
        for index, item in enumerate(items):
            key = (
                f"{(item or {}).get('site')}:{(item or {}).get('productId')}"
                if isinstance(item, dict)
                else ""
            )
            try:
                check(BULK_ITEM, item)
                body = {k: v for k, v in item.items() if k not in ("productId", "site")}
                with shop.store.write() as db:
                    new = _store(shop, db, item["productId"], item["site"], body)
                code = 201 if new else 204
                results.append({"id": key, "index": index, "code": code, "status": phrase(code)})
            except EmporixError as exc:
                message = exc.message + "".join(f" {f}: {'; '.join(m)}" for f, m in exc.errors.items())
                results.append(
                    {
                        "id": key,
                        "index": index,
                        "code": exc.status,
                        "status": phrase(exc.status),
                        "message": message,
                    }
                )
        return JsonResponse(results, status_code=207)

    one = BASE + "/{productId}/{site}"
    return [
        Endpoint("GET", BASE + "/site/{site}", scoped(list_site, VIEW)),
        Endpoint("POST", BASE + "/search", scoped(search, VIEW)),
        Endpoint("PUT", BASE + "/bulk", scoped(bulk, MANAGE)),
        Endpoint("PUT", one, scoped(upsert, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
