"""A desired product as the Emporix documents that hold it: the product, its template, its variants'
products, their prices and the placement of its media.

Every builder starts from the live document when there is one and changes only what shelf manages, so
fields set by others (tax classes, related items, other mixins, other languages) are sent back as they
are. Each builder has a projection that compares what shelf manages, so only documents that differ
are written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.model import Asset, Product, Variant
from engine.platforms.emporix import ids
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.live_products import OWN_MIXIN, default_code, options_of, price_of
from engine.platforms.emporix.mixins import (
    MEDIA_ATTRIBUTES,
    MEDIA_ATTRIBUTES_SCHEMA,
    SHELF,
    shelf_of,
    with_mixin,
)
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.texts import written

PARENT = "PARENT_VARIANT"
BASIC = "BASIC"
PRODUCT_READ_ONLY = ("yrn", "media", "categoryIds", "customerSegmentIds", "brand", "labels", "parentVariant")
METADATA_READ_ONLY = ("createdAt", "modifiedAt", "schema")


def kind_of(product: Product) -> str:
    return PARENT if product.options else BASIC


@dataclass(frozen=True)
class Layout:
    """The ids a desired product's parts get: its own, its variants' (by options) and its template's
    attribute keys (by option name)."""

    product_id: str
    variant_ids: Mapping[tuple[tuple[str, str], ...], str]
    attribute_keys: Mapping[str, str]

    def variant_id(self, variant: Variant) -> str:
        return self.variant_ids.get(variant.options, self.product_id)

    def item_ids(self, product: Product) -> list[tuple[Variant, str]]:
        """Each variant with the id of the product document its price belongs to."""
        return [(v, self.variant_id(v) if product.options else self.product_id) for v in product.variants]


def layout(
    product: Product, live: Doc | None, children: Sequence[Doc], language: str, product_id: str | None = None
) -> Layout:
    """Ids from the live product where it has them (so adopted products keep theirs), else shelf's;
    ``product_id`` keeps the id of a product that is written again under another type."""
    product_id = product_id or (str(live["id"]) if live else ids.product_id(product.key))
    keys: dict[str, str] = {}
    if live is not None and live.get("productType") == PARENT:
        keys = {name: key for key, name, _ in options_of(live, language)}
    fresh = iter(ids.attribute_keys([name for name, _ in product.options]))
    for name, _ in product.options:
        generated = next(fresh)
        if name not in keys:
            while generated in keys.values():
                generated += "x"
            keys[name] = generated
    by_options: dict[tuple[tuple[str, str], ...], str] = {}
    for child in children:
        combination = (child.get("mixins") or {}).get(OWN_MIXIN) or {}
        options = tuple((name, str(combination[key])) for name, key in keys.items() if key in combination)
        by_options[options] = str(child["id"])
    variant_ids = {
        v.options: by_options.get(v.options) or ids.variant_id(product.key, v.options)
        for v in product.variants
        if v.options
    }
    return Layout(product_id, variant_ids, keys)


def template_doc(product: Product, keys: Mapping[str, str], settings: Settings) -> Doc:
    """The template of the product's option set: one TEXT variant attribute per option, its values in
    order; named after the options, since products that have the same ones share it."""
    title = ", ".join(name for name, _ in product.options)
    return {
        "name": {lang: title for lang in settings.languages},
        "attributes": [
            {
                "key": keys[name],
                "name": {lang: name for lang in settings.languages},
                "type": "TEXT",
                "metadata": {"mandatory": False, "variantAttribute": True},
                "values": [{"key": value} for value in values],
            }
            for name, values in product.options
        ],
    }


def template_projection(doc: Mapping[str, Any] | None) -> Any:
    if not doc:
        return None
    return [
        (
            a.get("key"),
            dict(a.get("name") or {}),
            a.get("type"),
            bool((a.get("metadata") or {}).get("variantAttribute")),
            [str(v.get("key")) for v in a.get("values") or []],
        )
        for a in doc.get("attributes") or []
    ]


def product_doc(
    product: Product,
    at: Layout,
    live: Doc | None,
    settings: Settings,
    template: tuple[str, int] | None,
    mixin_url: str,
) -> Doc:
    """The product document: ``live`` with shelf's fields replaced (``template``: id and version;
    ``mixin_url``: the hosted schema of shelf's mixin)."""
    doc = _sendable(live)
    doc["id"] = at.product_id
    doc["code"] = product.key
    doc["productType"] = kind_of(product)
    doc["published"] = product.status == "active"
    doc["name"] = written(product.title, (live or {}).get("name"), settings.languages)
    description = written(product.description, (live or {}).get("description"), settings.languages)
    if description:
        doc["description"] = description
    else:
        doc.pop("description", None)
    if template is not None:
        doc["template"] = {"id": template[0], "version": template[1]}
        doc["variantAttributes"] = {
            at.attribute_keys[name]: [{"key": value} for value in values] for name, values in product.options
        }
    else:
        doc.pop("template", None)
        doc.pop("variantAttributes", None)
    with_mixin(doc, SHELF, _product_mixin(product, live, settings), mixin_url)
    return doc


