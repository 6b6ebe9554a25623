"""The shop as read: the raw documents of every service shelf manages, and how they are read.

A whole read lists products (with their templates expanded), categories, the target's prices, media
assets and coupons concurrently. A read of known products asks for just those: their documents and
children first, then their prices and assets, in two rounds of filtered lists, whatever the number of
products (ids go ``ID_CHUNK`` to a request, keeping URLs short).

Readings chosen:

* **Prices.** The price shelf manages for an item is its price in the target's currency, country and
  site without customer, validity or price-list restrictions and with one tier value; the one with
  shelf's id for it when there are several. Other prices of the item are left alone.
* **Assets of a product** are the assets whose ``shelf`` mixin names the product, and any other asset
  whose ``refIds`` point at the product or one of its variants.
* **Unpublished objects** are read too (``showUnpublished``, and the ``*_read_unpublished`` scopes), so
  an inactive product or a hidden category is never taken for a missing one.
* **Deleted coupons** are read (``showDeleted=true``) only to know which codes they keep taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.platforms.emporix import ids
from engine.platforms.emporix.api import READ_MAPS, Doc, EmporixApi, all_of, pair
from engine.platforms.emporix.mixins import shelf_of
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.stock import StockReads

ID_CHUNK = 50
PRODUCTS = "products"


@dataclass
class Snapshot:
    """Raw documents by id. ``children``: parent id -> its variants; ``prices``: item id -> the price
    shelf manages; ``coupons``: code -> live coupon; ``pages``: pages each collection took to list."""

    products: dict[str, Doc] = field(default_factory=dict)
    children: dict[str, list[Doc]] = field(default_factory=dict)
    prices: dict[str, Doc] = field(default_factory=dict)
    assets: dict[str, Doc] = field(default_factory=dict)
    categories: dict[str, Doc] = field(default_factory=dict)
    coupons: dict[str, Doc] = field(default_factory=dict)
    deleted_codes: set[str] = field(default_factory=set)
    pages: dict[str, int] = field(default_factory=dict)
    availability: dict[str, Doc] = field(default_factory=dict)
    """Product id -> its availability on the target's site."""

    def family(self, product_id: str) -> list[str]:
        """The product's id and its variants' ids."""
        return [product_id, *(str(c["id"]) for c in self.children.get(product_id, []))]

    def assets_of(self, product_id: str) -> list[Doc]:
        return self.assets_by_product().get(product_id, [])

    def assets_by_product(self) -> dict[str, list[Doc]]:
        """Product id -> its assets (see the module docstring), in one pass over every asset."""
        parent_of = {str(c["id"]): p for p, kids in self.children.items() for c in kids}
        found: dict[str, list[Doc]] = {}
        for asset in self.assets.values():
            owner = shelf_of(asset).get("product")
            owners = {str(owner)} if owner else {parent_of.get(r, r) for r in refs_of(asset)}
            for product_id in owners:
                found.setdefault(product_id, []).append(asset)
        return found

    def replace_products(self, product_ids: Iterable[str], fresh: Snapshot) -> None:
        """Take the given products, with their children, prices and assets, from ``fresh``."""
        for product_id in product_ids:
            for member in self.family(product_id):
                self.prices.pop(member, None)
                self.availability.pop(member, None)
            for asset in self.assets_of(product_id):
                self.assets.pop(str(asset["id"]), None)
            self.products.pop(product_id, None)
            self.children.pop(product_id, None)
        self.products.update(fresh.products)
        self.children.update(fresh.children)
        self.prices.update(fresh.prices)
        self.assets.update(fresh.assets)
        self.availability.update(fresh.availability)


def refs_of(asset: Mapping[str, Any]) -> set[str]:
    return {str(r.get("id")) for r in asset.get("refIds") or [] if r.get("type") == "PRODUCT"}


