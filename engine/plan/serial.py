"""Canonical model objects as JSON data and back, so a saved plan carries exactly what apply will send.

Unlike the normalisers (which decide equality), this keeps every field as it is: money as its exact
decimal text (``"25.0"`` stays ``"25.0"``), tuples as lists, sources as ``"file:line:col"``, and the
platform ids that equality ignores. ``item_from_dict(kind, item_to_dict(x)) == x`` for every item.

Subscription form data is free JSON; a ``Decimal`` inside it is written as a JSON number (an int when
integral), which is what the platform receives anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import Source
from engine.model import Asset, Category, Discount, Item, Product, Promotion, Subscription, Variant

KINDS: dict[type, str] = {
    Category: "category",
    Product: "product",
    Promotion: "promotion",
    Subscription: "subscription",
}


def kind_of(item: Item) -> str:
    """The address prefix of an item's kind: ``product`` for a :class:`Product`."""
    return KINDS[type(item)]


def _source(value: Source | None) -> str | None:
    return str(value) if value is not None else None


def source_from_text(value: str | None) -> Source | None:
    """Read ``file:line:col``; the file part may itself hold colons (``C:\\recipes\\a.yaml``)."""
    if value is None:
        return None
    file, line, col = value.rsplit(":", 2)
    return Source(file, int(line), int(col))


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _money_from(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _text_from(value: Mapping[str, str] | None) -> dict[str, str] | None:
    return dict(value) if value is not None else None


def _targets_from(value: list[str] | None) -> tuple[str, ...] | None:
    return tuple(value) if value is not None else None


def _json_data(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_data(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    return value


def _asset(a: Asset) -> dict[str, Any]:
    return {
        "ref": a.ref,
        "path": a.path,
        "url": a.url,
        "alt": a.alt,
        "sha256": a.sha256,
        "size": a.size,
        "mime_type": a.mime_type,
        "live_id": a.live_id,
        "source": _source(a.source),
        "resend": a.resend,
    }


def _asset_from(d: Mapping[str, Any]) -> Asset:
    return Asset(
        ref=d["ref"],
        path=d.get("path"),
        url=d.get("url"),
        alt=d.get("alt"),
        sha256=d.get("sha256"),
        size=d.get("size"),
        mime_type=d.get("mime_type"),
        live_id=d.get("live_id"),
        source=source_from_text(d.get("source")),
        resend=bool(d.get("resend", False)),
    )


def _variant(v: Variant) -> dict[str, Any]:
    return {
        "options": [[name, value] for name, value in v.options],
        "sku": v.sku,
        "price": str(v.price),
        "compare_price": _money(v.compare_price),
        "stock": v.stock,
        "image": v.image,
        "own_image": _asset(v.own_image) if v.own_image is not None else None,
        "file": v.file,
        "live_id": v.live_id,
        "source": _source(v.source),
    }


def _variant_from(d: Mapping[str, Any]) -> Variant:
    own = d.get("own_image")
    return Variant(
        options=tuple((name, value) for name, value in d.get("options", [])),
        sku=d.get("sku"),
        price=Decimal(d["price"]),
        compare_price=_money_from(d.get("compare_price")),
        stock=d.get("stock"),
        image=d.get("image"),
        own_image=_asset_from(own) if own is not None else None,
        file=d.get("file"),
        live_id=d.get("live_id"),
        source=source_from_text(d.get("source")),
    )


def _common(item: Item) -> dict[str, Any]:
    return {
        "targets": list(item.targets) if item.targets is not None else None,
        "protect": item.protect,
        "source": _source(item.source),
    }


def _common_from(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "targets": _targets_from(d.get("targets")),
        "protect": bool(d.get("protect", False)),
        "source": source_from_text(d.get("source")),
    }


def _category(c: Category) -> dict[str, Any]:
    return {"key": c.key, "name": dict(c.name), "parent": c.parent}


def _category_from(d: Mapping[str, Any]) -> Category:
    return Category(key=d["key"], name=dict(d["name"]), parent=d.get("parent"), **_common_from(d))


def _product(p: Product) -> dict[str, Any]:
    return {
        "key": p.key,
        "title": dict(p.title),
        "description": _text_from(p.description),
        "seo_title": _text_from(p.seo_title),
        "seo_description": _text_from(p.seo_description),
        "category": p.category,
        "status": p.status,
        "digital": p.digital,
        "properties": [[name, value] for name, value in p.properties],
        "options": [[name, list(values)] for name, values in p.options],
        "variants": [_variant(v) for v in p.variants],
        "images": [_asset(a) for a in p.images],
        "files": [_asset(a) for a in p.files],
    }


def _product_from(d: Mapping[str, Any]) -> Product:
    return Product(
        key=d["key"],
        title=dict(d["title"]),
        description=_text_from(d.get("description")),
        seo_title=_text_from(d.get("seo_title")),
        seo_description=_text_from(d.get("seo_description")),
        category=d.get("category"),
        status=d.get("status", "active"),
        digital=bool(d.get("digital", False)),
        properties=tuple((name, value) for name, value in d.get("properties", [])),
        options=tuple((name, tuple(values)) for name, values in d.get("options", [])),
        variants=tuple(_variant_from(v) for v in d.get("variants", [])),
        images=tuple(_asset_from(a) for a in d.get("images", [])),
        files=tuple(_asset_from(a) for a in d.get("files", [])),
        **_common_from(d),
    )


def _promotion(p: Promotion) -> dict[str, Any]:
    return {
        "key": p.key,
        "title": dict(p.title),
        "discount": {"kind": p.discount.kind, "value": str(p.discount.value)},
        "products": list(p.products),
        "categories": list(p.categories),
        "starts_at": p.starts_at,
        "ends_at": p.ends_at,
        "code": p.code,
    }


def _promotion_from(d: Mapping[str, Any]) -> Promotion:
    return Promotion(
        key=d["key"],
        title=dict(d["title"]),
        discount=Discount(kind=d["discount"]["kind"], value=Decimal(d["discount"]["value"])),
        products=tuple(d.get("products", [])),
        categories=tuple(d.get("categories", [])),
        starts_at=d.get("starts_at"),
        ends_at=d.get("ends_at"),
        code=d.get("code"),
        **_common_from(d),
    )


def _subscription(s: Subscription) -> dict[str, Any]:
    return {
        "key": s.key,
        "organization": s.organization,
        "offer": s.offer,
        "form_data": _json_data(s.form_data),
        "state": s.state,
    }


def _subscription_from(d: Mapping[str, Any]) -> Subscription:
    return Subscription(
        key=d["key"],
        organization=d["organization"],
        offer=d["offer"],
        form_data=dict(d.get("form_data", {})),
        state="cancelled" if d.get("state") == "cancelled" else "active",
        **_common_from(d),
    )


_READERS: dict[str, Any] = {
    "category": _category_from,
    "product": _product_from,
    "promotion": _promotion_from,
    "subscription": _subscription_from,
}


def item_to_dict(item: Item) -> dict[str, Any]:
    """An item as JSON data, starting with its ``kind``."""
    if isinstance(item, Category):
        body = _category(item)
    elif isinstance(item, Product):
        body = _product(item)
    elif isinstance(item, Promotion):
        body = _promotion(item)
    else:
        body = _subscription(item)
    return {"kind": kind_of(item), **body, **_common(item)}


def item_from_dict(kind: str, data: Mapping[str, Any]) -> Item:
    """The item ``data`` describes. Raises ``ValueError`` when it is not a well-formed item of ``kind``."""
    if kind not in _READERS:
        raise ValueError(f"unknown kind of item: {kind!r}")
    if data.get("kind", kind) != kind:
        raise ValueError(f"expected a {kind}, found a {data.get('kind')}")
    try:
        item: Item = _READERS[kind](data)
    except (KeyError, TypeError, ArithmeticError, AttributeError) as e:
        raise ValueError(f"malformed {kind}: {e!r}") from None
    return item