def _product_mixin(product: Product, live: Doc | None, settings: Settings) -> dict[str, Any]:
    old = shelf_of(live)
    mixin: dict[str, Any] = {}
    sku = product.variants[0].sku if not product.options and product.variants else None
    if sku:
        mixin["sku"] = sku
    for name, value in (("seoTitle", product.seo_title), ("seoDescription", product.seo_description)):
        text = written(value, old.get(name), settings.languages)
        if text:
            mixin[name] = text
    if product.properties:
        mixin["properties"] = {name: value for name, value in product.properties}
    if product.digital:
        mixin["digital"] = True
    return mixin


def product_projection(doc: Mapping[str, Any] | None) -> Any:
    if not doc:
        return None
    template = doc.get("template") or {}
    return {
        "code": doc.get("code"),
        "productType": doc.get("productType"),
        "published": bool(doc.get("published")),
        "name": dict(doc.get("name") or {}),
        "description": dict(doc.get("description") or {}),
        "template": (template.get("id"), str(template.get("version"))) if template else None,
        "variantAttributes": {
            k: [str(v.get("key")) for v in values]
            for k, values in (doc.get("variantAttributes") or {}).items()
        },
        "shelf": shelf_of(doc),
    }


def child_doc(product: Product, variant: Variant, at: Layout, name: Mapping[str, str]) -> Doc:
    """A variant's own product: its code (the SKU) and its combination; the rest it inherits."""
    return {
        "id": at.variant_id(variant),
        "code": variant.sku or default_code(product.key, [value for _, value in variant.options]),
        "name": dict(name),
        "productType": "VARIANT",
        "parentVariantId": at.product_id,
        "mixins": {OWN_MIXIN: {at.attribute_keys[option]: value for option, value in variant.options}},
    }


def price_values(variant: Variant) -> tuple[Decimal, Decimal | None]:
    """(tier value, discount amount): with a compare price, the tier value is the compare price and the
    discount brings it down to the price."""
    if variant.compare_price is not None:
        return variant.compare_price, variant.compare_price - variant.price
    return variant.price, None


def price_doc(item_id: str, variant: Variant, live: Doc | None, settings: Settings) -> Doc:
    value, discount = price_values(variant)
    if live is None:
        doc: Doc = {
            "id": ids.price_id(item_id, settings.currency, settings.country, settings.site),
            "itemId": {"itemType": "PRODUCT", "id": item_id},
            "currency": settings.currency,
            "location": {"countryCode": settings.country},
            "restrictions": {"siteCodes": [settings.site]},
            "tierValues": [{"priceValue": value}],
        }
    else:
        doc = {k: copy.deepcopy(v) for k, v in live.items() if k not in ("vendorId", "priceModel")}
        doc["metadata"] = {
            k: v for k, v in (live.get("metadata") or {}).items() if k not in METADATA_READ_ONLY
        }
        doc["tierValues"] = [{"id": live["tierValues"][0].get("id"), "priceValue": value}]
        if not doc["tierValues"][0]["id"]:
            del doc["tierValues"][0]["id"]
    if discount is not None:
        doc["salePrice"] = {"discountAmount": discount}
    else:
        doc.pop("salePrice", None)
    return doc


def price_matches(variant: Variant, live: Doc | None) -> bool:
    if live is None:
        return False
    return price_of(live) == (variant.price, variant.compare_price) and _discount_kind_ok(variant, live)


def _discount_kind_ok(variant: Variant, live: Doc) -> bool:
    """A live discount given as a rate is rewritten as an amount, the form shelf keeps."""
    sale = live.get("salePrice") or {}
    return variant.compare_price is None or sale.get("discountAmount") is not None


@dataclass(frozen=True)
class Placement:
    """Where one desired image or file sits: its role, position, the product ids its ``refIds`` name
    (images) and the variants that deliver it (files)."""

    asset: Asset
    role: str
    position: int
    refs: tuple[str, ...] = ()
    deliverers: tuple[str, ...] = ()

    @property
    def private(self) -> bool:
        return self.role == "file"

    def content(self) -> str:
        return self.asset.sha256 or self.asset.url or self.asset.ref


