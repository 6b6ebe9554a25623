"""The coupon service's coupons, the promotion primitive: a code with a discount and restrictions.

Readings where the reference and tutorial are silent:

* Codes are kept upper-case (the reference's default, ``enableCouponCodeCaseSensitivity`` being off),
  so ``summer10`` is created and found as ``SUMMER10``; without a ``code`` one of 8 letters and digits
  is made. Codes are unique, deleted coupons' codes included (409).
* Deleting is the documented soft delete: the coupon gets ``deleted: true``, disappears from reads and
  lists (``showDeleted=true`` shows it) and its code stays taken; deleting it again is a 404.
* ``discountType`` defaults to ``ABSOLUTE``. ``PERCENT`` needs ``discountPercentage`` and ``ABSOLUTE``
  needs ``discountAbsolute`` (``amount`` 0 and ``currency`` USD by default, as the schema says); the
  other field may be sent too, as the tutorial's examples do, and is kept. ``FREE_SHIPPING`` coupons
  cannot be ``categoryRestricted``.
* ``categoryRestricted`` needs ``restrictions.includedCategories`` (existing categories), which must be
  disjoint from ``excludedCategories``; category lists without the flag are a 400. ``segmentRestricted``
  needs ``restrictions.segments`` and combines with neither category restrictions nor ``validFor``.
  Coupons for anonymous users cannot have ``validFor`` or a per-customer limit. ``validFrom`` must
  come before ``validUntil``.
* ``status`` is computed at every read from the sandbox clock: ``INACTIVE`` before ``validFrom``,
  ``EXPIRED`` after ``validUntil``, ``USED`` when ``maxRedemptions`` (not -1) is reached, else ``VALID``.
* New coupons are version 0 ("set to 0 after creating"); every update adds 1, and a
  ``metadata.version`` that is sent must be the current one (409). ``PUT`` needs the ``partial``
  parameter (the reference marks it required): ``false`` replaces the coupon (``name`` is then
  required), ``true`` changes the fields sent like ``PATCH``. Both answer 200 without a body.
* ``GET /coupons/{code}`` with ``customerNumber`` needs ``coupon.coupon_redeem_on_behalf``.
"""

from __future__ import annotations

import copy
import secrets
import sqlite3
import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import require, scoped
from engine.sandbox.emporix.context import Shop
from engine.sandbox.emporix.db import CATEGORIES, COUPONS, Doc
from engine.sandbox.emporix.errors import (
    EmporixError,
    bad_request,
    conflict,
    invalid_field,
    not_found,
)
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    Page,
    created,
    filter_q,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_coupon import COUPON_CREATE, COUPON_UPDATE, READ_ONLY

BASE = "/coupon/{tenant}/coupons"
MANAGE = "coupon.coupon_manage"
READ = "coupon.coupon_read"
ON_BEHALF = "coupon.coupon_redeem_on_behalf"
PAGE_SIZE = 16
LIST_PARAMS = params_schema(**PAGING, q=TEXT, totalCount=BOOLEAN, showDeleted=BOOLEAN)
ONE_PARAMS = params_schema(customerNumber=TEXT)
PUT_PARAMS = params_schema(partial=BOOLEAN)
DEFAULTS: Mapping[str, Any] = {
    "discountType": "ABSOLUTE",
    "allowAnonymous": False,
    "maxRedemptions": -1,
    "maxRedemptionsPerCustomer": -1,
    "discountCalculationType": "SUBTOTAL",
    "categoryRestricted": False,
    "segmentRestricted": False,
}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def status_of(doc: Mapping[str, Any], now: datetime) -> str:
    window = doc.get("restrictions") or {}
    if "validFrom" in window and now < _instant(window["validFrom"]):
        return "INACTIVE"
    if "validUntil" in window and now > _instant(window["validUntil"]):
        return "EXPIRED"
    if doc.get("maxRedemptions", -1) != -1 and doc.get("redemptionCount", 0) >= doc["maxRedemptions"]:
        return "USED"
    return "VALID"


