"""Subscriptions in plans: ordered, updated field by field, cancelled, replaced on another offer."""

from __future__ import annotations

from dataclasses import replace

from engine.model import Catalog, Subscription
from engine.plan.model import Action, FieldChange, Plan
from engine.plan.planner import make_plan
from engine.plan.render import render_text
from engine.platforms.base import Capabilities, LiveState

CAPS = Capabilities(managed=frozenset({"subscriptions"}), deletable=frozenset({"subscriptions"}))
M365 = Subscription(
    "m365", "org-1", "offer-1", {"quantityBox1": 10, "ChargePeriod": {"pricingFrequency": "Monthly"}}
)


def _plan(desired: list[Subscription], live: list[Subscription], prune: tuple[str, ...] = ()) -> Plan:
    state = LiveState(Catalog(subscriptions={s.key: s for s in live}))
    for s in live:
        state.ids[f"subscription.{s.key}"] = f"id-{s.key}"
    return make_plan(
        target="t",
        platform="appxite",
        desired=Catalog(subscriptions={s.key: s for s in desired}),
        live=state,
        capabilities=CAPS,
        prune=prune,
    )


def test_missing_is_ordered_and_equal_is_unchanged() -> None:
    plan = _plan([M365], [])
    assert [(c.address, c.action) for c in plan.changes] == [("subscription.m365", Action.CREATE)]
    assert FieldChange("form_data.quantityBox1", None, 10) in plan.changes[0].fields
    assert _plan([M365], [M365]).empty


def test_quantity_change_is_one_field_of_an_update() -> None:
    plan = _plan([replace(M365, form_data={**M365.form_data, "quantityBox1": 25})], [M365])
    (change,) = plan.changes
    assert change.action is Action.UPDATE and change.live_id == "id-m365"
    assert change.fields == [FieldChange("form_data.quantityBox1", 10, 25)]
    assert "~ subscription.m365\n      form_data.quantityBox1: 10 -> 25" in render_text(plan)


def test_cancelled_state_is_a_cancel_and_nothing_when_not_held() -> None:
    plan = _plan([replace(M365, state="cancelled")], [M365])
    (change,) = plan.changes
    assert change.action is Action.CANCEL and change.fields[0] == FieldChange("state", "active", "cancelled")
    text = render_text(plan)
    assert "- subscription.m365 (cancel)" in text and "1 to delete" in text
    assert _plan([replace(M365, state="cancelled")], []).empty
    assert _plan([replace(M365, state="cancelled")], [replace(M365, state="cancelled")]).empty


def test_cancelled_live_item_is_ordered_again() -> None:
    plan = _plan([M365], [replace(M365, state="cancelled")])
    assert [c.action for c in plan.changes] == [Action.CREATE]


def test_offer_change_is_a_replace() -> None:
    plan = _plan([replace(M365, offer="offer-2")], [M365])
    (change,) = plan.changes
    assert change.action is Action.REPLACE and FieldChange("offer", "offer-1", "offer-2") in change.fields
    assert "-/+ subscription.m365" in render_text(plan)
    assert plan.summary()["create"] == 1 and plan.summary()["delete"] == 1


def test_prune_cancels_what_no_recipe_names() -> None:
    other = replace(M365, key="legacy")
    plan = _plan([M365], [M365, other], prune=("subscriptions",))
    assert [(c.address, c.action) for c in plan.changes] == [("subscription.legacy", Action.CANCEL)]
    assert _plan([M365], [M365, other]).empty
