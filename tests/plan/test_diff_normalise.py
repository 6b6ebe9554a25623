"""The normalisers: equal meanings must compare equal, or a second plan would never be empty."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.model import Asset, Discount
from engine.plan import normalise as n


@pytest.mark.parametrize("value", [Decimal("25"), 25, 25.0, "25.00", "25", Decimal("25.000"), " 25.0 "])
def test_money_spellings_of_one_price_are_equal(value: object) -> None:
    assert n.money(value) == "25.00"  # type: ignore[arg-type]


def test_money_keeps_cents_and_reads_floats_by_their_repr() -> None:
    assert n.money(0.1) == "0.10"
    assert n.money(19.99) == "19.99"
    assert n.money(Decimal("-5.5")) == "-5.50"
    assert n.money(None) is None


def test_money_keeps_extra_places_rather_than_hiding_a_difference() -> None:
    assert n.money(Decimal("0.125")) == "0.125"
    assert n.money("0.1250") == "0.125"
    assert n.money("0.125") != n.money("0.12")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True])
def test_money_refuses_what_is_not_money(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        n.money(bad)  # type: ignore[arg-type]


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_money_is_idempotent_and_exact(amount: Decimal) -> None:
    once = n.money(amount)
    assert once is not None
    assert n.money(once) == once
    assert Decimal(once) == amount


def test_text_with_only_the_any_language_key_is_the_plain_string() -> None:
    assert n.text({"*": "a"}) == "a"
    assert n.text({"*": "a"}) == n.text({"*": "a"}) == n.text("a")


def test_text_with_languages_is_sorted_and_compares_exactly() -> None:
    assert n.text({"de": "T-Shirts", "en": "T-shirts"}) == {"de": "T-Shirts", "en": "T-shirts"}
    assert list(n.text({"en": "b", "de": "a"})) == ["de", "en"]  # type: ignore[arg-type]
    assert n.text({"en": "a"}) != n.text({"*": "a"})
    assert n.text("a ") != n.text("a")


def test_text_line_ends_and_emptiness() -> None:
    assert n.text({"*": "one\r\ntwo"}) == "one\ntwo"
    assert n.text(None) is None
    assert n.text("") is None
    assert n.text({"*": ""}) is None
    assert n.text({}) is None
    assert n.text({"en": "x", "de": ""}) == {"en": "x"}


def test_scalars() -> None:
    assert n.scalar("TEE-S") == "TEE-S"
    assert n.scalar("") is None
    assert n.scalar(None) is None
    assert n.scalar(0) == 0
    assert n.scalar(False) is False


def test_ordered_lists_keep_order_and_are_lists() -> None:
    assert n.ordered(("S", "M", "L")) == ["S", "M", "L"]
    assert n.ordered(("S", "M")) != n.ordered(("M", "S"))
    assert n.ordered(None) == []


def test_unordered_references_compare_as_sets() -> None:
    assert n.unordered(("b", "a", "b")) == ["a", "b"] == n.unordered(["a", "b"])


def test_properties_are_a_map_sorted_by_key() -> None:
    first = n.properties((("Material", "Cotton"), ("Fit", "Regular")))
    second = n.properties({"Fit": "Regular", "Material": "Cotton"})
    assert first == second
    assert list(first) == ["Fit", "Material"]


def test_options_are_an_ordered_list_of_single_entry_maps() -> None:
    value = n.options((("Size", ("S", "M")), ("Color", ("Black",))))
    assert value == [{"Size": ["S", "M"]}, {"Color": ["Black"]}]
    assert value != n.options((("Color", ("Black",)), ("Size", ("S", "M"))))
    assert n.options((("Size", ("M", "S")),)) != n.options((("Size", ("S", "M")),))


def test_timestamps_compare_as_instants() -> None:
    assert n.timestamp("2026-11-27T00:00:00Z") == "2026-11-27T00:00:00Z"
    assert n.timestamp("2026-11-27T00:00:00+00:00") == "2026-11-27T00:00:00Z"
    assert n.timestamp("2026-11-27T01:00:00+01:00") == "2026-11-27T00:00:00Z"
    assert n.timestamp("2026-11-27T00:00:00") == "2026-11-27T00:00:00"
    assert n.timestamp("2026-11-27") == "2026-11-27"
    assert n.timestamp("next Tuesday") == "next Tuesday"
    assert n.timestamp(None) is None


def test_discount_is_kind_to_amount() -> None:
    assert n.discount(Discount("percent", Decimal("20"))) == {"percent": "20.00"}
    assert n.discount(Discount("amount", Decimal("5"))) != n.discount(Discount("price", Decimal("5")))
    assert n.discount(None) is None


def test_images_identify_content_by_hash_else_url() -> None:
    local = Asset(ref="front.jpg", path="/x/front.jpg", sha256="ab", size=10, url="https://cdn/x.jpg")
    remote = Asset(ref="https://cdn/y.jpg", url="https://cdn/y.jpg", alt="Side")
    assert n.images((local, remote)) == [
        {"ref": "front.jpg", "sha256": "ab"},
        {"ref": "https://cdn/y.jpg", "alt": "Side", "url": "https://cdn/y.jpg"},
    ]
    moved = Asset(ref="front.jpg", path="/elsewhere/front.jpg", sha256="ab", size=10)
    assert n.images((moved,)) == n.images((local,))


def test_free_data_is_sorted_and_numbers_compare_by_value() -> None:
    desired = {"quantityBox1": Decimal("25"), "ChargePeriod": {"pricingFrequency": "Monthly"}, "x": (1, 2)}
    live = {"ChargePeriod": {"pricingFrequency": "Monthly"}, "x": [1, 2], "quantityBox1": 25.0}
    assert n.data(desired) == n.data(live)
    assert list(n.data(desired)) == ["ChargePeriod", "quantityBox1", "x"]
    assert n.data({"a": Decimal("2.5")}) == {"a": 2.5}
    assert n.data({"a": True}) == {"a": True}


def test_every_normaliser_returns_json() -> None:
    values = [
        n.money(Decimal("1")),
        n.text({"en": "a", "de": "b"}),
        n.properties({"a": "b"}),
        n.options((("Size", ("S",)),)),
        n.images((Asset(ref="a", sha256="b"),)),
        n.discount(Discount("price", Decimal("9.99"))),
        n.data({"a": Decimal("1.5"), "b": (Decimal("2"),)}),
    ]
    assert json.loads(json.dumps(values)) == values
