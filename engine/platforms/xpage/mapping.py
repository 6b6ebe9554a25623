"""xPage products <-> the canonical model, field by field (docs/platforms/xpage.md is the table).

Readings where the API document is silent:

* A variant's ``values[i]`` is ``{"order": <index of the option in the product's options>, "value"}``.
* A product with options sells its ``variants``; a product without options sells its ``default``.
* Lists sent in an update (``options``, their ``values``, ``variants``, ``properties``) are sent whole.
  Options and variants carry the id of the live item they match, the only items the document gives an
  ``id`` to write; properties (``{name, value}``) and option values (``{order, value}``) carry none, so a
  shop can only match them by name and by text. Whether items left out are deleted is not documented:
  see :mod:`engine.platforms.xpage.removals`. Images, variant images and digital files are added by
  :mod:`engine.platforms.xpage.asset_metadata`.
* Money goes out as a JSON number with exactly two decimals; it comes back parsed as Decimal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Any

from engine.model import ANY_LANGUAGE, Product, Text, Variant
from engine.platforms.xpage.assets import LiveAssets, live_assets

CENTS = Decimal("0.01")
SHOP_CATEGORY_PREFIX = "shop:"

RawProduct = Mapping[str, Any]
OptionValues = tuple[tuple[str, str], ...]


def product_from_live(
    raw: RawProduct,
    category_key: str | None,
    wanted: Product | None = None,
    owned: Callable[[str], bool] = lambda file_id: False,
) -> Product:
    """The canonical product for one live xPage product; ``category_key`` is already resolved.

    Its files are matched against ``wanted`` (the recipe's product, if any) as
    :mod:`engine.platforms.xpage.assets` describes; ``owned(file id)`` says whether no other product
    uses a file.
    """
    options = _live_options(raw)
    names = [name for name, _ in options]
    files = live_assets(raw, wanted, owned)
    if options:
        variants = tuple(_variant_from_live(v, names, files) for v in raw.get("variants") or [])
    elif isinstance(raw.get("default"), Mapping):
        variants = (_variant_from_live(raw["default"], [], files),)
    else:
        variants = ()
    return Product(
        key=str(raw["slug"]),
        title=_text(raw.get("title")) or {ANY_LANGUAGE: ""},
        description=_text(raw.get("description")),
        seo_title=_text(raw.get("page_title")),
        seo_description=_text(raw.get("meta_description")),
        category=category_key,
        status="inactive" if raw.get("status") == "inactive" else "active",
        digital=bool(raw.get("is_digital")),
        properties=tuple(
            (str(p.get("name")), str(p.get("value") if p.get("value") is not None else ""))
            for p in raw.get("properties") or []
        ),
        options=tuple((name, tuple(values)) for name, values in options),
        variants=variants,
        images=files.images,
        files=files.files,
    )


def live_category(raw: RawProduct) -> tuple[str, str] | None:
    """The live product's category as (shop id, name), or None."""
    category = raw.get("category")
    if isinstance(category, Mapping) and category.get("id"):
        return str(category["id"]), str(category.get("name") or "")
    if raw.get("category_id"):
        return str(raw["category_id"]), ""
    return None


def unknown_category_key(shop_id: str, name: str) -> str:
    """How a shop category that no recipe names shows in a diff."""
    return f"{SHOP_CATEGORY_PREFIX}{name or shop_id}"


def version_of(raw: RawProduct) -> str:
    """A content hash of the raw product: a saved plan is stale when it changes."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def metadata_for(
    product: Product, *, category_id: str | None, live: RawProduct | None = None
) -> dict[str, Any]:
    """The full ``metadata`` of a create (``live`` None) or an update (ids taken from ``live``).

    ``product`` is prepared: its texts hold one ``"*"`` text each. Only documented fields are sent.
    """
    metadata: dict[str, Any] = {
        "title": _one(product.title) or "",
        "slug": product.key,
        "description": _one(product.description),
        "page_title": _one(product.seo_title),
        "meta_description": _one(product.seo_description),
        "status": product.status,
        "is_digital": product.digital,
        "category_id": category_id,
        "properties": _properties(product),
    }
    if product.options:
        metadata["options"] = _options(product, live)
        metadata["variants"] = _variants(product, live)
    elif product.variants:
        metadata["default"] = _default(product.variants[0])
        if live is not None and live.get("options"):
            metadata["options"] = []
            metadata["variants"] = []
    return metadata


def variant_ids(raw: RawProduct) -> dict[OptionValues, str]:
    """A live product's variant ids by their option values (``()`` for a simple product's default)."""
    names = [name for name, _ in _live_options(raw)]
    found = {_variant_key(v, names): str(v["id"]) for v in _ordered(raw.get("variants")) if v.get("id")}
    default = raw.get("default")
    if isinstance(default, Mapping) and default.get("id") is not None:
        found[()] = str(default["id"])
    return found


def deactivate_metadata() -> dict[str, Any]:
    return {"status": "inactive"}


def creates_items(metadata: Mapping[str, Any]) -> bool:
    """Whether the metadata holds an option or variant without an id, which the platform creates once per
    request. Properties and option values have no id to write; shelf reads them as matched by name and by
    text (docs/platforms/xpage.md), under which sending them twice changes nothing more than once."""
    return any("id" not in item for key in ("options", "variants") for item in metadata.get(key) or [])


def encode(metadata: Mapping[str, Any]) -> str:
    """JSON text in which every Decimal is a number with exactly two decimals (``25`` -> ``25.00``)."""
    return _encode(metadata)


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(CENTS), "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> Text | None:
    if value is None or value == "":
        return None
    return {ANY_LANGUAGE: str(value)}


def _one(value: Text | None) -> str | None:
    if not value:
        return None
    text = value.get(ANY_LANGUAGE, next(iter(value.values())))
    return text or None


def _ordered(items: Any) -> list[Mapping[str, Any]]:
    """Items by their ``order``, keeping the platform's order among equals."""
    listed = [i for i in items or [] if isinstance(i, (dict, Mapping))]  # dict first: no ABC check
    orders = [_int(item.get("order"), n) for n, item in enumerate(listed)]
    if all(a <= b for a, b in pairwise(orders)):
        return listed  # as the platform sends them: nothing to sort
    ranked = sorted(range(len(listed)), key=lambda n: (orders[n], n))
    return [listed[n] for n in ranked]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _live_options(raw: RawProduct) -> list[tuple[str, list[str]]]:
    return [
        (str(o.get("name")), [str(v.get("value")) for v in _ordered(o.get("values"))])
        for o in _ordered(raw.get("options"))
    ]


