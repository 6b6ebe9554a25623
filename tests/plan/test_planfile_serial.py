"""Canonical model objects survive JSON exactly, so a saved plan applies what was reviewed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import Source
from engine.model import Asset, Category, Discount, Item, Product, Promotion, Subscription, Variant
from engine.plan.serial import item_from_dict, item_to_dict, kind_of

names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
keys = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
texts = st.dictionaries(st.sampled_from(["*", "en", "de", "ar"]), names, min_size=1, max_size=3)
money = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6)
sources = st.builds(
    Source,
    st.sampled_from(["recipes/a.yaml", "C:\\r\\b.yaml", "x:y.yml"]),
    st.integers(1, 999),
    st.integers(1, 99),
)
targets = st.none() | st.lists(keys, max_size=3).map(tuple)

assets = st.builds(
    Asset,
    ref=names,
    path=st.none() | names,
    url=st.none() | names,
    alt=st.none() | names,
    sha256=st.none() | st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    size=st.none() | st.integers(0, 10**9),
    mime_type=st.none() | st.just("image/jpeg"),
    live_id=st.none() | names,
    source=st.none() | sources,
    resend=st.booleans(),
)

variants = st.builds(
    Variant,
    options=st.lists(st.tuples(names, names), max_size=3).map(tuple),
    sku=st.none() | names,
    price=money,
    compare_price=st.none() | money,
    stock=st.none() | st.integers(-5, 10**6),
    image=st.none() | names,
    own_image=st.none() | assets,
    file=st.none() | names,
    live_id=st.none() | names,
    source=st.none() | sources,
)

categories = st.builds(
    Category,
    key=keys,
    name=texts,
    parent=st.none() | keys,
    targets=targets,
    protect=st.booleans(),
    source=st.none() | sources,
)

products = st.builds(
    Product,
    key=keys,
    title=texts,
    description=st.none() | texts,
    seo_title=st.none() | texts,
    seo_description=st.none() | texts,
    category=st.none() | keys,
    status=st.sampled_from(["active", "inactive"]),
    digital=st.booleans(),
    properties=st.lists(st.tuples(names, names), max_size=3).map(tuple),
    options=st.lists(st.tuples(names, st.lists(names, max_size=3).map(tuple)), max_size=2).map(tuple),
    variants=st.lists(variants, max_size=3).map(tuple),
    images=st.lists(assets, max_size=2).map(tuple),
    files=st.lists(assets, max_size=1).map(tuple),
    targets=targets,
    protect=st.booleans(),
    source=st.none() | sources,
)

promotions = st.builds(
    Promotion,
    key=keys,
    title=texts,
    discount=st.builds(Discount, st.sampled_from(["percent", "amount", "price"]), money),
    products=st.lists(keys, max_size=3).map(tuple),
    categories=st.lists(keys, max_size=3).map(tuple),
    starts_at=st.none() | st.just("2026-11-27T00:00:00Z"),
    ends_at=st.none() | names,
    code=st.none() | names,
    targets=targets,
    protect=st.booleans(),
    source=st.none() | sources,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | names,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)

subscriptions = st.builds(
    Subscription,
    key=keys,
    organization=names,
    offer=names,
    form_data=st.dictionaries(names, json_values, max_size=4),
    targets=targets,
    protect=st.booleans(),
    source=st.none() | sources,
)

items = categories | products | promotions | subscriptions


def _sources(item: Any) -> list[Any]:
    """Every source, live id and resend flag below an item; equality ignores them, the round trip must
    not."""
    found = [getattr(item, "source", None), getattr(item, "live_id", None), getattr(item, "resend", None)]
    for name in ("variants", "images", "files"):
        for child in getattr(item, name, ()):
            found += _sources(child)
    own = getattr(item, "own_image", None)
    if own is not None:
        found += _sources(own)
    return found


@settings(max_examples=150, deadline=None)
@given(items)
def test_round_trip_through_json(item: Item) -> None:
    data = json.loads(json.dumps(item_to_dict(item)))
    back = item_from_dict(kind_of(item), data)
    assert back == item
    assert type(back) is type(item)
    assert _sources(back) == _sources(item)


def test_money_keeps_its_exact_spelling() -> None:
    product = Product(
        "p", {"*": "P"}, variants=(Variant(price=Decimal("25.0"), compare_price=Decimal("30")),)
    )
    data = item_to_dict(product)
    assert data["kind"] == "product"
    assert data["variants"][0]["price"] == "25.0"
    assert data["variants"][0]["compare_price"] == "30"
    assert str(item_from_dict("product", data).variants[0].price) == "25.0"  # type: ignore[union-attr]


def test_decimals_in_form_data_become_json_numbers() -> None:
    sub = Subscription("s", "org", "offer", {"quantity": Decimal("25"), "ratio": Decimal("0.5")})
    assert item_to_dict(sub)["form_data"] == {"quantity": 25, "ratio": 0.5}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("widget", {"key": "x"}),
        ("product", {"kind": "category", "key": "x", "name": {"*": "X"}}),
        ("category", {"key": "x"}),
        ("promotion", {"key": "x", "title": {"*": "X"}, "discount": {"kind": "percent", "value": "abc"}}),
        ("product", {"key": "x", "title": {"*": "X"}, "source": "no-line"}),
    ],
)
def test_malformed_data_is_a_value_error(kind: str, data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        item_from_dict(kind, data)
