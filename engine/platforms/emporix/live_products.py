"""Emporix products, with their variants, prices and media, read into the canonical model.

Readings (the mapping is described field by field in docs/platforms/emporix.md):

* A product's key is its ``code``; ``published`` is its status; name and description are read in the
  target's languages.
* A ``PARENT_VARIANT``'s options are its template's variant attributes that it uses, in the template's
  order, named by the attribute's name in the target's first language; their values are the parent's
  ``variantAttributes`` values, in its order. Each ``VARIANT`` child is a variant: its options from
  ``mixins.productVariantAttributes``, its SKU from its ``code`` (no SKU when the code is the one shelf
  gives a variant without SKU: the product key and the option values joined by ``-``). Any other
  product is a product without options whose SKU is in the ``shelf`` mixin.
* A variant's price is its price document's single tier value; with a ``salePrice`` that value is the
  compare price and the price is what remains after the discount (``discountAmount``, or
  ``discountRate`` percent). An item without a price reads as price 0.
* Images are the product's public assets, in the order of their ``shelf`` mixin's ``position`` (other
  assets after them, oldest first); a variant's image is the first image that also points at the
  variant, or the asset that points at the variant alone (its own image). Files are the private assets
  whose ``shelf`` mixin names the product; a variant delivers the file that lists it.
* A variant's stock is the ``stockLevel`` of its product's availability on the target's site (none
  without an availability there); see :mod:`engine.platforms.emporix.stock`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.model import Asset, Product, Variant
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.mixins import MEDIA_ATTRIBUTES, shelf_of
from engine.platforms.emporix.shop import refs_of
from engine.platforms.emporix.stock import stock_of
from engine.platforms.emporix.texts import managed

OWN_MIXIN = "productVariantAttributes"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Family:
    """One product as read: its document, variants, prices (item id -> price) and assets."""

    product: Doc
    children: Sequence[Doc]
    prices: Mapping[str, Doc]
    assets: Sequence[Doc]
    availability: Mapping[str, Doc] = field(default_factory=dict)
    """Member id -> its availability on the target's site."""

    @property
    def id(self) -> str:
        return str(self.product["id"])

    def members(self) -> set[str]:
        return {self.id, *(str(c["id"]) for c in self.children)}


def default_code(key: str, values: Sequence[str]) -> str:
    """The code of a variant without SKU: the product key and its option values."""
    return "-".join([key, *values])


def options_of(product: Mapping[str, Any], language: str) -> list[tuple[str, str, list[str]]]:
    """(attribute key, option name, values) of a parent, from its expanded template."""
    declared = product.get("variantAttributes") or {}
    attributes = (product.get("template") or {}).get("attributes") or []
    result = []
    for attribute in attributes:
        key = attribute.get("key")
        if not (attribute.get("metadata") or {}).get("variantAttribute") or key not in declared:
            continue
        names = attribute.get("name") or {}
        name = (names.get(language) or next(iter(names.values()), None)) if isinstance(names, dict) else None
        values = [str(v.get("key")) for v in declared[key] if isinstance(v, dict)]
        result.append((str(key), str(name or key), values))
    return result


def price_of(price: Mapping[str, Any] | None) -> tuple[Decimal, Decimal | None]:
    """(price, compare price) of a price document."""
    if not price:
        return Decimal("0"), None
    value = Decimal(str(price["tierValues"][0]["priceValue"]))
    sale = price.get("salePrice") or {}
    if sale.get("discountAmount") is not None:
        return value - Decimal(str(sale["discountAmount"])), value
    if sale.get("discountRate"):
        return value * (HUNDRED - Decimal(str(sale["discountRate"]))) / HUNDRED, value
    return value, None


def _position(asset: Mapping[str, Any]) -> tuple[int, int, str]:
    position = shelf_of(asset).get("position")
    created = str((asset.get("metadata") or {}).get("createdAt") or "")
    if isinstance(position, int):
        return (0, position, created)
    return (1, 0, created)


def live_asset(asset: Mapping[str, Any], members: set[str]) -> Asset:
    mixin = shelf_of(asset)
    url = asset.get("url")
    alt = ((asset.get("mixins") or {}).get(MEDIA_ATTRIBUTES) or {}).get("altText")
    ref = mixin.get("ref") or url or str(asset["id"])
    owned = bool(mixin) and refs_of(asset) <= members
    return Asset(
        ref=str(ref),
        url=str(url) if url else None,
        alt=str(alt) if alt else None,
        sha256=str(mixin["sha256"]) if mixin.get("sha256") else None,
        mime_type=(asset.get("details") or {}).get("mimeType"),
        size=(asset.get("details") or {}).get("bytes"),
        live_id=str(asset["id"]),
        owned=owned,
    )


