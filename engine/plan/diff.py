"""Field-level comparison of one desired object with its live counterpart, one comparator per kind.

Each kind is first flattened into ``path -> normalised value`` (see :mod:`engine.plan.normalise`); two
objects differ exactly where their flattened values differ. The same flattening lists every field of an
object that is created (before ``None``) or deleted (after ``None``), so plans show those in full.

Variants are matched by their options (their identity inside the product), never by position or SKU, so
reordering variants is no change and a changed SKU is an update of that variant's ``sku``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.model import Category, Item, Product, Promotion, Subscription, Variant
from engine.plan import normalise as n
from engine.plan.elements import (
    Labelled,
    diff_elements,
    labelled_assets,
    labelled_options,
    listed_elements,
    live_pictures,
)
from engine.plan.model import FieldChange

Fields = dict[str, Any]

VARIANT_FIELDS = ("sku", "price", "compare_price", "stock", "image", "file", "barcode")


def variant_fields(variant: Variant) -> Fields:
    """The compared fields of one variant, by name."""
    return {
        "sku": n.scalar(variant.sku),
        "price": n.money(variant.price),
        "compare_price": n.money(variant.compare_price),
        "stock": n.scalar(variant.stock),
        "image": n.scalar(variant.image),
        "file": n.scalar(variant.file),
        "barcode": n.scalar(variant.barcode),
    }


def variant_value(variant: Variant) -> dict[str, Any]:
    """A whole variant as one value, for a variant that exists on one side only (absent fields left out)."""
    result: dict[str, Any] = {}
    if variant.options:
        result["options"] = {name: value for name, value in variant.options}
    result.update({k: v for k, v in variant_fields(variant).items() if v is not None})
    return result


def _product_head(p: Product) -> Fields:
    fields: Fields = {
        "title": n.text(p.title),
        "description": n.text(p.description),
        "seo.title": n.text(p.seo_title),
        "seo.description": n.text(p.seo_description),
        "category": n.scalar(p.category),
        "status": n.scalar(p.status),
        "digital": n.scalar(p.digital),
    }
    for name, value in n.properties(p.properties).items():
        fields[f"properties.{name}"] = value
    return fields


def _options(p: Product) -> Labelled:
    return labelled_options(n.options(p.options))


def _images(p: Product, other: Product | None = None) -> Labelled:
    return labelled_assets(n.images(p.images), n.images(other.images) if other else ())


def _files(p: Product, other: Product | None = None) -> Labelled:
    return labelled_assets(n.files(p.files), n.files(other.files) if other else ())


def category_fields(c: Category) -> Fields:
    return {"name": n.text(c.name), "parent": n.scalar(c.parent)}


def promotion_fields(p: Promotion) -> Fields:
    return {
        "title": n.text(p.title),
        "discount": n.discount(p.discount),
        "bundle": {"buy": p.bundle.buy, "pay": p.bundle.pay} if p.bundle else None,
        "products": n.unordered(p.products),
        "categories": n.unordered(p.categories),
        "starts_at": n.timestamp(p.starts_at),
        "ends_at": n.timestamp(p.ends_at),
        "code": n.scalar(p.code),
    }


def subscription_fields(s: Subscription) -> Fields:
    """Form data field by field (``form_data.quantityBox1``, nested maps by dotted path), so a changed
    quantity shows as that one field; lists inside it are compared whole."""
    fields: Fields = {
        "organization": n.scalar(s.organization),
        "offer": n.scalar(s.offer),
        "state": n.scalar(s.state),
    }
    fields.update(_flatten("form_data", n.data(s.form_data)))
    return fields


def _flatten(path: str, value: Any) -> Fields:
    if isinstance(value, dict) and value:
        flat: Fields = {}
        for key, inner in value.items():
            flat.update(_flatten(f"{path}.{key}", inner))
        return flat
    return {path: value}


def _compare(desired: Fields, live: Fields) -> list[FieldChange]:
    """Every path whose values differ, in the desired object's field order, then live-only paths."""
    paths = list(desired) + [p for p in live if p not in desired]
    changes = []
    for path in paths:
        before, after = live.get(path), desired.get(path)
        if before != after:
            changes.append(FieldChange(path, before, after))
    return changes


