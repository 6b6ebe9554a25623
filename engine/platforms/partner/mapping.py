"""Canonical products <-> Partner SKU items.

Every sellable SKU is one Partner product: a simple product's SKU, or each enabled variant of a product
with options, titled ``<product title> - <option values>`` (values joined by ", ", so the titles of one
product's variants differ). Texts are locale maps built through the target's ``locales``: a plain recipe
text fills every mapped locale, a per-language text fills the locales of its languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.model import ANY_LANGUAGE, Product, Text, Variant
from engine.platforms.partner.images import image_url

Row = dict[str, Any]


def locale_text(value: Text | None, locales: Mapping[str, str]) -> dict[str, str]:
    """``{language: text}`` -> ``{locale: text}``; languages without a locale are left out."""
    if not value:
        return {}
    out: dict[str, str] = {}
    for language, locale in locales.items():
        text = value.get(language, value.get(ANY_LANGUAGE))
        if text is not None:
            out[locale] = text
    return out


def language_text(value: Mapping[str, Any] | None, locales: Mapping[str, str]) -> Text | None:
    """``{locale: text}`` -> ``{language: text}`` (unknown locales kept as they are)."""
    if not value:
        return None
    by_locale = {locale: language for language, locale in locales.items()}
    return {by_locale.get(str(k), str(k)): str(v) for k, v in value.items()}


def suffix(variant: Variant) -> str:
    return " - " + ", ".join(value for _, value in variant.options) if variant.options else ""


def sku_title(product: Product, variant: Variant, locales: Mapping[str, str]) -> dict[str, str]:
    end = suffix(variant)
    return {locale: text + end for locale, text in locale_text(product.title, locales).items()}


def product_title(row: Row, variant: Variant) -> dict[str, str]:
    """The product's own title from a SKU's title (the option values taken off its end)."""
    end = suffix(variant)
    title = row.get("title") or {}
    return {
        str(k): (str(v)[: -len(end)] if end and str(v).endswith(end) else str(v)) for k, v in title.items()
    }


def create_item(
    product: Product,
    variant: Variant,
    *,
    locales: Mapping[str, str],
    image_base_url: str | None,
    category_id: str | None,
) -> dict[str, Any]:
    """The ``POST .../catalog`` item of one SKU: only the fields the sketch's example shows."""
    item: dict[str, Any] = {"sku": variant.sku, "title": sku_title(product, variant, locales)}
    description = locale_text(product.description, locales)
    if description:
        item["description"] = description
    if variant.barcode:
        item["barcode"] = variant.barcode
    urls = [u for u in (image_url(a, image_base_url) for a in images_of(product, variant)) if u]
    if urls:
        item["images"] = urls
    if category_id:
        item["categories"] = [category_id]
    item["price"] = variant.price
    return item


def images_of(product: Product, variant: Variant) -> list[Any]:
    """A variant's own image first, then the product's images (a SKU is a product of its own there)."""
    own = [variant.own_image] if variant.own_image is not None else []
    chosen = [a for a in product.images if a.ref == variant.image]
    rest = [a for a in product.images if a.ref != variant.image]
    return [*own, *chosen, *rest]


def price_of(row: Row) -> Decimal:
    return Decimal(str(row.get("price", 0)))


def agreed(values: Sequence[Any], wanted: Any) -> Any:
    """One value for what several vendors hold: theirs when they agree, else one that differs from
    ``wanted`` (so the plan shows a change and apply sends it to every vendor that differs)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        return distinct[0]
    return next((v for v in distinct if v != wanted), distinct[0])
