"""The markdown plan fits a pull-request comment: a 1,500-product first import, every deletion kept."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from engine.model import Asset, Catalog, Product, Variant
from engine.plan.markdown import DEFAULT_MAX_CHARS, GITHUB_COMMENT_LIMIT, render_markdown
from engine.plan.model import Action, Plan
from engine.plan.planner import make_plan
from engine.platforms.base import Capabilities, LiveState

PRODUCTS = Capabilities(managed=frozenset({"products"}), deletable=frozenset({"products"}))


def _product(i: int) -> Product:
    sizes = ("S", "M", "L")
    return Product(
        key=f"product-{i:04d}",
        title={"*": f"Product number {i} with a descriptive title"},
        description={"*": "A long enough description to look like a real one. " * 4},
        category="apparel",
        properties=(("Material", "Cotton"), ("Care", "Machine wash")),
        options=(("Size", sizes),),
        variants=tuple(
            Variant((("Size", s),), sku=f"P{i:04d}-{s}", price=Decimal("25"), stock=10) for s in sizes
        ),
        images=(
            Asset(ref=f"images/{i}/front.png", path=f"/x/{i}/front.png", sha256=f"{i:012x}", size=2048),
            Asset(ref=f"images/{i}/back.png", path=f"/x/{i}/back.png", sha256=f"{i + 9000:012x}", size=2048),
        ),
    )


@functools.cache
def _first_import_plan() -> Plan:
    desired, live = _first_import()
    return make_plan(target="shop", platform="xpage", desired=desired, live=live, capabilities=PRODUCTS,
                     prune=["products"])


def _first_import() -> tuple[Catalog, LiveState]:
    desired = Catalog(products={p.key: p for p in map(_product, range(1500))})
    gone = {f"old-{i:03d}": _product(5000 + i) for i in range(40)}
    gone = {key: Product(key=key, title=p.title, variants=p.variants) for key, p in gone.items()}
    live = LiveState(catalog=Catalog(products=gone))
    return desired, live


def test_a_first_import_fits_a_comment_and_keeps_every_deletion() -> None:
    plan = _first_import_plan()
    assert plan.summary()["create"] == 1500 and plan.summary()["delete"] == 40
    markdown = render_markdown(plan)
    assert len(markdown) <= DEFAULT_MAX_CHARS < GITHUB_COMMENT_LIMIT
    for change in plan.changes:
        if change.action is Action.DELETE:
            assert f"**`- {change.address} (delete)`**" in markdown
    deletions = markdown.split("#### Changes")[0]
    assert deletions.count('| title | "Product number') == 40  # deletions are in full
    shown = len(re.findall(r"^`\+ product\.product-\d{4}`$", markdown, flags=re.M))
    assert 0 < shown < 1500
    uploads_shown = len(re.findall(r"^- `\^ upload ", markdown, flags=re.M))
    left = len(plan.changes) - 40 - shown - uploads_shown
    assert f"**{left} more changes are not shown here**" in markdown
    assert "`shelf show plan.json --format html`" in markdown


def test_a_smaller_budget_still_lists_every_deletion() -> None:
    markdown = render_markdown(_first_import_plan(), max_chars=4_000)
    assert len(markdown) <= 4_000
    assert markdown.count("(delete)`**") == 40  # by their headlines, since they do not fit in full
    assert "1500 create" in markdown