def placements(product: Product, at: Layout) -> list[Placement]:
    found: list[Placement] = []
    shared = [v for v in product.variants if v.own_image is None and v.image]
    for position, image in enumerate(product.images):
        users = tuple(at.variant_id(v) for v in shared if v.image == image.ref and v.options)
        found.append(Placement(image, "image", position, (at.product_id, *users)))
    own: dict[str, tuple[Asset, list[str]]] = {}
    for variant in product.variants:
        if variant.own_image is not None:
            own.setdefault(variant.own_image.ref, (variant.own_image, []))[1].append(at.variant_id(variant))
    for position, (image, showing) in enumerate(own.values()):
        found.append(Placement(image, "variant_image", position, tuple(showing)))
    items = at.item_ids(product)
    for position, file in enumerate(product.files):
        deliverers = tuple(item for v, item in items if v.file == file.ref)
        found.append(Placement(file, "file", position, (), deliverers))
    return found


def asset_id_of(placement: Placement, at: Layout) -> str:
    return placement.asset.live_id or ids.asset_id(at.product_id, placement.asset.ref, placement.content())


@dataclass(frozen=True)
class Members:
    """A product's document ids: those that exist now, and every one that is or was the product's (its
    variants removed in this apply included)."""

    existing: frozenset[str]
    family: frozenset[str]

    @classmethod
    def of(cls, existing: Iterable[str], former: Iterable[str] = ()) -> Members:
        now = frozenset(existing)
        return cls(now, now | frozenset(former))


def asset_doc(
    placement: Placement, at: Layout, live: Doc | None, members: Members | None = None, mixin_url: str = ""
) -> Doc:
    """The asset's JSON body: ``live`` (when there is one) with shelf's placement. Its references to the
    product are those of the placement that exist now (an upload can come before its product's new
    variants). An asset shelf uploaded for the product points at nothing else; another asset keeps its
    references to other products."""
    asset = placement.asset
    doc = {k: copy.deepcopy(v) for k, v in (live or {}).items() if k not in ("vendorId",)}
    if live is not None:
        doc["metadata"] = {
            k: v for k, v in (live.get("metadata") or {}).items() if k not in METADATA_READ_ONLY
        }
        if live.get("type") == "BLOB":
            doc.pop("url", None)
            doc.pop("details", None)
    else:
        doc["id"] = asset_id_of(placement, at)
        doc["type"] = "LINK" if asset.path is None and asset.url else "BLOB"
        doc["access"] = "PRIVATE" if placement.private else "PUBLIC"
        if doc["type"] == "LINK":
            doc["url"] = asset.url
    refs = [r for r in placement.refs if members is None or r in members.existing]
    family = (members.family if members else frozenset()) | {at.product_id}
    ours = shelf_of(live).get("product") == at.product_id
    others = [
        r
        for r in (live or {}).get("refIds") or []
        if r.get("type") != "PRODUCT" or not (ours or str(r.get("id")) in family)
    ]
    doc["refIds"] = others + [{"type": "PRODUCT", "id": r} for r in refs]
    if not doc["refIds"]:
        doc.pop("refIds")
    mixin: dict[str, Any] = {
        "product": at.product_id,
        "ref": asset.ref,
        "position": placement.position,
        "role": placement.role,
    }
    if asset.sha256:
        mixin["sha256"] = asset.sha256
    if placement.private:
        mixin["variants"] = list(placement.deliverers)
    with_mixin(doc, SHELF, mixin, mixin_url or _schema_of(live))
    alt = {"altText": asset.alt} if asset.alt else None
    with_mixin(doc, MEDIA_ATTRIBUTES, alt, MEDIA_ATTRIBUTES_SCHEMA)
    return doc


def asset_projection(doc: Mapping[str, Any] | None) -> Any:
    if not doc:
        return None
    return (
        sorted((str(r.get("type")), str(r.get("id"))) for r in doc.get("refIds") or []),
        shelf_of(doc),
        ((doc.get("mixins") or {}).get(MEDIA_ATTRIBUTES) or {}).get("altText"),
    )


def _sendable(live: Doc | None) -> Doc:
    """A product read, as a write may send it back: without read-only fields and expansions."""
    if live is None:
        return {}
    doc = {k: copy.deepcopy(v) for k, v in live.items() if k not in PRODUCT_READ_ONLY}
    metadata = {k: v for k, v in (live.get("metadata") or {}).items() if k not in METADATA_READ_ONLY}
    if metadata:
        doc["metadata"] = metadata
    else:
        doc.pop("metadata", None)
    return doc


def _schema_of(live: Doc | None) -> str:
    """The schema URL ``live`` gives shelf's mixin: what a document built only to be compared keeps."""
    return str((((live or {}).get("metadata") or {}).get("mixins") or {}).get(SHELF) or "")
