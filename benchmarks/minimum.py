"""The fewest requests each platform's API allows for one phase of a sync, per route.

Computed from the catalog's size and the numbers the vendor documents publish (page sizes, items per
bulk request), never from shelf's own code, so a test comparing shelf's counts with these catches shelf
drifting away from the API's floor. Where a document publishes no number, the reading shelf and its
emulator share (``docs/platforms/<platform>.md``) stands in, and the constant below says so.

Verification is part of every apply (it re-reads what it touched), so its reads are counted: the fewer of
re-reading each touched object by id (or search) and listing every page. On a tie the list is counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

FIRST_APPLY = "first apply"
NOOP_PLAN = "no-op plan"
ONE_CHANGE = "one change"
ONE_IMAGE = "one image change"
PHASES = (FIRST_APPLY, NOOP_PLAN, ONE_CHANGE, ONE_IMAGE)

XPAGE_PAGE = 200
"""apps-api.md: lists take ``page_size`` up to 200."""
PARTNER_PAGE = 100
"""Not published (the sketch has ``page_size`` without a maximum): the reading shelf asks for."""
PARTNER_BATCH = 1000
"""Not published: the reading of SKUs per create or update request (docs/platforms/partner.md)."""
EMPORIX_BULK = 200
"""guides/standard-practices_bulk-request-limits.md: "Our default maximum batch size is 200 items"."""
EMPORIX_PAGE = 200
"""The pagination guide names no maximum ``pageSize``: the reading shelf and its emulator use."""

Routes = dict[str, int]


@dataclass(frozen=True)
class Shape:
    """What the minimum depends on: ``products`` each with ``variants`` variants (0: simple products),
    ``images`` pictures each, spread over ``categories`` categories; Partner's ``vendors``; AppXite's
    ``subscriptions`` over ``organizations``. ``touched`` is how many products (or subscriptions) the
    one-change phase changes."""

    products: int = 0
    variants: int = 12
    images: int = 0
    categories: int = 10
    stock: bool = True
    vendors: int = 2
    subscriptions: int = 0
    organizations: int = 2
    touched: int = 1


def pages(items: int, size: int) -> int:
    """List pages needed to read ``items``: an empty collection still costs one request."""
    return max(1, math.ceil(items / size))


def _verify(by_id_route: str, list_route: str, touched: int, listing: int) -> Routes:
    return {by_id_route: touched} if touched < listing else {list_route: listing}


def merge(*parts: Mapping[str, int]) -> Routes:
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    return {route: n for route, n in sorted(total.items()) if n}


# xPage -----------------------------------------------------------------------------------------------

XPAGE_LIST = "GET /product"
XPAGE_GET = "GET /product/{id}"
XPAGE_CREATE = "POST /product"
XPAGE_UPDATE = "POST /product/{id}/update"
XPAGE_UPLOAD = "POST /file"
XPAGE_DELETE_FILE = "POST /file/{id}"
XPAGE_FILES = "GET /file"


def _xpage_whole(shape: Shape, *, empty: bool = False) -> Routes:
    """One read of the whole shop: every product page and every file page. Files are listed because
    finding the files shelf uploaded that nothing uses (left by a run that died between an upload and
    the update placing it) has no other route: a product lists only the files it holds."""
    if empty:
        return {XPAGE_LIST: 1, XPAGE_FILES: 1}
    files = shape.products * shape.images
    return {XPAGE_LIST: pages(shape.products, XPAGE_PAGE), XPAGE_FILES: pages(files, XPAGE_PAGE)}


def _xpage_verify(shape: Shape) -> Routes:
    listing = pages(shape.products, XPAGE_PAGE)
    return {XPAGE_GET: shape.touched} if shape.touched < listing else _xpage_whole(shape)


def xpage(phase: str, shape: Shape) -> Routes:
    """One ``POST /product`` per product (no bulk create), its pictures riding in it as ``images[]``
    parts (none has alt text); a price is one update. A picture's new bytes that are not the product's
    last picture need their own ``POST /file`` and an update to place them (``images[]`` parts of an
    update are linked after the kept pictures), and the old file is deleted with ``POST /file/{id}``.
    A plan reads the whole shop (:func:`_xpage_whole`); verification reads the touched products by id
    when that is fewer requests."""
    if phase == FIRST_APPLY:
        return merge(_xpage_whole(shape, empty=True), {XPAGE_CREATE: shape.products}, _xpage_whole(shape))
    if phase == NOOP_PLAN:
        return _xpage_whole(shape)
    if phase == ONE_CHANGE:
        return merge(_xpage_whole(shape), {XPAGE_UPDATE: shape.touched}, _xpage_verify(shape))
    if phase == ONE_IMAGE:
        writes = {XPAGE_UPLOAD: shape.touched, XPAGE_UPDATE: shape.touched, XPAGE_DELETE_FILE: shape.touched}
        return merge(_xpage_whole(shape), writes, _xpage_verify(shape))
    raise ValueError(phase)


def xpage_last_image(shape: Shape) -> Routes:
    """A changed *last* picture: the update carries the new bytes as an ``images[]`` part (linked after
    the kept pictures, so in place), then the old file is deleted: two writes, no separate upload."""
    writes = {XPAGE_UPDATE: shape.touched, XPAGE_DELETE_FILE: shape.touched}
    return merge(_xpage_whole(shape), writes, _xpage_verify(shape))


# Partner API -----------------------------------------------------------------------------------------

PARTNER_LIST = "GET /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
PARTNER_CREATE = "POST /v2/chains/{chain_id}/catalog"
PARTNER_UPDATE = "PUT /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
PARTNER_JOB = "GET /v2/chains/{chain_id}/catalog/jobs/{job_id}"


def partner_skus(shape: Shape) -> int:
    return shape.products * max(shape.variants, 1)


def partner(phase: str, shape: Shape) -> Routes:
    """Every variant is a SKU. New SKUs go to every vendor in one ``POST .../catalog`` per batch; the
    create has no quantity, so stock is one ``PUT`` per vendor per batch; a price change is one ``PUT``
    per vendor. Every write is a job polled once (it is done by the first poll at the minimum). Pictures
    cannot change after creation (the update takes price, active, quantity and maximum_sales_quantity
    only), so a changed picture costs only the plan's reads. Verification searches touched SKUs one by
    one (``query_term``), per vendor, when that is fewer than the vendor's pages."""
    skus = partner_skus(shape)
    per_vendor = pages(skus, PARTNER_PAGE)
    listing = per_vendor * shape.vendors
    if phase == FIRST_APPLY:
        creates = math.ceil(skus / PARTNER_BATCH)
        quantities = creates * shape.vendors if shape.stock else 0
        return merge(
            {PARTNER_LIST: shape.vendors, PARTNER_CREATE: creates, PARTNER_UPDATE: quantities},
            {PARTNER_JOB: creates + quantities, PARTNER_LIST: listing},
        )
    if phase in (NOOP_PLAN, ONE_IMAGE):
        return {PARTNER_LIST: listing}
    if phase == ONE_CHANGE:
        touched = shape.touched * max(shape.variants, 1)
        verify = min(touched, per_vendor) * shape.vendors
        return merge(
            {PARTNER_LIST: listing + verify, PARTNER_UPDATE: shape.vendors, PARTNER_JOB: shape.vendors}
        )
    raise ValueError(phase)


