"""A product equal to its live counterpart field for field is unchanged without being flattened and
compared (most of a no-op plan's work at scale); any difference still gets the full comparison."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

import engine.plan.planner as planner
from engine.model import Catalog, Product, Variant
from engine.plan.model import Action, FieldChange
from engine.plan.planner import make_plan
from engine.platforms.base import Capabilities, LiveState

PRODUCTS = Capabilities(managed=frozenset({"products"}))


def _product(key: str, price: str = "20.00") -> Product:
    return Product(
        key=key,
        title={"*": key.title()},
        variants=(
            Variant(options=(("Size", "S"),), sku=f"{key}-S", price=Decimal(price)),
            Variant(options=(("Size", "M"),), sku=f"{key}-M", price=Decimal(price)),
        ),
        options=(("Size", ("S", "M")),),
    )


def test_only_the_product_that_differs_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[str] = []
    real = planner.diff_item

    def counting(want: Any, have: Any) -> Any:
        compared.append(want.key)
        return real(want, have)

    monkeypatch.setattr(planner, "diff_item", counting)
    desired = Catalog(products={k: _product(k) for k in ("cap", "mug", "tee")})
    live = LiveState()
    for key in ("cap", "mug", "tee"):
        # the shop's prices read as 20 (not 20.00) and its variants carry ids: equal all the same
        held = _product(key, "20" if key != "tee" else "21")
        live.catalog.products[key] = replace(
            held, variants=tuple(replace(v, live_id=f"{key}-{n}") for n, v in enumerate(held.variants))
        )
        live.ids[f"product.{key}"] = key
    plan = make_plan(target="shop", platform="xpage", desired=desired, live=live, capabilities=PRODUCTS)
    assert compared == ["tee"]
    assert plan.unchanged == 2
    [change] = plan.changes
    assert change.address == "product.tee" and change.action is Action.UPDATE
    assert change.fields == [
        FieldChange("variants.tee-S.price", "21.00", "20.00"),
        FieldChange("variants.tee-M.price", "21.00", "20.00"),
    ]


def test_a_renamed_product_equal_to_its_live_one_is_still_updated_for_its_key() -> None:
    desired = Catalog(products={"new": replace(_product("cap"), key="new", renamed_from="cap")})
    live = LiveState()
    live.catalog.products["new"] = replace(_product("cap"), key="new")
    live.ids["product.new"] = "p-1"
    live.renamed["new"] = "cap"
    plan = make_plan(target="shop", platform="xpage", desired=desired, live=live, capabilities=PRODUCTS)
    [change] = plan.changes
    assert change.fields == [FieldChange("key", "cap", "new")]