def _checked(db: sqlite3.Connection, doc: Doc) -> None:
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = doc["discountType"]
    if kind == "PERCENT" and "discountPercentage" not in doc:
        fail("discountPercentage", "required for a PERCENT coupon")
    if kind == "ABSOLUTE" and "discountAbsolute" not in doc:
        fail("discountAbsolute", "required for an ABSOLUTE coupon")
    restrictions = doc.get("restrictions") or {}
    included = restrictions.get("includedCategories") or []
    excluded = restrictions.get("excludedCategories") or []
    if doc["categoryRestricted"]:
        if kind == "FREE_SHIPPING":
            fail("categoryRestricted", "a FREE_SHIPPING coupon cannot be category restricted")
        if not included:
            fail("restrictions.includedCategories", "required when categoryRestricted is true")
        for i, category in enumerate(included + excluded):
            if CATEGORIES.get(db, category) is None:
                which = "includedCategories" if i < len(included) else "excludedCategories"
                fail(f"restrictions.{which}", f"category {category} does not exist")
        if set(included) & set(excluded):
            fail("restrictions.excludedCategories", "must be disjoint with includedCategories")
    elif included or excluded:
        fail("categoryRestricted", "must be true when category restrictions are given")
    if doc["segmentRestricted"]:
        if not restrictions.get("segments"):
            fail("restrictions.segments", "required when segmentRestricted is true")
        if doc["categoryRestricted"]:
            fail("segmentRestricted", "cannot be combined with category restrictions")
        if restrictions.get("validFor"):
            fail("segmentRestricted", "cannot be combined with customer restrictions")
    elif restrictions.get("segments"):
        fail("segmentRestricted", "must be true when segments are given")
    if doc["allowAnonymous"]:
        if restrictions.get("validFor"):
            fail("restrictions.validFor", "cannot be given for a coupon that anonymous users can redeem")
        if doc["maxRedemptionsPerCustomer"] != -1:
            fail("maxRedemptionsPerCustomer", "cannot be given for a coupon that anonymous users can redeem")
    window = (restrictions.get("validFrom"), restrictions.get("validUntil"))
    if window[0] and window[1] and _instant(window[0]) >= _instant(window[1]):
        fail("restrictions.validUntil", "must come after validFrom")
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _built(body: Mapping[str, Any], old: Doc | None, merges: bool) -> Doc:
    doc: Doc = copy.deepcopy(old) if (merges and old) else {}
    for field, value in body.items():
        if field not in ("code", "metadata", *READ_ONLY):
            doc[field] = copy.deepcopy(value)
    for field, value in DEFAULTS.items():
        doc.setdefault(field, value)
    for money in (doc.get("discountAbsolute"), (doc.get("restrictions") or {}).get("minOrderValue")):
        if money is not None:
            money.setdefault("amount", 0)
            money.setdefault("currency", "USD")
    metadata: Doc = (
        {k: v for k, v in (old or {}).get("metadata", {}).items() if k == "mixins"} if merges else {}
    )
    if "mixins" in (body.get("metadata") or {}):
        metadata["mixins"] = body["metadata"]["mixins"]
    doc["metadata"] = metadata
    return doc


def _code() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8))


def coupon_endpoints(shop: Shop) -> list[Endpoint]:
    def shown(doc: Doc) -> Doc:
        return {**doc, "status": status_of(doc, shop.now())}

    def live(db: sqlite3.Connection, code: str) -> Doc:
        doc = COUPONS.get(db, code.upper())
        if doc is None or doc.get("deleted"):
            raise not_found(f"Coupon with code {code.upper()} does not exist.")
        return doc

    async def list_coupons(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        with shop.store.read() as db:
            docs = [shown(d) for d in COUPONS.all(db) if params.get("showDeleted") or not d.get("deleted")]
        docs = filter_q(docs, params)
        sort_items(docs, params.get("sort"), lambda d, f: d.get(f))
        headers = {"Items-Count": str(len(docs))} if params.get("totalCount") else {}
        return JsonResponse(Page.of(params, PAGE_SIZE).cut(docs), headers=headers)

    async def create(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, COUPON_CREATE)
        code = (body.get("code") or _code()).upper()
        doc = _built(body, None, merges=False)
        doc = {"code": code, **doc, "redemptionCount": 0, "deleted": False, "referralCoupon": False}
        doc["metadata"]["version"] = 0
        with shop.store.write() as db:
            if COUPONS.get(db, code) is not None:
                raise conflict(f"A coupon with code {code} already exists.")
            _checked(db, doc)
            COUPONS.save(db, doc)
        return created({"id": code, "yrn": shop.yrn("coupon", code)})

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, ONE_PARAMS)
        if "customerNumber" in params:
            require(principal, ON_BEHALF, why="to ask on behalf of a customer")
        with shop.store.read() as db:
            doc = live(db, request.path_params["code"])
        return JsonResponse(shown(doc))

    async def change(request: Request, principal: Principal | None, merges: bool) -> Response:
        body = await read_json(request, COUPON_UPDATE)
        code = request.path_params["code"].upper()
        if str(body.get("code", code)).upper() != code:
            raise invalid_field("code", "must match the code in the path")
        if not merges and "name" not in body:
            raise invalid_field("name", "required")
        with shop.store.write() as db:
            old = live(db, code)
            version = (body.get("metadata") or {}).get("version")
            if version is not None and version != old["metadata"]["version"]:
                raise conflict("The coupon was changed in the meantime; retry with its current version.")
            doc = _built(body, old, merges)
            kept = {k: old[k] for k in ("redemptionCount", "deleted", "referralCoupon")}
            doc = {"code": code, **doc, **kept}
            doc["metadata"]["version"] = old["metadata"]["version"] + 1
            _checked(db, doc)
            COUPONS.save(db, doc)
        return Response(status_code=200)

    async def put(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, PUT_PARAMS)
        if "partial" not in params:
            raise bad_request("Required parameter partial is missing.", {"partial": ["required"]})
        return await change(request, principal, merges=params["partial"])

    async def patch(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        return await change(request, principal, merges=True)

    async def delete(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        with shop.store.write() as db:
            doc = live(db, request.path_params["code"])
            COUPONS.save(db, {**doc, "deleted": True})
        return Response(status_code=204)

    one = BASE + "/{code}"
    return [
        Endpoint("GET", BASE, scoped(list_coupons, MANAGE, READ)),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, get_one),
        Endpoint("PUT", one, scoped(put, MANAGE)),
        Endpoint("PATCH", one, scoped(patch, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
