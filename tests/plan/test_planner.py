"""The planner: actions, prune and protect, order and dependencies, --only/--exclude."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from engine import __version__
from engine.errors import PlanError, Source
from engine.model import Catalog, Category, Discount, Product, Promotion, Subscription, Variant
from engine.plan.model import Action, FieldChange, Plan
from engine.plan.planner import make_plan, protected_addresses
from engine.platforms.base import Capabilities, LiveState

EVERYTHING = Capabilities(
    managed=frozenset({"categories", "products", "promotions", "subscriptions"}),
    deletable=frozenset({"categories", "products", "promotions", "subscriptions"}),
)
XPAGE_LIKE = Capabilities(managed=frozenset({"products"}), referenced=frozenset({"categories"}))


def product(key: str, price: str = "25", category: str | None = None, **kw: object) -> Product:
    return Product(
        key=key,
        title={"*": key.replace("-", " ").title()},
        category=category,
        variants=(Variant(sku=key.upper(), price=Decimal(price)),),
        **kw,  # type: ignore[arg-type]
    )


def catalog(*items: object) -> Catalog:
    result = Catalog()
    for item in items:
        if isinstance(item, Category):
            result.categories[item.key] = item
        elif isinstance(item, Product):
            result.products[item.key] = item
        elif isinstance(item, Promotion):
            result.promotions[item.key] = item
        elif isinstance(item, Subscription):
            result.subscriptions[item.key] = item
    return result


def live_state(*items: object) -> LiveState:
    state = LiveState(catalog=catalog(*items))
    for addr, _ in state.catalog.items():
        state.ids[addr] = f"id-{addr}"
        state.versions[addr] = f"v-{addr}"
    return state


def plan(desired: Catalog, live: LiveState, capabilities: Capabilities = EVERYTHING, **kw: object) -> Plan:
    return make_plan(
        target="shop",
        platform="xpage",
        desired=desired,
        live=live,
        capabilities=capabilities,
        **kw,  # type: ignore[arg-type]
    )


def actions(p: Plan) -> list[tuple[str, str]]:
    return [(c.address, c.action.value) for c in p.changes]


def test_create_carries_every_field_the_item_and_its_source() -> None:
    tee = product("classic-tee", source=Source("recipes/a.yaml", 3, 5))
    p = plan(catalog(tee), live_state())
    [change] = p.changes
    assert change.action is Action.CREATE
    assert change.desired == tee
    assert change.source == Source("recipes/a.yaml", 3, 5)
    assert change.live_id is None and change.live_version is None
    assert change.fields == [
        FieldChange("title", None, "Classic Tee"),
        FieldChange("status", None, "active"),
        FieldChange("variants.CLASSIC-TEE", None, {"sku": "CLASSIC-TEE", "price": "25.00"}),
    ]


def test_update_carries_the_diff_and_the_live_identity() -> None:
    p = plan(catalog(product("classic-tee", "27")), live_state(product("classic-tee", "25.00")))
    [change] = p.changes
    assert change.action is Action.UPDATE
    assert change.fields == [FieldChange("variants.CLASSIC-TEE.price", "25.00", "27.00")]
    assert change.live_id == "id-product.classic-tee"
    assert change.live_version == "v-product.classic-tee"
    assert change.desired == product("classic-tee", "27")


def test_equal_items_are_counted_unchanged_and_plan_is_empty() -> None:
    items = (Category("apparel", {"*": "Apparel"}), product("a", category="apparel"), product("b"))
    p = plan(catalog(*items), live_state(*items))
    assert p.empty
    assert p.unchanged == 3
    assert p.summary() == {"create": 0, "update": 0, "upload": 0, "delete": 0, "unchanged": 3}


def test_plan_metadata() -> None:
    moment = datetime(2026, 11, 23, 19, 0, tzinfo=UTC).astimezone()
    p = plan(catalog(), live_state(), recipes_digest="sha256:abc", now=moment)
    assert p.created_at == "2026-11-23T19:00:00Z"
    assert p.shelf_version == __version__
    assert (p.target, p.platform, p.recipes_digest) == ("shop", "xpage", "sha256:abc")
    assert plan(catalog(), live_state()).created_at.endswith("Z")


def test_without_prune_nothing_is_deleted() -> None:
    p = plan(catalog(), live_state(product("old"), Category("gone", {"*": "Gone"})))
    assert p.empty
    assert p.unchanged == 0


def test_prune_deletes_where_the_platform_can_with_the_whole_object_listed() -> None:
    old = product("old-thing", properties=(("Material", "Wool"),))
    p = plan(catalog(), live_state(old, product("other")), prune=["products"])
    assert actions(p) == [("product.old-thing", "delete"), ("product.other", "delete")]
    change = p.changes[0]
    assert change.live_id == "id-product.old-thing"
    assert change.live_version == "v-product.old-thing"
    assert change.desired is None
    assert change.fields == [
        FieldChange("title", "Old Thing", None),
        FieldChange("status", "active", None),
        FieldChange("properties.Material", "Wool", None),
        FieldChange("variants.OLD-THING", {"sku": "OLD-THING", "price": "25.00"}, None),
    ]


def test_prune_deactivates_where_the_platform_cannot_delete() -> None:
    live = live_state(product("old-thing"), product("dormant", status="inactive"))
    p = plan(catalog(), live, XPAGE_LIKE, prune=["products"])
    assert actions(p) == [("product.old-thing", "deactivate")]
    [change] = p.changes
    assert change.fields == [FieldChange("status", "active", "inactive")]  # the product keeps the rest
    assert change.live_id == "id-product.old-thing"
    assert p.unchanged == 1  # the already inactive product
    assert p.summary()["delete"] == 1


def test_prune_spares_protected_addresses_and_says_so() -> None:
    live = live_state(product("keep-me"), product("old"))
    p = plan(catalog(), live, prune=["products"], protected={"product.keep-me"})
    assert actions(p) == [("product.old", "delete")]
    assert p.notes == ["product.keep-me not pruned: protected by a recipe"]


def test_protected_addresses_come_from_every_recipe() -> None:
    everything = catalog(
        product("mine"),
        product("guarded", protect=True),
        product("for-emporix", targets=("emporix-eu",)),
        product("for-us-too", targets=("shop", "emporix-eu")),
        Category("kept", {"*": "Kept"}, protect=True),
    )
    assert protected_addresses(everything, "shop") == {
        "product.guarded",
        "product.for-emporix",
        "category.kept",
    }
    desired = everything.for_target("shop")
    live = live_state(product("for-emporix"), product("stray"))
    p = plan(desired, live, prune=["products"], protected=protected_addresses(everything, "shop"))
    deletions = [a for a, action in actions(p) if action == "delete"]
    assert deletions == ["product.stray"]


def test_prune_of_a_collection_the_platform_does_not_manage_is_a_plan_error() -> None:
    with pytest.raises(PlanError) as caught:
        plan(catalog(), live_state(), XPAGE_LIKE, prune=["categories"])
    assert caught.value.where == "shop"
    assert "products" in (caught.value.hint or "")


def test_prune_of_undeletable_items_without_status_is_a_plan_error() -> None:
    caps = Capabilities(managed=frozenset({"products", "promotions"}))
    with pytest.raises(PlanError) as caught:
        plan(catalog(), live_state(), caps, prune=["promotions"])
    assert "remove 'promotions' from prune" in (caught.value.hint or "")


def test_collections_the_platform_does_not_manage_are_left_alone() -> None:
    desired = catalog(Category("apparel", {"*": "Apparel"}), product("tee", category="apparel"))
    p = plan(desired, live_state(), XPAGE_LIKE)
    assert actions(p) == [("product.tee", "create")]
    assert p.changes[0].depends_on == []


def test_order_and_dependencies_of_creates() -> None:
    desired = catalog(
        Category("t-shirts", {"*": "T-Shirts"}, parent="apparel"),
        Category("apparel", {"*": "Apparel"}),
        product("classic-tee", category="t-shirts"),
        product("old-tee", category="apparel"),
        Promotion("bf", {"*": "BF"}, Discount("percent", Decimal("20")), products=("classic-tee", "old-tee")),
        Subscription("m365", "org", "offer"),
    )
    live = live_state(Category("apparel", {"*": "Apparel"}), product("old-tee", "20", category="apparel"))
    p = plan(desired, live)
    assert actions(p) == [
        ("category.t-shirts", "create"),
        ("product.classic-tee", "create"),
        ("product.old-tee", "update"),
        ("promotion.bf", "create"),
        ("subscription.m365", "create"),
    ]
    by = {c.address: c for c in p.changes}
    assert by["category.t-shirts"].depends_on == []  # its parent exists already
    assert by["product.classic-tee"].depends_on == ["category.t-shirts"]
    assert by["product.old-tee"].depends_on == []
    assert by["promotion.bf"].depends_on == ["product.classic-tee"]


def test_parents_are_created_before_children_whatever_the_recipe_order() -> None:
    desired = catalog(
        Category("tees", {"*": "Tees"}, parent="tops"),
        Category("tops", {"*": "Tops"}, parent="apparel"),
        Category("apparel", {"*": "Apparel"}),
    )
    p = plan(desired, live_state())
    assert actions(p) == [
        ("category.apparel", "create"),
        ("category.tops", "create"),
        ("category.tees", "create"),
    ]
    assert p.changes[2].depends_on == ["category.tops"]


def test_deletions_come_last_in_reverse_dependency_order() -> None:
    live = live_state(
        Category("apparel", {"*": "Apparel"}),
        Category("tees", {"*": "Tees"}, parent="apparel"),
        product("old-tee", category="tees"),
        Promotion("bf", {"*": "BF"}, Discount("percent", Decimal("20")), products=("old-tee",)),
    )
    desired = catalog(product("new-tee"))
    everything = ["categories", "products", "promotions", "subscriptions"]
    p = plan(desired, live, prune=everything)
    assert actions(p) == [
        ("product.new-tee", "create"),
        ("promotion.bf", "delete"),
        ("product.old-tee", "delete"),
        ("category.tees", "delete"),
        ("category.apparel", "delete"),
    ]
    by = {c.address: c for c in p.changes}
    assert by["product.old-tee"].depends_on == ["promotion.bf"]
    assert by["category.tees"].depends_on == ["product.old-tee"]
    assert by["category.apparel"].depends_on == ["category.tees"]


def test_a_deletion_waits_for_updates_that_move_away_from_it() -> None:
    live = live_state(Category("old", {"*": "Old"}), product("tee", category="old"))
    desired = catalog(product("tee", category=None))
    p = plan(desired, live, prune=["categories"])
    assert actions(p) == [("product.tee", "update"), ("category.old", "delete")]
    assert p.changes[1].depends_on == ["product.tee"]


def test_only_keeps_matching_changes_and_pulls_in_dependencies() -> None:
    desired = catalog(
        Category("t-shirts", {"*": "T-Shirts"}),
        product("classic-tee", category="t-shirts"),
        product("mug"),
    )
    p = plan(desired, live_state(), only=["product.classic-*"])
    assert actions(p) == [("category.t-shirts", "create"), ("product.classic-tee", "create")]
    assert p.notes == [
        "category.t-shirts pulled in: product.classic-tee depends on it",
        "1 change(s) left out by --only/--exclude",
    ]


def test_exclude_drops_matching_changes_but_not_needed_dependencies() -> None:
    desired = catalog(
        Category("t-shirts", {"*": "T-Shirts"}),
        product("classic-tee", category="t-shirts"),
        product("mug"),
    )
    p = plan(desired, live_state(), exclude=["category.*", "product.mug"])
    assert actions(p) == [("category.t-shirts", "create"), ("product.classic-tee", "create")]
    assert p.notes == [
        "category.t-shirts pulled in although excluded: product.classic-tee depends on it",
        "1 change(s) left out by --only/--exclude",
    ]


def test_dependencies_are_pulled_in_transitively() -> None:
    desired = catalog(
        Category("apparel", {"*": "Apparel"}),
        Category("tees", {"*": "Tees"}, parent="apparel"),
        product("tee", category="tees"),
        Promotion("bf", {"*": "BF"}, Discount("amount", Decimal("5")), products=("tee",)),
    )
    p = plan(desired, live_state(), only=["promotion.bf"])
    assert actions(p) == [
        ("category.apparel", "create"),
        ("category.tees", "create"),
        ("product.tee", "create"),
        ("promotion.bf", "create"),
    ]
    assert p.notes == [
        "product.tee pulled in: promotion.bf depends on it",
        "category.tees pulled in: product.tee depends on it",
        "category.apparel pulled in: category.tees depends on it",
    ]


def test_only_and_exclude_together_and_unchanged_counts_follow_the_selection() -> None:
    items = (product("a1"), product("a2"), product("b1"))
    desired = catalog(*items, product("a3"))
    p = plan(desired, live_state(*items), only=["product.a*"], exclude=["product.a2"])
    assert actions(p) == [("product.a3", "create")]
    assert p.unchanged == 1  # a1; a2 is excluded and b1 not selected


def test_a_glob_that_matches_nothing_is_an_error_naming_the_closest_addresses() -> None:
    desired = catalog(product("tee"), product("mug"))
    with pytest.raises(PlanError) as raised:
        plan(desired, live_state(product("mug")), only=["product.tea"], require_matches=True)
    assert raised.value.where == "shop"
    assert raised.value.message == "--only 'product.tea' matches no address"
    assert (raised.value.hint or "").startswith("the closest: product.tee, ")


def test_a_glob_naming_an_unchanged_object_or_a_variant_is_no_error() -> None:
    tee = product("tee")
    p = plan(catalog(tee), live_state(tee), only=["product.tee"], require_matches=True)
    assert p.empty and p.notes == []
    sku = tee.variants[0].sku
    assert sku
    p = plan(catalog(tee), live_state(tee), exclude=[f"variant.{sku}"], require_matches=True)
    assert p.empty


def test_without_require_matches_an_unknown_address_is_only_not_selected() -> None:
    p = plan(catalog(product("tee")), live_state(), only=["product.tea"])
    assert p.empty
    assert p.notes == ["1 change(s) left out by --only/--exclude"]


def test_second_plan_after_applying_the_first_is_empty() -> None:
    desired = catalog(
        Category("apparel", {"*": "Apparel"}),
        replace(product("tee", "25", category="apparel"), properties=(("B", "2"), ("A", "1"))),
        Promotion(
            "bf",
            {"*": "BF"},
            Discount("percent", Decimal("20")),
            products=("tee",),
            starts_at="2026-11-27T00:00:00Z",
        ),
    )
    as_read_back = live_state(
        Category("apparel", {"*": "Apparel"}),
        replace(product("tee", "25.00", category="apparel"), properties=(("A", "1"), ("B", "2"))),
        Promotion(
            "bf",
            {"*": "BF"},
            Discount("percent", Decimal("20.0")),
            products=("tee",),
            starts_at="2026-11-27T00:00:00+00:00",
        ),
    )
    p = plan(desired, as_read_back)
    assert p.empty and p.unchanged == 3
