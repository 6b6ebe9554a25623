"""Field-level diffs, one comparator per kind of object."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.model import Asset, Category, Discount, Product, Promotion, Subscription, Variant
from engine.plan.diff import (
    created_fields,
    deleted_fields,
    diff_category,
    diff_item,
    diff_product,
    diff_promotion,
    diff_subscription,
)
from engine.plan.model import FieldChange


def tee(**changes: object) -> Product:
    base = Product(
        key="classic-tee",
        title={"*": "Classic Tee"},
        description={"*": "Heavyweight cotton."},
        seo_title={"*": "Classic Tee | Acme"},
        category="t-shirts",
        properties=(("Material", "Cotton"),),
        options=(("Size", ("S", "L")), ("Color", ("Black",))),
        variants=(
            Variant((("Size", "S"), ("Color", "Black")), sku="TEE-S-BLACK", price=Decimal("25"), stock=100),
            Variant((("Size", "L"), ("Color", "Black")), sku="TEE-L-BLACK", price=Decimal("25"), stock=100),
        ),
        images=(Asset(ref="images/front.jpg", sha256="aa", size=100),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_equal_products_have_no_diff_whatever_the_spelling() -> None:
    live = tee(
        title={"*": "Classic Tee"},
        properties=(("Material", "Cotton"),),
        variants=(
            Variant(
                (("Size", "L"), ("Color", "Black")), sku="TEE-L-BLACK", price=Decimal("25.00"), stock=100
            ),
            Variant((("Size", "S"), ("Color", "Black")), sku="TEE-S-BLACK", price=Decimal("25.0"), stock=100),
        ),
        source=None,
    )
    assert diff_product(tee(), live) == []


def test_text_fields() -> None:
    live = tee(title={"*": "Tee"}, description=None, seo_title={"*": "Classic Tee | Acme"})
    desired = tee(seo_description={"en": "Best", "de": "Beste"})
    assert diff_product(desired, live) == [
        FieldChange("title", "Tee", "Classic Tee"),
        FieldChange("description", None, "Heavyweight cotton."),
        FieldChange("seo.description", None, {"de": "Beste", "en": "Best"}),
    ]


def test_scalar_fields() -> None:
    live = tee(category="shirts", status="inactive", digital=True)
    assert diff_product(tee(), live) == [
        FieldChange("category", "shirts", "t-shirts"),
        FieldChange("status", "inactive", "active"),
        FieldChange("digital", True, False),
    ]


def test_properties_added_removed_changed_one_path_each() -> None:
    live = tee(properties=(("Material", "Linen"), ("Origin", "PT")))
    desired = tee(properties=(("Fit", "Regular"), ("Material", "Cotton")))
    assert diff_product(desired, live) == [
        FieldChange("properties.Fit", None, "Regular"),
        FieldChange("properties.Material", "Linen", "Cotton"),
        FieldChange("properties.Origin", "PT", None),
    ]


def test_properties_order_is_no_change() -> None:
    desired = tee(properties=(("A", "1"), ("B", "2")))
    assert diff_product(desired, tee(properties=(("B", "2"), ("A", "1")))) == []


def test_options_are_compared_option_by_option_and_value_by_value() -> None:
    live = tee(options=(("Size", ("L", "S")), ("Color", ("Black",))))
    assert diff_product(tee(), live) == [FieldChange("options[Size].order", ["L", "S"], ["S", "L"])]
    live = tee(options=(("Size", ("S", "M", "L")), ("Fit", ("Slim",))))
    assert diff_product(tee(), live) == [
        FieldChange("options[Size][M]", "M", None),
        FieldChange("options[Color]", None, ["Black"]),
        FieldChange("options[Fit]", ["Slim"], None),
    ]
    swapped = tee(options=(("Color", ("Black",)), ("Size", ("S", "L"))))
    order = FieldChange("options.order", ["Color", "Size"], ["Size", "Color"])
    assert diff_product(tee(), swapped) == [order]


def test_variant_fields_are_matched_by_options_and_labelled_by_sku() -> None:
    s_black, l_black = tee().variants
    live = tee(variants=(s_black, replace(l_black, price=Decimal("27"), stock=3, sku="OLD-L")))
    desired = tee(variants=(s_black, replace(l_black, compare_price=Decimal("30"), image="images/front.jpg")))
    assert diff_product(desired, live) == [
        FieldChange("variants.TEE-L-BLACK.sku", "OLD-L", "TEE-L-BLACK"),
        FieldChange("variants.TEE-L-BLACK.price", "27.00", "25.00"),
        FieldChange("variants.TEE-L-BLACK.compare_price", None, "30.00"),
        FieldChange("variants.TEE-L-BLACK.stock", 3, 100),
        FieldChange("variants.TEE-L-BLACK.image", None, "images/front.jpg"),
    ]


def test_variants_on_one_side_only_are_whole_values() -> None:
    s_black, l_black = tee().variants
    m_black = Variant((("Size", "M"), ("Color", "Black")), price=Decimal("26"))
    live = tee(variants=(s_black, l_black))
    desired = tee(variants=(s_black, m_black))
    assert diff_product(desired, live) == [
        FieldChange(
            "variants.Size=M,Color=Black",
            None,
            {"options": {"Size": "M", "Color": "Black"}, "price": "26.00"},
        ),
        FieldChange(
            "variants.TEE-L-BLACK",
            {
                "options": {"Size": "L", "Color": "Black"},
                "sku": "TEE-L-BLACK",
                "price": "25.00",
                "stock": 100,
            },
            None,
        ),
    ]


def test_variant_order_is_no_change() -> None:
    s_black, l_black = tee().variants
    assert diff_product(tee(), tee(variants=(l_black, s_black))) == []


def test_simple_product_variant_is_labelled_by_sku_or_default() -> None:
    desired = Product(key="gift", title={"*": "Gift"}, variants=(Variant(price=Decimal("50")),))
    live = replace(desired, variants=(Variant(price=Decimal("40")),))
    assert diff_product(desired, live) == [FieldChange("variants.default.price", "40.00", "50.00")]


def test_images_are_compared_image_by_image_by_file_name() -> None:
    front = Asset(ref="images/front.jpg", sha256="aa", alt="Front")
    back = Asset(ref="images/back.jpg", sha256="bb", alt="Back view")
    assert diff_product(tee(images=(front, back)), tee(images=(back, front))) == [
        FieldChange("images.order", ["back.jpg", "front.jpg"], ["front.jpg", "back.jpg"])
    ]
    described = replace(front, alt="Front view")
    assert diff_product(tee(images=(described, back)), tee(images=(front, back))) == [
        FieldChange("images[front.jpg].alt", "Front", "Front view")
    ]
    assert diff_product(tee(images=(front, back)), tee(images=(front,))) == [
        FieldChange("images[back.jpg]", None, {"ref": "images/back.jpg", "alt": "Back view", "sha256": "bb"})
    ]
    assert diff_product(tee(images=(front,)), tee(images=(front, back))) == [
        FieldChange("images[back.jpg]", {"ref": "images/back.jpg", "alt": "Back view", "sha256": "bb"}, None)
    ]
    changed = replace(front, sha256="cc")
    assert diff_product(tee(images=(changed,)), tee(images=(front,))) == [
        FieldChange("images[front.jpg].sha256", "aa", "cc")
    ]


def test_a_new_first_image_is_an_order_change_too() -> None:
    front = Asset(ref="front.jpg", sha256="aa")
    back = Asset(ref="back.jpg", sha256="bb")
    assert diff_product(tee(images=(back, front)), tee(images=(front,))) == [
        FieldChange("images[back.jpg]", None, {"ref": "back.jpg", "sha256": "bb"}),
        FieldChange("images.order", ["front.jpg"], ["back.jpg", "front.jpg"]),
    ]


def test_images_sharing_a_file_name_are_told_apart_by_their_path() -> None:
    one = Asset(ref="a/front.jpg", sha256="aa")
    two = Asset(ref="b/front.jpg", sha256="bb")
    assert diff_product(tee(images=(one, two)), tee(images=(one,))) == [
        FieldChange("images[b/front.jpg]", None, {"ref": "b/front.jpg", "sha256": "bb"})
    ]


def test_source_and_live_ids_never_make_a_difference() -> None:
    from engine.errors import Source

    live = tee(source=Source("a.yaml", 1, 1), images=(replace(tee().images[0], live_id="9"),))
    assert diff_product(tee(source=Source("b.yaml", 2, 2)), live) == []


def test_category() -> None:
    desired = Category("t-shirts", {"en": "T-Shirts", "de": "T-Shirts"}, parent="apparel")
    assert diff_category(desired, replace(desired)) == []
    live = Category("t-shirts", {"*": "Tees"})
    assert diff_category(desired, live) == [
        FieldChange("name", "Tees", {"de": "T-Shirts", "en": "T-Shirts"}),
        FieldChange("parent", None, "apparel"),
    ]


def test_promotion() -> None:
    desired = Promotion(
        "black-friday",
        {"*": "Black Friday"},
        Discount("percent", Decimal("20")),
        products=("classic-tee", "gift-card"),
        starts_at="2026-11-27T00:00:00Z",
        ends_at="2026-11-30T23:59:59Z",
        code="BLACKFRIDAY",
    )
    same = replace(
        desired,
        discount=Discount("percent", Decimal("20.00")),
        products=("gift-card", "classic-tee"),
        starts_at="2026-11-27T00:00:00+00:00",
    )
    assert diff_promotion(desired, same) == []
    live = replace(
        desired,
        title={"*": "BF"},
        discount=Discount("amount", Decimal("5")),
        products=("classic-tee",),
        categories=("apparel",),
        ends_at="2026-12-01T00:00:00Z",
        code=None,
    )
    assert diff_promotion(desired, live) == [
        FieldChange("title", "BF", "Black Friday"),
        FieldChange("discount", {"amount": "5.00"}, {"percent": "20.00"}),
        FieldChange("products", ["classic-tee"], ["classic-tee", "gift-card"]),
        FieldChange("categories", ["apparel"], []),
        FieldChange("ends_at", "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z"),
        FieldChange("code", None, "BLACKFRIDAY"),
    ]


def test_subscription() -> None:
    desired = Subscription(
        "m365", "org-1", "offer-1", {"quantityBox1": 25, "ChargePeriod": {"pricingFrequency": "Monthly"}}
    )
    assert diff_subscription(desired, replace(desired, form_data={**desired.form_data})) == []
    live = replace(desired, organization="org-2", form_data={"quantityBox1": 20})
    assert diff_subscription(desired, live) == [
        FieldChange("organization", "org-2", "org-1"),
        FieldChange("form_data.ChargePeriod.pricingFrequency", None, "Monthly"),
        FieldChange("form_data.quantityBox1", 20, 25),
    ]


def test_diff_item_dispatches_and_refuses_mixed_kinds() -> None:
    assert diff_item(tee(), tee(title={"*": "X"})) == [FieldChange("title", "X", "Classic Tee")]
    with pytest.raises(TypeError):
        diff_item(tee(), Category("c", {"*": "C"}))


def test_created_and_deleted_fields_list_everything_set() -> None:
    created = created_fields(tee())
    paths = [f.path for f in created]
    assert paths == [
        "title",
        "description",
        "seo.title",
        "category",
        "status",
        "properties.Material",
        "options[Size]",
        "options[Color]",
        "variants.TEE-S-BLACK",
        "variants.TEE-L-BLACK",
        "images[front.jpg]",
    ]
    assert all(f.before is None for f in created)
    deleted = deleted_fields(tee())
    assert [f.path for f in deleted] == paths
    assert all(f.after is None for f in deleted)
    assert deleted[0] == FieldChange("title", "Classic Tee", None)
    assert [f.path for f in created_fields(Category("a", {"*": "A"}))] == ["name"]
