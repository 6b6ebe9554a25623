"""The price service's prices: one document per item, currency, country and site, in a price model.

Readings where the reference is silent:

* ``itemId.itemType`` ``PRODUCT`` must name an existing product (400); ``SKU`` ids are not checked.
* Without ``restrictions`` a price applies to the site ``main``; every ``siteCodes`` entry must be a
  site of the tenant (only ``main`` in the sandbox), with the reference's own message.
* ``tierValues`` must give one value per tier of the price model. With the default model (no
  ``priceModelId``) they are matched to the tiers by position; with an explicit model each value names
  its tier ``id``. ``validity.from`` must come before ``validity.to``.
* ``PUT /prices/{id}`` needs the ``partial`` parameter, as the reference requires (400 without it):
  ``true`` changes the fields sent, ``false`` replaces the price. New prices are version 1; every write
  adds 1, and a ``metadata.version`` that is sent must be the current one (409).
* ``PUT /prices/bulk`` replaces each price (its items need an ``id``); bulk operations take at most
  200 prices and answer 207 with ``{"index", "id", "code", "status"}`` (``"CREATED"``, ``"NO_CONTENT"``,
  ``"BAD_REQUEST"``... with a ``message``) per item.
* List filters ``itemId``, ``currency``, ``country``, ``siteCode`` and ``itemType`` take
  comma-separated values; ``effectiveDate`` keeps prices valid at that instant; ``principalId`` keeps
  prices restricted to that principal; ``itemName`` matches part of the product's name.
* A list filtered only by ``itemId``, ``currency``, ``country``, ``siteCode`` (the filters a catalog sync
  uses), without ``q`` or ``sort``, is filtered and paged in SQL: only the page's prices are decoded.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import scoped
from engine.sandbox.emporix.context import SITES, Shop, new_id
from engine.sandbox.emporix.db import PRICE_MODELS, PRICES, PRODUCTS, Doc
from engine.sandbox.emporix.errors import (
    EmporixError,
    bad_request,
    conflict,
    invalid_field,
    not_found,
    phrase,
)
from engine.sandbox.emporix.exact_json import JsonResponse, loads
from engine.sandbox.emporix.price_models import default_model, model_shown
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    Page,
    check,
    created,
    dotted,
    flag_header,
    list_response,
    no_content,
    params_schema,
    q_predicate,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_price import PRICE_CREATE, PRICE_REQUIRED, PRICE_UPDATE

BASE = "/price/{tenant}/prices"
MANAGE = "price.price_manage"
MAX_BULK = 200
LIST_PARAMS = params_schema(
    **PAGING,
    q=TEXT,
    siteCode=TEXT,
    currency=TEXT,
    effectiveDate=TEXT,
    principalId=TEXT,
    priceModelId=TEXT,
    itemId=TEXT,
    itemType=TEXT,
    country=TEXT,
    itemName=TEXT,
)
ONE_PARAMS = params_schema(extendWithPriceModel=BOOLEAN)
UPSERT_PARAMS = params_schema(partial=BOOLEAN)
READ_ONLY = ("vendorId", "priceModel")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _tier_values(db: sqlite3.Connection, doc: Doc, explicit_model: bool) -> None:
    model = PRICE_MODELS.get(db, doc["priceModelId"])
    if model is None:
        raise invalid_field("priceModelId", f"price model {doc['priceModelId']} does not exist")
    tiers = [t["id"] for t in model["tierDefinition"]["tiers"]]
    values = doc["tierValues"]
    if len(values) != len(tiers):
        raise invalid_field("tierValues", f"the price model has {len(tiers)} tier(s); give a value for each")
    if explicit_model:
        named = [v.get("id") for v in values]
        if sorted(map(str, named)) != sorted(tiers):
            raise invalid_field(
                "tierValues", f"each value needs the id of a tier of the model: {', '.join(tiers)}"
            )
        order = {tier: i for i, tier in enumerate(tiers)}
        values.sort(key=lambda v: order[v["id"]])
    doc["tierValues"] = [
        {"id": tier, "priceValue": Decimal(str(v["priceValue"]))}
        for tier, v in zip(tiers, values, strict=True)
    ]


def write_price(
    shop: Shop, db: sqlite3.Connection, body: Mapping[str, Any], price_id: str | None, *, merges: bool
) -> tuple[Doc, bool]:
    """Create or replace (``merges``: change) the price ``price_id`` inside ``db``."""
    if price_id is not None and body.get("id", price_id) != price_id:
        raise invalid_field("id", "must match the id in the path")
    price_id = price_id or body.get("id") or new_id()
    old = PRICES.get(db, price_id)
    version = (body.get("metadata") or {}).get("version")
    if old is not None and version is not None and version != old["metadata"]["version"]:
        raise conflict("The price was changed in the meantime; retry with its current version.")
    doc: Doc = copy.deepcopy(old) if (merges and old) else {}
    for field, value in body.items():
        if field not in ("id", "metadata", *READ_ONLY):
            doc[field] = copy.deepcopy(value)
    missing = {f: ["required"] for f in PRICE_REQUIRED if f not in doc}
    if missing:
        raise EmporixError(400, "Validation problem with request body.", errors=missing)
    doc["id"] = price_id
    item = doc["itemId"]
    if item["itemType"] == "PRODUCT" and PRODUCTS.get(db, item["id"]) is None:
        raise invalid_field("itemId.id", f"product {item['id']} does not exist")
    restrictions = doc.setdefault("restrictions", {"siteCodes": list(SITES[:1])})
    unknown = [code for code in restrictions["siteCodes"] if code not in SITES]
    if unknown:
        raise bad_request(
            f"The site(s) with code(s):[{','.join(unknown)}] do(es) not exist on tenant:{shop.tenant}."
            " Please provide valid site codes"
        )
    validity = restrictions.get("validity", {})
    if "from" in validity and "to" in validity and _instant(validity["from"]) >= _instant(validity["to"]):
        raise invalid_field("restrictions.validity", "from must be before to")
    explicit = "priceModelId" in body
    if "priceModelId" not in doc:
        model = default_model(db)
        if model is None:
            raise invalid_field("priceModelId", "required: the tenant has no default price model")
        doc["priceModelId"] = model["id"]
    _tier_values(db, doc, explicit)
    if "mixins" in (body.get("metadata") or {}):
        doc["metadata"] = {"mixins": body["metadata"]["mixins"]}
    now = shop.timestamp()
    meta = {k: v for k, v in (doc.get("metadata") or {}).items() if k == "mixins"}
    doc["metadata"] = {
        **meta,
        "version": old["metadata"]["version"] + 1 if old else 1,
        "createdAt": old["metadata"]["createdAt"] if old else now,
        "modifiedAt": now,
    }
    PRICES.save(db, doc)
    return doc, old is None


SQL_FILTERS = {"pageNumber", "pageSize", "itemId", "currency", "country", "siteCode"}


def _sql_page(db: sqlite3.Connection, request: Request, params: Mapping[str, Any]) -> Response:
    """A page of prices filtered by columns, in the order they were made (as :func:`_filtered` does)."""
    tests: list[str] = []
    values: list[str] = []
    for param, column in (("itemId", "item_id"), ("currency", "currency"), ("country", "country")):
        if param in params:
            wanted = sorted(_split(params[param]))
            tests.append(f"{column} IN ({','.join('?' * len(wanted))})")
            values += wanted
    if "siteCode" in params:
        sites = sorted(_split(params["siteCode"]))
        tests.append("(" + " OR ".join("instr(sites, ?) > 0" for _ in sites) + ")")
        values += [f"|{site}|" for site in sites]
    where = f" WHERE {' AND '.join(tests)}" if tests else ""
    page = Page.of(params)
    rows = db.execute(
        f"SELECT doc FROM emporix_prices{where} ORDER BY seq LIMIT ? OFFSET ?",
        (*values, page.size, (page.number - 1) * page.size),
    )
    docs = [loads(row["doc"]) for row in rows]
    headers = {}
    if flag_header(request, "X-Total-Count"):
        total = db.execute(f"SELECT COUNT(*) FROM emporix_prices{where}", values).fetchone()[0]
        headers["X-Total-Count"] = str(total)
    return JsonResponse(docs, headers=headers)


def _split(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def _filtered(db: sqlite3.Connection, docs: list[Doc], params: Mapping[str, Any]) -> list[Doc]:
    tests: list[Any] = []
    if "itemId" in params:
        ids = _split(params["itemId"])
        tests.append(lambda d: d["itemId"]["id"] in ids)
    if "itemType" in params:
        kinds = _split(params["itemType"])
        tests.append(lambda d: d["itemId"]["itemType"] in kinds)
    if "currency" in params:
        currencies = _split(params["currency"])
        tests.append(lambda d: d["currency"] in currencies)
    if "country" in params:
        countries = _split(params["country"])
        tests.append(lambda d: d["location"]["countryCode"] in countries)
    if "siteCode" in params:
        sites = _split(params["siteCode"])
        tests.append(lambda d: bool(sites.intersection(d["restrictions"]["siteCodes"])))
    if "priceModelId" in params:
        tests.append(lambda d: d["priceModelId"] == params["priceModelId"])
    if "principalId" in params:
        tests.append(
            lambda d: any(p["id"] == params["principalId"] for p in d["restrictions"].get("principals", []))
        )
    if "effectiveDate" in params:
        try:
            moment = _instant(params["effectiveDate"])
        except ValueError:
            raise bad_request(
                "effectiveDate must be an ISO 8601 date-time.", {"effectiveDate": ["invalid"]}
            ) from None

        def valid(d: Doc) -> bool:
            window = d["restrictions"].get("validity", {})
            return ("from" not in window or _instant(window["from"]) <= moment) and (
                "to" not in window or moment <= _instant(window["to"])
            )

        tests.append(valid)
    if "itemName" in params:
        needle = params["itemName"].lower()

        def named(d: Doc) -> bool:
            product = PRODUCTS.get(db, d["itemId"]["id"]) or {}
            return any(needle in text.lower() for text in (product.get("name") or {}).values())

        tests.append(named)
    if "q" in params:
        tests.append(q_predicate(params["q"]))
    return [d for d in docs if all(test(d) for test in tests)]


def _bulk_entry(index: int, price_id: str | None, status: int, message: str | None = None) -> Doc:
    entry: Doc = {"index": index}
    if price_id:
        entry["id"] = price_id
    entry.update(code=status, status=phrase(status).upper().replace(" ", "_"))
    if message:
        entry["message"] = message
    return entry


def price_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_prices(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        with shop.store.read() as db:
            if set(params) <= SQL_FILTERS:
                return _sql_page(db, request, params)
            docs = _filtered(db, PRICES.all(db), params)
        sort_items(docs, params.get("sort"), dotted)
        return list_response(request, docs, params)

    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, PRICE_CREATE)
        with shop.store.write() as db:
            if body.get("id") and PRICES.get(db, body["id"]) is not None:
                raise conflict(f"A price with id {body['id']} already exists.")
            doc, _ = write_price(shop, db, body, None, merges=False)
        return JsonResponse(
            {"id": doc["id"]}, status_code=201, headers={"Location": f"{request.url}/{doc['id']}"}
        )

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, ONE_PARAMS)
        price_id = request.path_params["priceId"]
        with shop.store.read() as db:
            doc = PRICES.get(db, price_id)
            if doc is None:
                raise not_found(f"Price with id {price_id} not found.")
            if params.get("extendWithPriceModel"):
                model = PRICE_MODELS.get(db, doc["priceModelId"])
                if model is not None:
                    shown = model_shown(model, None, shop.default_language)
                    doc = {**doc, "priceModel": {**shown, "isDefault": shown.pop("default", False)}}
        return JsonResponse(doc)

    async def upsert(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, UPSERT_PARAMS)
        if "partial" not in params:
            raise bad_request("Required parameter partial is missing.", {"partial": ["required"]})
        body = await read_json(request, PRICE_UPDATE)
        with shop.store.write() as db:
            doc, new = write_price(shop, db, body, request.path_params["priceId"], merges=params["partial"])
        return created({"id": doc["id"]}) if new else no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        await read_json(request, required=False)
        price_id = request.path_params["priceId"]
        with shop.store.write() as db:
            if not PRICES.delete(db, price_id):
                raise not_found(f"Price with id {price_id} not found.")
        return no_content()

    async def bulk(request: Request, principal: Principal | None, replace: bool) -> Response:
        read_params(request, params_schema())
        items = await read_json(request)
        if not isinstance(items, list):
            raise bad_request("The request body must be a list of prices.", {"body": ["must be a list"]})
        if len(items) > MAX_BULK:
            raise bad_request(
                "There is a validation error. Please check the details.",
                {"body": [f"Maximum size of the payload array is {MAX_BULK}."]},
            )
        results = []
        for index, item in enumerate(items):
            item_id = (
                item.get("id") if isinstance(item, Mapping) and isinstance(item.get("id"), str) else None
            )
            try:
                check(PRICE_UPDATE if replace else PRICE_CREATE, item)
                if replace and not item_id:
                    raise invalid_field("id", "required")
                with shop.store.write() as db:
                    if not replace and item_id and PRICES.get(db, item_id) is not None:
                        raise conflict(f"A price with id {item_id} already exists.")
                    doc, new = write_price(shop, db, item, item_id if replace else None, merges=False)
            except EmporixError as exc:
                details = [f"{f}: {t}" for f, texts in exc.errors.items() for t in texts]
                results.append(_bulk_entry(index, item_id, exc.status, "; ".join([exc.message, *details])))
                continue
            results.append(_bulk_entry(index, doc["id"], 201 if new else 204))
        return JsonResponse(results, status_code=207)

    async def bulk_create(request: Request, principal: Principal | None) -> Response:
        return await bulk(request, principal, replace=False)

    async def bulk_upsert(request: Request, principal: Principal | None) -> Response:
        return await bulk(request, principal, replace=True)

    one = BASE + "/{priceId}"
    return [
        Endpoint("GET", BASE, list_prices),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("POST", BASE + "/bulk", scoped(bulk_create, MANAGE)),
        Endpoint("PUT", BASE + "/bulk", scoped(bulk_upsert, MANAGE)),
        Endpoint("GET", one, get_one),
        Endpoint("PUT", one, scoped(upsert, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
