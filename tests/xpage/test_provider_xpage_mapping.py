"""xPage payloads <-> the canonical model, without a shop: the pure half of the provider."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.model import Asset, Product, Variant
from engine.platforms.xpage.mapping import (
    creates_items,
    encode,
    metadata_for,
    product_from_live,
    unknown_category_key,
    version_of,
)

LIVE: dict[str, Any] = {
    "id": "p-1",
    "slug": "classic-tee",
    "title": "Classic Tee",
    "description": "",
    "page_title": "Classic Tee | Acme",
    "meta_description": None,
    "is_digital": False,
    "status": "active",
    "category": {"id": "c-1", "name": "T-Shirts"},
    "properties": [{"id": "pr-1", "name": "Material", "value": "Cotton"}],
    "options": [
        {"id": "o-2", "order": 1, "name": "Color", "values": [{"id": "v-3", "order": 0, "value": "Black"}]},
        {
            "id": "o-1",
            "order": 0,
            "name": "Size",
            "values": [{"id": "v-2", "order": 1, "value": "M"}, {"id": "v-1", "order": 0, "value": "S"}],
        },
    ],
    "variants": [
        {
            "id": "var-1",
            "sku": "TEE-S-BLACK",
            "price": Decimal("25.00"),
            "compare_price": None,
            "quantity": 7,
            "values": [{"order": 1, "value": "Black"}, {"order": 0, "value": "S"}],
        },
        {
            "id": "var-2",
            "sku": None,
            "price": 27,
            "compare_price": Decimal("30.5"),
            "quantity": 0,
            "values": [{"order": 0, "value": "M"}, {"order": 1, "value": "Black"}],
        },
    ],
    "images": [
        {
            "id": "f-1",
            "name": "front.jpg",
            "url": "https://x/front.jpg",
            "size": 10,
            "mime_type": "image/jpeg",
        }
    ],
    "default": {"id": "d-1", "price": 0, "quantity": 0},
}


def test_live_product_maps_field_by_field() -> None:
    product = product_from_live(LIVE, "t-shirts")
    assert product.key == "classic-tee"
    assert product.title == {"*": "Classic Tee"}
    assert product.description is None
    assert product.seo_title == {"*": "Classic Tee | Acme"}
    assert product.seo_description is None
    assert product.category == "t-shirts"
    assert product.properties == (("Material", "Cotton"),)
    assert product.options == (("Size", ("S", "M")), ("Color", ("Black",)))
    first, second = product.variants
    assert first.options == (("Size", "S"), ("Color", "Black"))
    assert (first.sku, first.price, first.compare_price, first.stock, first.live_id) == (
        "TEE-S-BLACK",
        Decimal("25.00"),
        None,
        7,
        "var-1",
    )
    assert second.options == (("Size", "M"), ("Color", "Black"))
    assert (second.sku, second.price, second.compare_price) == (None, Decimal("27"), Decimal("30.5"))
    assert product.images == (
        Asset(ref="front.jpg", url="https://x/front.jpg", size=10, mime_type="image/jpeg"),
    )
    assert product.images[0].live_id == "f-1"


def test_simple_product_sells_its_default() -> None:
    raw = {"id": "p", "slug": "gift", "title": "Gift", "status": "inactive", "is_digital": True}
    raw["default"] = {"id": "d", "sku": "GIFT-50", "price": Decimal("50.00"), "quantity": 3}
    product = product_from_live(raw, None)
    assert product.status == "inactive" and product.digital
    assert product.variants == (Variant(sku="GIFT-50", price=Decimal("50"), stock=3),)


def test_a_shop_category_no_recipe_names_shows_by_name() -> None:
    assert unknown_category_key("c-9", "Garden") == "shop:Garden"
    assert unknown_category_key("c-9", "") == "shop:c-9"


def test_version_changes_with_the_raw_product_only() -> None:
    assert version_of(LIVE) == version_of(json.loads(json.dumps(LIVE, default=str)))
    assert version_of(LIVE) != version_of({**LIVE, "title": "Other"})
    assert version_of(LIVE).startswith("sha256:")


def test_money_goes_out_as_numbers_with_two_decimals() -> None:
    text = encode({"price": Decimal("25"), "compare_price": None, "list": [Decimal("0.5")], "t": 'é"'})
    assert text == '{"price":25.00,"compare_price":null,"list":[0.50],"t":"é\\""}'
    assert json.loads(text, parse_float=Decimal)["price"] == Decimal("25.00")


DESIRED = Product(
    key="classic-tee",
    title={"*": "Classic Tee"},
    category="t-shirts",
    properties=(("Material", "Cotton"), ("Fit", "Regular")),
    options=(("Size", ("S", "M", "L")), ("Color", ("Black",))),
    variants=(
        Variant(options=(("Size", "S"), ("Color", "Black")), sku="TEE-S-BLACK", price=Decimal("26"), stock=5),
        Variant(options=(("Size", "L"), ("Color", "Black")), sku="TEE-L-BLACK", price=Decimal("27.5")),
    ),
)


def test_create_metadata_holds_only_documented_fields_without_ids() -> None:
    metadata = metadata_for(DESIRED, category_id="c-1")
    assert set(metadata) == {
        "title",
        "slug",
        "description",
        "page_title",
        "meta_description",
        "status",
        "is_digital",
        "category_id",
        "properties",
        "options",
        "variants",
    }
    assert metadata["options"][0] == {
        "order": 0,
        "name": "Size",
        "values": [{"order": 0, "value": "S"}, {"order": 1, "value": "M"}, {"order": 2, "value": "L"}],
    }
    assert metadata["variants"][1] == {
        "price": Decimal("27.5"),
        "compare_price": None,
        "sku": "TEE-L-BLACK",
        "values": [{"order": 0, "value": "L"}, {"order": 1, "value": "Black"}],
    }
    assert metadata["variants"][0]["quantity"] == 5
    assert creates_items(metadata)


def test_update_metadata_carries_the_live_ids_it_matches() -> None:
    metadata = metadata_for(DESIRED, category_id="c-1", live=LIVE)
    size, color = metadata["options"]
    assert size["id"] == "o-1" and color["id"] == "o-2"
    assert [v.get("id") for v in size["values"]] == [None, None, None]  # values have no id to write
    assert metadata["variants"][0]["id"] == "var-1"
    assert "id" not in metadata["variants"][1]
    assert metadata["properties"] == [  # nor have properties: a shop matches them by name
        {"name": "Material", "value": "Cotton"},
        {"name": "Fit", "value": "Regular"},
    ]
    assert "images" not in metadata
    assert creates_items(metadata)


def test_an_update_that_creates_nothing_is_safe_to_repeat() -> None:
    desired = Product(
        key="classic-tee",
        title={"*": "Classic Tee"},
        properties=(("Material", "Cotton"),),
        options=(("Size", ("S", "M")), ("Color", ("Black",))),
        variants=(Variant(options=(("Size", "S"), ("Color", "Black")), price=Decimal("1")),),
    )
    assert not creates_items(metadata_for(desired, category_id=None, live=LIVE))


def test_simple_product_sends_default_and_drops_live_options() -> None:
    simple = Product(key="classic-tee", title={"*": "T"}, variants=(Variant(sku="X", price=Decimal("3")),))
    metadata = metadata_for(simple, category_id=None, live=LIVE)
    assert metadata["default"] == {"price": Decimal("3"), "compare_price": None, "sku": "X"}
    assert metadata["options"] == [] and metadata["variants"] == []