def _variant_key(raw_variant: Mapping[str, Any], names: list[str]) -> OptionValues:
    pairs: list[tuple[str, str]] = []
    for position, value in enumerate(_ordered(raw_variant.get("values"))):
        index = _int(value.get("order"), position)
        name = names[index] if 0 <= index < len(names) else str(index)
        pairs.append((name, str(value.get("value"))))
    return tuple(pairs)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _variant_from_live(raw: Mapping[str, Any], names: list[str], files: LiveAssets) -> Variant:
    quantity = raw.get("quantity")
    image, own = files.variant_images.get(str(raw.get("id")), (None, None))
    return Variant(
        options=_variant_key(raw, names) if names else (),
        sku=raw.get("sku") or None,
        price=_money(raw.get("price")) or Decimal("0"),
        compare_price=_money(raw.get("compare_price")),
        stock=int(quantity) if quantity is not None else None,
        image=image,
        own_image=own,
        file=files.variant_files.get(str(raw.get("id"))),
        live_id=str(raw["id"]) if raw.get("id") is not None else None,
    )


def _with_id(item: dict[str, Any], live_item: Mapping[str, Any] | None) -> dict[str, Any]:
    if live_item is not None and live_item.get("id") is not None:
        return {"id": live_item["id"], **item}
    return item


def _properties(product: Product) -> list[dict[str, Any]]:
    return [{"name": name, "value": value} for name, value in product.properties]


def _options(product: Product, live: RawProduct | None) -> list[dict[str, Any]]:
    live_options = {str(o.get("name")): o for o in _ordered((live or {}).get("options"))}
    out = []
    for order, (name, values) in enumerate(product.options):
        sent_values = [{"order": i, "value": value} for i, value in enumerate(values)]
        out.append(_with_id({"order": order, "name": name, "values": sent_values}, live_options.get(name)))
    return out


def _variants(product: Product, live: RawProduct | None) -> list[dict[str, Any]]:
    names = [name for name, _ in _live_options(live or {})]
    live_variants = {_variant_key(v, names): v for v in _ordered((live or {}).get("variants"))}
    index = {name: i for i, (name, _) in enumerate(product.options)}
    out = []
    for variant in product.variants:
        item = _priced(variant)
        item["values"] = [{"order": index[name], "value": value} for name, value in variant.options]
        out.append(_with_id(item, live_variants.get(variant.options)))
    return out


def _default(variant: Variant) -> dict[str, Any]:
    return _priced(variant)


def _priced(variant: Variant) -> dict[str, Any]:
    item: dict[str, Any] = {
        "price": variant.price,
        "compare_price": variant.compare_price,
        "sku": variant.sku,
    }
    if variant.stock is not None:
        item["quantity"] = variant.stock
    return item
