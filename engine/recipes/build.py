"""Raw recipe items -> canonical model objects, for one target's ``vars``.

Each builder reads an item through an :class:`ItemScope` (templates rendered, problems collected) and
returns None when the item has a problem, so a broken item never reaches a catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.documents.problems import Problem
from engine.documents.strict_yaml import MDict
from engine.model import Category, Discount, DiscountKind, Item, Product, Promotion, Subscription
from engine.recipes import assets
from engine.recipes.parse import RawItem
from engine.recipes.scope import ItemScope
from engine.recipes.templates import Templates
from engine.recipes.variants import variants


def build_item(
    raw: RawItem, templates: Templates, variables: Mapping[str, Any], problems: list[Problem]
) -> Item | None:
    """The model object for one raw item, or None (its problems appended to ``problems``)."""
    scope = ItemScope(raw, templates, variables, problems)
    item = _BUILDERS[raw.collection](scope)
    return None if scope.failed else item


def _targets(scope: ItemScope) -> tuple[str, ...] | None:
    return scope.raw.targets


def _category(scope: ItemScope) -> Category | None:
    data = scope.data
    name = scope.text("name")
    if name is None:
        return None
    parent = data.get("parent")
    return Category(
        key=str(data["key"]),
        name=name,
        parent=parent if isinstance(parent, str) else None,
        targets=_targets(scope),
        protect=data.get("protect") is True,
        source=data.source,
    )


def _product(scope: ItemScope) -> Product | None:
    data = scope.data
    title = scope.text("title")
    seo = data.get("seo")
    seo = seo if isinstance(seo, MDict) else None
    digital = data.get("digital") is True
    images = assets.images(scope)
    files = assets.files(scope, digital)
    options, built_variants = variants(scope, [a.ref for a in images], [f.ref for f in files])
    category = data.get("category")
    return Product(
        key=str(data["key"]),
        title=title or {},
        description=scope.text("description"),
        seo_title=scope.text("title", seo) if seo is not None else None,
        seo_description=scope.text("description", seo) if seo is not None else None,
        category=category if isinstance(category, str) else None,
        status="inactive" if data.get("status") == "inactive" else "active",
        digital=digital,
        properties=_properties(scope),
        options=options,
        variants=built_variants,
        images=images,
        files=files,
        targets=_targets(scope),
        protect=data.get("protect") is True,
        source=data.source,
        renamed_from=str(data["renamed_from"]) if isinstance(data.get("renamed_from"), str) else None,
    )


def _properties(scope: ItemScope) -> tuple[tuple[str, str], ...]:
    properties = scope.data.get("properties")
    if not isinstance(properties, MDict):
        return ()
    out: list[tuple[str, str]] = []
    for name, value in properties.items():
        if isinstance(value, bool):
            text: str | None = "true" if value else "false"
        elif isinstance(value, str):
            text = scope.render(value, properties.value_sources[name])
        else:
            text = str(value)
        if text is not None:
            out.append((name, text))
    return tuple(out)


def _promotion(scope: ItemScope) -> Promotion | None:
    data = scope.data
    title = scope.text("title")
    discount = _discount(scope)
    starts_at, ends_at = _window(scope)
    products = data.get("products") or []
    categories = data.get("categories") or []
    if title is None or discount is None:
        return None
    return Promotion(
        key=str(data["key"]),
        title=title,
        discount=discount,
        products=tuple(str(p) for p in products),
        categories=tuple(str(c) for c in categories),
        starts_at=starts_at,
        ends_at=ends_at,
        code=scope.string("code"),
        targets=_targets(scope),
        protect=data.get("protect") is True,
        source=data.source,
    )


def _discount(scope: ItemScope) -> Discount | None:
    discount = scope.data.get("discount")
    if not isinstance(discount, MDict) or len(discount) != 1:
        return None
    [(kind, value)] = discount.items()
    where = discount.value_sources[kind]
    amount: Decimal | None
    if kind == "percent":
        amount = Decimal(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else None
    else:
        amount = scope.money(value, where, kind)
    if amount is None:
        return None
    literal: dict[str, DiscountKind] = {"percent": "percent", "amount": "amount", "price": "price"}
    return Discount(kind=literal[kind], value=amount)


def _window(scope: ItemScope) -> tuple[str | None, str | None]:
    """starts_at and ends_at as written, each a real instant, the end after the start."""
    data = scope.data
    moments: dict[str, datetime] = {}
    for name in ("starts_at", "ends_at"):
        value = scope.fields.get(name)
        if not isinstance(value, str):
            continue
        try:
            moments[name] = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            scope.fail(data.value_sources[name], f"'{name}' is not a real date and time, got '{value}'")
    if len(moments) == 2 and moments["ends_at"] <= moments["starts_at"]:
        scope.fail(
            data.value_sources["ends_at"],
            f"'ends_at' must be after 'starts_at' ({data['starts_at']}), got '{data['ends_at']}'",
        )
    starts, ends = scope.fields.get("starts_at"), scope.fields.get("ends_at")
    return (starts if isinstance(starts, str) else None, ends if isinstance(ends, str) else None)


def _subscription(scope: ItemScope) -> Subscription | None:
    data = scope.data
    form_data = data.get("form_data")
    return Subscription(
        key=str(data["key"]),
        organization=str(data["organization"]).lower(),
        offer=str(data["offer"]).lower(),
        form_data=scope.plain(form_data) if isinstance(form_data, MDict) else {},
        state="cancelled" if data.get("state") == "cancelled" else "active",
        targets=_targets(scope),
        protect=data.get("protect") is True,
        source=data.source,
    )


_BUILDERS: dict[str, Callable[[ItemScope], Item | None]] = {
    "categories": _category,
    "products": _product,
    "promotions": _promotion,
    "subscriptions": _subscription,
}
