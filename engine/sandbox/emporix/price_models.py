"""Price models: how prices are expressed (gross or net, per which unit, in which tiers).

A fresh shop holds one default model (:data:`~engine.sandbox.emporix.db.DEFAULT_PRICE_MODEL_ID`,
basic pricing per piece, gross), which prices without ``priceModelId`` belong to. Readings:

* ``GET /priceModels/{id}`` answers a one-element list, as the reference declares it.
* ``BASIC`` models have one tier from quantity 0 (made when none is sent); ``VOLUME`` and ``TIERED``
  tiers start at 0, rise strictly and share one unit code. Tiers without an ``id`` get one; on an
  upsert a tier keeps its id when it is sent with it.
* ``default: true`` makes a model the default and the previous default an ordinary model.
* Deleting a model with prices needs ``forceDelete=true`` and ``price.pricemodel_manage_admin`` (400
  and 403 otherwise) and deletes its prices; deleting an unknown model is a 204.
* Models are versioned internally but, as the reference's model shows, answered without metadata.
"""

from __future__ import annotations

import copy
import itertools
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import require, scoped
from engine.sandbox.emporix.context import Shop, new_id
from engine.sandbox.emporix.db import PRICE_MODELS, Doc
from engine.sandbox.emporix.errors import invalid_field, not_found
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.i18n import accept_languages, content_languages, shown, written
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    created,
    list_response,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_price import PRICE_MODEL, TIER_TYPES

BASE = "/price/{tenant}/priceModels"
READ = "price.pricemodel_read"
MANAGE = "price.pricemodel_manage"
ADMIN = "price.pricemodel_manage_admin"
LIST_PARAMS = params_schema(
    **PAGING,
    includesTax=BOOLEAN,
    includesMarkup=BOOLEAN,
    tierType={"enum": list(TIER_TYPES)},
    name=TEXT,
    description=TEXT,
    unitcode=TEXT,
)
DELETE_PARAMS = params_schema(forceDelete=BOOLEAN)


def default_model(db: sqlite3.Connection) -> Doc | None:
    return next((m for m in PRICE_MODELS.all(db) if m.get("default")), None)


def _tiers(body: Mapping[str, Any]) -> list[Doc]:
    definition = body["tierDefinition"]
    tiers = [copy.deepcopy(t) for t in definition.get("tiers", [])]
    kind = definition["tierType"]
    if kind == "BASIC":
        if not tiers:
            tiers = [{"minQuantity": {"quantity": 0, "unitCode": body["measurementUnit"]["unitCode"]}}]
        if len(tiers) != 1 or tiers[0]["minQuantity"]["quantity"] != 0:
            raise invalid_field("tierDefinition.tiers", "BASIC pricing has one tier from quantity 0")
    else:
        quantities = [t["minQuantity"]["quantity"] for t in tiers]
        if not tiers or quantities[0] != 0:
            raise invalid_field("tierDefinition.tiers", "the first tier must start at quantity 0")
        if any(b <= a for a, b in itertools.pairwise(quantities)):
            raise invalid_field("tierDefinition.tiers", "tier quantities must be unique and ascending")
        if len({t["minQuantity"]["unitCode"] for t in tiers}) > 1:
            raise invalid_field("tierDefinition.tiers", "all tiers must use the same unitCode")
    for tier in tiers:
        tier.setdefault("id", str(uuid.uuid4()))
    return tiers