class Reader:
    """Reads one tenant's shop for one target."""

    def __init__(self, api: EmporixApi, settings: Settings):
        self.api = api
        self.settings = settings
        self.stock = StockReads(api, settings.site)

    async def whole(self) -> Snapshot:
        (products, categories, prices, assets, coupons), stock = await pair(
            all_of(
                    self._products({"expand": "template"}),
                self.categories(),
                self._prices({}),
                self.api.list_all(self.api.path("media", "assets")),
                self.api.list_all(
                    self.api.path("coupon", "coupons"),
                    {"showDeleted": "true"},
                    coupons=True,
                    key=lambda doc: str(doc.get("code")),
                ),
            ),
            self.stock.site_records(),
        )
        snapshot = Snapshot(categories={str(c["id"]): c for c in categories}, availability=stock)
        self._add_products(snapshot, products)
        self._add_prices(snapshot, prices)
        snapshot.assets = {str(a["id"]): a for a in assets}
        for coupon in coupons:
            if coupon.get("deleted"):
                snapshot.deleted_codes.add(str(coupon["code"]))
            else:
                snapshot.coupons[str(coupon["code"])] = coupon
        size = self.api.page_size
        snapshot.pages = {
            PRODUCTS: _pages(len(products), size)
            + _pages(len(prices), size)
            + _pages(len(assets), size)
            + _pages(len(stock), size),
            "categories": _pages(len(categories), size),
            "promotions": _pages(len(coupons), size),
        }
        return snapshot

    async def products(self, product_ids: Sequence[str]) -> Snapshot:
        """Just these products, with their children, prices and assets."""
        snapshot = Snapshot()
        if not product_ids:
            return snapshot
        parents, kids, owned = await all_of(
            self._products({"expand": "template"}, "id", product_ids),
            self._products({}, "parentVariantId", product_ids),
            self._assets("mixins.shelf.product", product_ids),
        )
        self._add_products(snapshot, [*parents, *kids])
        members = [m for p in snapshot.products for m in snapshot.family(p)]
        (prices, referring), stock = await pair(
            all_of(self._prices({}, members), self._assets("refIds.id", members)), self.stock.of(members)
        )
        snapshot.availability = stock
        self._add_prices(snapshot, prices)
        snapshot.assets = {str(a["id"]): a for a in [*owned, *referring]}
        return snapshot

    async def categories(self) -> list[Doc]:
        return await self.api.list_all(
            self.api.path("category", "categories"), {"showUnpublished": "true"}, headers=READ_MAPS
        )

    async def coupon(self, code: str) -> Doc | None:
        found = await self.api.get(self.api.path("coupon", f"coupons/{code}"))
        return found if isinstance(found, dict) else None

    async def _products(
        self, params: Mapping[str, Any], field: str | None = None, values: Sequence[str] = ()
    ) -> list[Doc]:
        path = self.api.path("product", "products")
        if field is None:
            return await self.api.list_all(path, params, headers=READ_MAPS)
        chunks = await all_of(
            *(
                self.api.list_all(path, {**params, "q": in_query(field, chunk)}, headers=READ_MAPS)
                for chunk in _chunks(values)
            )
        )
        return [doc for chunk in chunks for doc in chunk]

    async def _prices(self, params: Mapping[str, Any], items: Sequence[str] | None = None) -> list[Doc]:
        path = self.api.path("price", "prices")
        base = {
            **params,
            "currency": self.settings.currency,
            "country": self.settings.country,
            "siteCode": self.settings.site,
        }
        if items is None:
            return await self.api.list_all(path, base)
        chunks = await all_of(
            *(self.api.list_all(path, {**base, "itemId": ",".join(chunk)}) for chunk in _chunks(items))
        )
        return [doc for chunk in chunks for doc in chunk]

    async def _assets(self, field: str, values: Sequence[str]) -> list[Doc]:
        path = self.api.path("media", "assets")
        chunks = await all_of(
            *(self.api.list_all(path, {"q": in_query(field, chunk)}) for chunk in _chunks(values))
        )
        return [doc for chunk in chunks for doc in chunk]

    def _add_products(self, snapshot: Snapshot, docs: Iterable[Doc]) -> None:
        for doc in docs:
            if doc.get("productType") == "VARIANT" and doc.get("parentVariantId"):
                snapshot.children.setdefault(str(doc["parentVariantId"]), []).append(doc)
            else:
                snapshot.products[str(doc["id"])] = doc

    def _add_prices(self, snapshot: Snapshot, prices: Iterable[Doc]) -> None:
        s = self.settings
        for price in prices:
            if not plain_price(price, s):
                continue
            item = str(price["itemId"]["id"])
            own = ids.price_id(item, s.currency, s.country, s.site)
            if item not in snapshot.prices or str(price.get("id")) == own:
                snapshot.prices[item] = price


def plain_price(price: Mapping[str, Any], settings: Settings) -> bool:
    """Whether ``price`` is one shelf manages: the target's context, no other restriction, one tier."""
    restrictions = price.get("restrictions") or {}
    item = price.get("itemId") or {}
    return (
        item.get("itemType") == "PRODUCT"
        and price.get("currency") == settings.currency
        and (price.get("location") or {}).get("countryCode") == settings.country
        and settings.site in (restrictions.get("siteCodes") or [])
        and not restrictions.get("principals")
        and not restrictions.get("validity")
        and not restrictions.get("priceListId")
        and len(price.get("tierValues") or []) == 1
    )


def in_query(field: str, values: Sequence[str]) -> str:
    """``q`` for a field holding any of ``values``."""
    quoted = ",".join('"' + v.replace('"', "") + '"' for v in values)
    return f"{field}:({quoted})"


def _chunks(values: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(values))
    return [unique[i : i + ID_CHUNK] for i in range(0, len(unique), ID_CHUNK)]


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))