# AppXite ---------------------------------------------------------------------------------------------

APPXITE_TOKEN = "POST /oauth/token"
APPXITE_LIST = "GET /orders/"
APPXITE_CART = "POST /orders/"
APPXITE_OPERATION = "POST /orders/operation"
APPXITE_ORDER = "GET /orders/{orderId}"


def appxite(phase: str, shape: Shape) -> Routes:
    """One token per command; ``GET /orders/`` once per organization (order-api.md shows no paging);
    per new subscription one cart addition and one ``place_order``; a changed quantity one ``update``
    operation; each then polled until provisioned (once, when provisioning is done by the first poll).
    Verification lists the organizations it touched again. There are no pictures and no prices: the
    one change is a quantity."""
    touched_orgs = min(shape.organizations, shape.touched)
    if phase == FIRST_APPLY:
        n = shape.subscriptions
        return {
            APPXITE_TOKEN: 1,
            APPXITE_LIST: 2 * shape.organizations,
            APPXITE_CART: n,
            APPXITE_OPERATION: n,
            APPXITE_ORDER: n,
        }
    if phase == NOOP_PLAN:
        return {APPXITE_TOKEN: 1, APPXITE_LIST: shape.organizations}
    if phase == ONE_CHANGE:
        return {
            APPXITE_TOKEN: 1,
            APPXITE_LIST: shape.organizations + touched_orgs,
            APPXITE_OPERATION: shape.touched,
            APPXITE_ORDER: shape.touched,
        }
    raise ValueError(phase)


# Emporix ---------------------------------------------------------------------------------------------

EMPORIX_TOKEN = "POST /oauth/token"


def emporix_total(phase: str, shape: Shape) -> int:
    """The total only (the routes are the Emporix section's of benchmarks/README.md): every bulk write
    carries up to 200 items across products (parents, then variants; prices; availabilities; category
    assignments, per category), all products share the one template of their option set, a category is
    one ``PUT``, a picture one ``POST .../assets``, and a fresh tenant gets the one mixin schema
    products' properties need. Reads: one page of 200 per collection a plan must see (products with
    their variants, prices, availabilities when stock is managed, categories, coupons, media assets,
    which hold live pictures to delete even when the recipes have none, and mixin schemas) plus the
    token."""
    v = max(shape.variants, 1)
    items = shape.products * v
    documents = shape.products + (items if shape.variants else 0)
    collections = [documents, items, shape.categories, 0, shape.products * shape.images, 1]
    if shape.stock:
        collections.append(items)
    listing = 1 + sum(pages(n, EMPORIX_PAGE) for n in collections)
    empty = 1 + len(collections)
    if phase == FIRST_APPLY:
        per_category = math.ceil(shape.products / max(shape.categories, 1))
        writes = (
            shape.categories
            + (1 if shape.variants else 0)
            + math.ceil(shape.products / EMPORIX_BULK)
            + (math.ceil(items / EMPORIX_BULK) if shape.variants else 0)
            + math.ceil(items / EMPORIX_BULK)
            + (math.ceil(items / EMPORIX_BULK) if shape.stock else 0)
            + shape.categories * math.ceil(per_category / EMPORIX_BULK)
            + shape.products * shape.images
            + 1  # the mixin schema of products' properties, once per tenant
        )
        return empty + writes + listing - 1
    if phase == NOOP_PLAN:
        return listing
    if phase == ONE_CHANGE:
        return listing + 1 + 1  # one bulk price write, one read of the touched prices to verify
    if phase == ONE_IMAGE:
        return listing + 2 + 1  # the new asset, the old one deleted, one read to verify
    raise ValueError(phase)


MINIMUM = {"xpage": xpage, "partner": partner, "appxite": appxite}


def total(platform: str, phase: str, shape: Shape) -> int:
    if platform == "emporix":
        return emporix_total(phase, shape)
    return sum(MINIMUM[platform](phase, shape).values())