def write_model(
    shop: Shop, db: sqlite3.Connection, request: Request, body: Mapping[str, Any], model_id: str
) -> bool:
    """Create or replace the model ``model_id``; True when it is new."""
    old = PRICE_MODELS.get(db, model_id)
    languages = content_languages(request)
    doc: Doc = {
        "id": model_id,
        "includesTax": body["includesTax"],
        "includesMarkup": body.get("includesMarkup", False),
        "default": body.get("default", False),
        "tierDefinition": {"tierType": body["tierDefinition"]["tierType"], "tiers": _tiers(body)},
        "measurementUnit": body["measurementUnit"],
    }
    for field in ("name", "description"):
        if field in body:
            doc[field], _ = written(field, body[field], languages, shop.languages)
    now = shop.timestamp()
    doc["metadata"] = {
        "version": old["metadata"]["version"] + 1 if old else 1,
        "createdAt": old["metadata"]["createdAt"] if old else now,
        "modifiedAt": now,
    }
    if doc["default"]:
        for other in PRICE_MODELS.all(db):
            if other.get("default") and other["id"] != model_id:
                PRICE_MODELS.save(db, {**other, "default": False})
    PRICE_MODELS.save(db, doc)
    return old is None


def model_shown(doc: Doc, accept: list[str] | None, default_language: str) -> Doc:
    out = {k: v for k, v in doc.items() if k != "metadata"}
    for field in ("name", "description"):
        value = shown(doc.get(field), accept, default_language)
        if value is None:
            out.pop(field, None)
        else:
            out[field] = value
    return out


def _matches(doc: Doc, params: Mapping[str, Any]) -> bool:
    for flag in ("includesTax", "includesMarkup"):
        if flag in params and bool(doc.get(flag)) != params[flag]:
            return False
    if "tierType" in params and doc["tierDefinition"]["tierType"] != params["tierType"]:
        return False
    if "unitcode" in params and doc["measurementUnit"]["unitCode"] != params["unitcode"]:
        return False
    for text in ("name", "description"):
        if text in params and not any(
            params[text].lower() in t.lower() for t in (doc.get(text) or {}).values()
        ):
            return False
    return True


def price_model_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_models(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        with shop.store.read() as db:
            docs = [d for d in PRICE_MODELS.all(db) if _matches(d, params)]
        sort_items(docs, params.get("sort"), lambda d, f: d.get(f))
        accept = accept_languages(request)
        return list_response(request, [model_shown(d, accept, shop.default_language) for d in docs], params)

    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, PRICE_MODEL)
        model_id = body.get("id") or new_id()
        with shop.store.write() as db:
            if PRICE_MODELS.get(db, model_id) is not None:
                raise invalid_field("id", f"price model {model_id} already exists")
            write_model(shop, db, request, body, model_id)
        return created({"id": model_id})

    async def get_one(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        model_id = request.path_params["priceModelId"]
        with shop.store.read() as db:
            doc = PRICE_MODELS.get(db, model_id)
        if doc is None:
            raise not_found(f"Price model with id {model_id} not found.")
        return JsonResponse([model_shown(doc, accept_languages(request), shop.default_language)])

    async def upsert(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, PRICE_MODEL)
        model_id = request.path_params["priceModelId"]
        if body.get("id", model_id) != model_id:
            raise invalid_field("id", "must match the id in the path")
        with shop.store.write() as db:
            new = write_model(shop, db, request, body, model_id)
        return created({"id": model_id}) if new else no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, DELETE_PARAMS)
        await read_json(request, required=False)
        model_id = request.path_params["priceModelId"]
        with shop.store.write() as db:
            prices = db.execute(
                "SELECT COUNT(*) FROM emporix_prices WHERE model_id = ?", (model_id,)
            ).fetchone()[0]
            if prices:
                if not params.get("forceDelete"):
                    raise invalid_field(
                        "forceDelete",
                        f"the price model has {prices} price(s); deleting it needs forceDelete=true",
                    )
                require(principal, ADMIN, why="to delete a price model that has prices")
                db.execute("DELETE FROM emporix_prices WHERE model_id = ?", (model_id,))
            PRICE_MODELS.delete(db, model_id)
        return no_content()

    one = BASE + "/{priceModelId}"
    return [
        Endpoint("GET", BASE, scoped(list_models, READ)),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, scoped(get_one, READ)),
        Endpoint("PUT", one, scoped(upsert, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
