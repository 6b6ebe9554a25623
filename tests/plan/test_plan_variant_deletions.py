"""A variant removed from a recipe is its own ``- variant.<SKU>`` deletion, written by its product's write."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.errors import PlanError
from engine.model import Catalog, Product, Variant
from engine.plan.model import Action, FieldChange, Plan
from engine.plan.planner import make_plan
from engine.plan.variants import provider_changes
from engine.platforms.base import Capabilities, LiveState

PRODUCTS = Capabilities(managed=frozenset({"products"}))


def socks(*sizes: str, title: str = "Socks") -> Product:
    return Product(
        key="socks",
        title={"*": title},
        options=(("Size", tuple(sizes)),),
        variants=tuple(Variant((("Size", s),), sku=f"SOCKS-{s}", price=Decimal("9.5")) for s in sizes),
    )


def _plan(desired: Product, live: Product, **kw: object) -> Plan:
    state = LiveState(catalog=Catalog(products={"socks": live}))
    state.ids["product.socks"] = "17"
    state.versions["product.socks"] = "v1"
    return make_plan(
        target="shop", platform="xpage", desired=Catalog(products={"socks": desired}), live=state,
        capabilities=PRODUCTS, **kw,  # type: ignore[arg-type]
    )


def test_a_removed_variant_is_a_deletion_counted_as_one() -> None:
    plan = _plan(socks("S", "M"), socks("S", "M", "L"))
    assert [(c.address, c.action) for c in plan.changes] == [
        ("product.socks", Action.UPDATE),
        ("variant.SOCKS-L", Action.DELETE),
    ]
    update, deletion = plan.changes
    assert update.fields == [FieldChange("options[Size][L]", "L", None)]
    assert deletion.fields == [
        FieldChange("options", {"Size": "L"}, None),
        FieldChange("sku", "SOCKS-L", None),
        FieldChange("price", "9.50", None),
    ]
    assert (deletion.live_id, deletion.live_version) == ("17", "v1")  # the product it lives in
    assert deletion.depends_on == ["product.socks"]
    assert plan.summary() == {"create": 0, "update": 1, "upload": 0, "delete": 1, "unchanged": 0}
    sent = provider_changes(plan.changes)
    assert sent["product.socks"] is update and sent["variant.SOCKS-L"] is None  # one write


def test_variants_removed_alone_are_written_by_one_product_update() -> None:
    live = socks("S", "M", "L")
    desired = replace(live, variants=live.variants[:1])  # the options stay; two combinations disabled
    plan = _plan(desired, live)
    assert [(c.address, c.action) for c in plan.changes] == [
        ("variant.SOCKS-M", Action.DELETE),
        ("variant.SOCKS-L", Action.DELETE),
    ]
    assert plan.summary()["update"] == 0 and plan.summary()["delete"] == 2
    second = plan.changes[1]
    assert second.depends_on == ["variant.SOCKS-M"]
    sent = provider_changes(plan.changes)
    write = sent["variant.SOCKS-M"]
    assert write is not None and sent["variant.SOCKS-L"] is None
    assert (write.address, write.action, write.desired, write.live_id) == (
        "product.socks", Action.UPDATE, desired, "17"
    )


def test_only_keeps_a_product_update_and_its_variant_deletions_together() -> None:
    plan = _plan(socks("S", "M", title="New"), socks("S", "M", "L"), only=["variant.*"])
    assert [c.address for c in plan.changes] == ["product.socks", "variant.SOCKS-L"]
    assert plan.notes == ["product.socks pulled in: it writes variant.SOCKS-L"]
    by_product = _plan(socks("S", "M", title="New"), socks("S", "M", "L"), only=["product.socks"])
    assert [c.address for c in by_product.changes] == ["product.socks", "variant.SOCKS-L"]
    assert by_product.notes == ["variant.SOCKS-L pulled in: written with product.socks"]


def test_an_exclude_that_names_either_leaves_the_whole_write_out() -> None:
    for glob in ("variant.*", "variant.SOCKS-L", "product.socks"):
        left = _plan(socks("S", "M", title="New"), socks("S", "M", "L"), exclude=[glob])
        assert left.changes == [], glob
        assert left.notes == ["2 change(s) left out by --only/--exclude"], glob


def test_variant_deletions_alone_stay_together_under_only() -> None:
    live = socks("S", "M", "L")
    desired = replace(live, variants=live.variants[:1])
    plan = _plan(desired, live, only=["variant.SOCKS-L"], require_matches=True)
    assert [c.address for c in plan.changes] == ["variant.SOCKS-M", "variant.SOCKS-L"]
    assert plan.notes == ["variant.SOCKS-M pulled in: written with product.socks"]


def test_a_glob_on_removed_variants_is_checked_against_them() -> None:
    live = Product(key="mug", title={"*": "Mug"}, options=(("Glaze", ("Blue", "Sand")),), variants=(
        Variant((("Glaze", "Blue"),), price=Decimal("12")), Variant((("Glaze", "Sand"),), price=Decimal("12"))
    ))
    state = LiveState(catalog=Catalog(products={"mug": live}))
    desired = Catalog(products={"mug": replace(live, variants=live.variants[:1])})

    def plan(glob: str) -> Plan:
        return make_plan(target="shop", platform="xpage", desired=desired, live=state, capabilities=PRODUCTS,
                         only=[glob], require_matches=True)

    assert [c.address for c in plan("variant.mug/*").changes] == ["variant.mug/Glaze=Sand"]
    with pytest.raises(PlanError, match="matches no address"):
        plan("variant.cup/*")


def test_a_variant_without_a_sku_is_addressed_inside_its_product() -> None:
    live = Product(key="mug", title={"*": "Mug"}, options=(("Glaze", ("Blue", "Sand")),), variants=(
        Variant((("Glaze", "Blue"),), price=Decimal("12")), Variant((("Glaze", "Sand"),), price=Decimal("12"))
    ))
    desired = replace(live, variants=live.variants[:1])
    state = LiveState(catalog=Catalog(products={"mug": live}))
    plan = make_plan(target="shop", platform="xpage", desired=Catalog(products={"mug": desired}), live=state,
                     capabilities=PRODUCTS)
    assert [c.address for c in plan.changes] == ["variant.mug/Glaze=Sand"]