def _variants(desired: tuple[Variant, ...], live: tuple[Variant, ...]) -> list[FieldChange]:
    """Variants matched by options: per-field changes for matched ones, whole values for the rest.

    Desired variants come in recipe order, followed by live variants that the recipe no longer has.
    """
    live_by_options = {v.options: v for v in live}
    desired_options = {v.options for v in desired}
    changes: list[FieldChange] = []
    for want in desired:
        have = live_by_options.get(want.options)
        label = f"variants.{want.label}"
        if have is None:
            changes.append(FieldChange(label, None, variant_value(want)))
            continue
        before, after = variant_fields(have), variant_fields(want)
        for name in VARIANT_FIELDS:
            if before[name] != after[name]:
                changes.append(FieldChange(f"{label}.{name}", before[name], after[name]))
    for have in live:
        if have.options not in desired_options:
            changes.append(FieldChange(f"variants.{have.label}", variant_value(have), None))
    return changes


def diff_product(desired: Product, live: Product) -> list[FieldChange]:
    """Field changes that turn ``live`` into ``desired``, paths as in docs/plans.md."""
    return (
        _compare(_product_head(desired), _product_head(live))
        + diff_elements("options", _options(desired), _options(live), ordered=True)
        + _variants(desired.variants, live.variants)
        + diff_elements("images", _images(desired, live), _images(live, desired), ordered=True)
        + diff_elements("files", _files(desired, live), _files(live, desired), ordered=False)
    )


def product_pictures(desired: Product, live: Product, fields: list[FieldChange]) -> dict[str, str]:
    """The live product's picture URLs by label, when ``fields`` change its images (else empty), so a
    reviewer sees the shop's pictures beside the new ones."""
    if not any(f.path.startswith("images[") or f.path == "images.order" for f in fields):
        return {}
    return live_pictures(live.images, _images(live, desired))


def diff_category(desired: Category, live: Category) -> list[FieldChange]:
    return _compare(category_fields(desired), category_fields(live))


def diff_promotion(desired: Promotion, live: Promotion) -> list[FieldChange]:
    return _compare(promotion_fields(desired), promotion_fields(live))


def diff_subscription(desired: Subscription, live: Subscription) -> list[FieldChange]:
    return _compare(subscription_fields(desired), subscription_fields(live))


def diff_item(desired: Item, live: Item) -> list[FieldChange]:
    """The comparator for the pair's kind; both must be the same kind."""
    if isinstance(desired, Product) and isinstance(live, Product):
        return diff_product(desired, live)
    if isinstance(desired, Category) and isinstance(live, Category):
        return diff_category(desired, live)
    if isinstance(desired, Promotion) and isinstance(live, Promotion):
        return diff_promotion(desired, live)
    if isinstance(desired, Subscription) and isinstance(live, Subscription):
        return diff_subscription(desired, live)
    raise TypeError(f"cannot compare {type(desired).__name__} with {type(live).__name__}")


def _present(value: Any) -> bool:
    """Whether a field is worth listing for an object that appears or disappears as a whole."""
    return value is not None and value is not False and value != [] and value != {}


def _listing(item: Item) -> list[tuple[str, Any]]:
    if isinstance(item, Product):
        pairs = list(_product_head(item).items())
        pairs += listed_elements("options", _options(item))
        pairs += [(f"variants.{v.label}", variant_value(v)) for v in item.variants]
        pairs += listed_elements("images", _images(item))
        pairs += listed_elements("files", _files(item))
        return pairs
    flatten: dict[type, Callable[[Any], Fields]] = {
        Category: category_fields,
        Promotion: promotion_fields,
        Subscription: subscription_fields,
    }
    return list(flatten[type(item)](item).items())


def created_fields(item: Item) -> list[FieldChange]:
    """Every set field of an object about to be created, before ``None``."""
    return [FieldChange(path, None, value) for path, value in _listing(item) if _present(value)]


def deleted_fields(item: Item) -> list[FieldChange]:
    """Every set field of an object about to be deleted, after ``None``: deletions are shown in full."""
    return [FieldChange(path, value, None) for path, value in _listing(item) if _present(value)]
