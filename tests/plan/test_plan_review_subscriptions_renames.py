"""Cancels, replaces and renames in the reviewer's formats: a cancel is a deletion (shown in full, never
dropped from the markdown, red on the page), a replace counts once as a create and once as a delete, and
a renamed product keeps its removed variant as a deletion of its own."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from engine.model import Catalog, Product, Subscription, Variant
from engine.plan.html import render_html
from engine.plan.markdown import render_markdown
from engine.plan.model import Action, FieldChange, Plan
from engine.plan.planner import make_plan
from engine.plan.render import plan_to_dict, render_text
from engine.platforms.base import Capabilities, LiveState

CAPS = Capabilities(
    managed=frozenset({"products", "subscriptions"}), deletable=frozenset({"subscriptions"})
)
M365 = Subscription("m365", "org-1", "offer-1", {"quantityBox1": 10})
TEAMS = Subscription("teams", "org-1", "offer-2", {"quantityBox1": 5})


def _mug(key: str, *glazes: str) -> Product:
    return Product(
        key=key,
        title={"*": "Mug"},
        options=(("Glaze", tuple(glazes)),),
        variants=tuple(Variant((("Glaze", g),), sku=f"MUG-{g.upper()}", price=Decimal("12")) for g in glazes),
    )


def _plan() -> Plan:
    # the shop holds the mug as "cup"; the provider reads it under the recipe's key and notes the rename
    live = LiveState(
        Catalog(products={"mug": _mug("mug", "Blue", "Sand")}, subscriptions={"m365": M365, "teams": TEAMS})
    )
    live.renamed["mug"] = "cup"
    for address in ("product.mug", "subscription.m365", "subscription.teams"):
        live.ids[address] = f"id-{address}"
    desired = Catalog(
        products={"mug": _mug("mug", "Blue")},
        subscriptions={"m365": replace(M365, state="cancelled"), "teams": replace(TEAMS, offer="offer-3")},
    )
    return make_plan(target="t", platform="appxite", desired=desired, live=live, capabilities=CAPS)


def test_every_change_is_counted_once_and_a_replace_twice() -> None:
    plan = _plan()
    assert [(c.address, c.action) for c in plan.changes] == [
        ("product.mug", Action.UPDATE),
        ("variant.MUG-SAND", Action.DELETE),
        ("subscription.teams", Action.REPLACE),
        ("subscription.m365", Action.CANCEL),
    ]
    update = plan.changes[0]
    assert update.fields == [
        FieldChange("key", "cup", "mug"),
        FieldChange("options[Glaze][Sand]", "Sand", None),
    ]
    summary = plan_to_dict(plan)["summary"]
    assert summary == {"create": 1, "update": 1, "upload": 0, "delete": 3, "unchanged": 0}
    assert "Plan: 1 to create, 1 to update, 0 to upload, 3 to delete." in render_text(plan)


def test_a_cancel_reads_as_a_deletion_in_text_markdown_and_html() -> None:
    plan = _plan()
    text = render_text(plan)
    assert '  - subscription.m365 (cancel)\n      state: "active" -> "cancelled"\n' in text
    assert '      organization: "org-1"\n' in text  # the rest of what is cancelled, in full
    assert '  -/+ subscription.teams\n      offer: "offer-2" -> "offer-3"\n' in text
    markdown = render_markdown(plan)
    deletions = markdown[markdown.index("#### Deletions (2)") : markdown.index("#### Changes (2)")]
    assert "**`- subscription.m365 (cancel)`**" in deletions
    assert "**`- variant.MUG-SAND (delete)`**" in deletions
    assert '| state | "active" | "cancelled" |' in deletions
    tight = render_markdown(plan, max_chars=300)
    assert "`- subscription.m365 (cancel)`" in tight and "`- variant.MUG-SAND (delete)`" in tight
    page = render_html(plan)
    assert 'class="card cancel" id="subscription.m365"' in page
    assert 'class="card replace" id="subscription.teams"' in page
    assert page.index("<h2>Deletions (2)</h2>") < page.index('id="subscription.m365"') < page.index(
        "<h2>Changes (2)</h2>"
    )