@dataclass(frozen=True)
class _Media:
    images: list[Doc]
    own: list[Doc]
    files: list[Doc]


def _media(family: Family) -> _Media:
    ordered = sorted(family.assets, key=_position)
    files = [a for a in ordered if shelf_of(a).get("role") == "file"]
    own = [a for a in ordered if shelf_of(a).get("role") == "variant_image"]
    images = [a for a in ordered if a.get("access") != "PRIVATE" and a not in files and a not in own]
    return _Media(images, own, files)


def product_from_live(
    family: Family,
    languages: Sequence[str],
    category_key: Callable[[Sequence[str]], str | None],
) -> Product:
    doc = family.product
    key = str(doc.get("code") or doc["id"])
    mixin = shelf_of(doc)
    members = family.members()
    media = _media(family)
    images = tuple(live_asset(a, members) for a in media.images)
    files = tuple(live_asset(a, members) for a in media.files)
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if doc.get("productType") == "PARENT_VARIANT":
        declared = options_of(doc, languages[0])
        options = tuple((name, tuple(values)) for _, name, values in declared)
        variants = tuple(_child(family, child, key, declared, media, members) for child in family.children)
    else:
        price, compare = price_of(family.prices.get(family.id))
        variants = (
            Variant(
                sku=str(mixin["sku"]) if mixin.get("sku") else None,
                price=price,
                compare_price=compare,
                file=_file_of(media.files, family.id),
                live_id=family.id,
                stock=stock_of(family.availability.get(family.id)),
            ),
        )
    properties = mixin.get("properties") or {}
    return Product(
        key=key,
        title=managed(doc.get("name"), languages) or {},
        description=managed(doc.get("description"), languages),
        seo_title=managed(mixin.get("seoTitle"), languages),
        seo_description=managed(mixin.get("seoDescription"), languages),
        category=category_key([str(c) for c in doc.get("categoryIds") or []]),
        status="active" if doc.get("published") else "inactive",
        digital=bool(mixin.get("digital")),
        properties=tuple((str(k), str(v)) for k, v in properties.items())
        if isinstance(properties, dict)
        else (),
        options=options,
        variants=variants,
        images=images,
        files=files,
    )


def _child(
    family: Family,
    child: Doc,
    key: str,
    declared: list[tuple[str, str, list[str]]],
    media: _Media,
    members: set[str],
) -> Variant:
    combination = (child.get("mixins") or {}).get(OWN_MIXIN) or {}
    options = tuple((name, str(combination[k])) for k, name, _ in declared if k in combination)
    child_id = str(child["id"])
    code = str(child.get("code") or "")
    price, compare = price_of(family.prices.get(child_id))
    own = next((a for a in media.own if child_id in refs_of(a)), None)
    shared = next((a for a in media.images if child_id in refs_of(a)), None)
    own_image = live_asset(own, members) if own is not None else None
    image = own_image.ref if own_image else (live_asset(shared, members).ref if shared else None)
    return Variant(
        options=options,
        sku=None if code == default_code(key, [v for _, v in options]) else code or None,
        price=price,
        compare_price=compare,
        image=image,
        own_image=own_image,
        file=_file_of(media.files, child_id),
        live_id=child_id,
        stock=stock_of(family.availability.get(child_id)),
    )


def _file_of(files: Sequence[Doc], member: str) -> str | None:
    for asset in files:
        if member in (shelf_of(asset).get("variants") or []):
            return str(shelf_of(asset).get("ref") or asset["id"])
    return None


def family_version(family: Family) -> str:
    """A digest of the versions of everything the product is made of: it changes with any of them."""
    parts = [
        _stamp(family.product),
        ",".join(sorted(str(c) for c in family.product.get("categoryIds") or [])),
    ]
    parts += sorted(_stamp(c) for c in family.children)
    parts += sorted(_stamp(p) for p in family.prices.values())
    parts += sorted(_stamp(a) for a in family.assets)
    return "sha256:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _stamp(doc: Mapping[str, Any]) -> str:
    metadata = doc.get("metadata") or {}
    return f"{doc.get('id')}@{metadata.get('version')}:{metadata.get('modifiedAt')}"
