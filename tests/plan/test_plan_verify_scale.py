"""Verification after an apply plans only what was touched, at a cost that grows with what was touched.

The selection of thousands of exact addresses must not match each address against each of them as a
glob, and the recipes' untouched objects must not be prepared and diffed (they would only turn into
would-be creates that the selection then drops).
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

import engine.plan.planner as planner
from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.model import Catalog, Category, Product, Promotion, Variant
from engine.plan.model import Action
from engine.plan.planner import make_plan
from engine.plan.scope import cut_to
from engine.platforms.base import AddressSet, Capabilities, LiveState
from engine.sandbox.xpage.app import create_app

from support import sandbox_db

XPAGE_LIKE = Capabilities(managed=frozenset({"products"}), referenced=frozenset({"categories"}))


def _product(i: int, price: str) -> Product:
    return Product(
        key=f"item-{i:05d}",
        title={"*": f"Item {i}"},
        category="home",
        variants=(Variant(sku=f"ITEM-{i:05d}", price=Decimal(price)),),
    )


def test_five_thousand_exact_addresses_select_in_linear_time() -> None:
    """Matched as globs, 5,000 touched addresses against 5,000 changes take about a minute of CPU; by
    set membership, well under a second (the bound leaves room for a loaded machine)."""
    touched, untouched = 5000, 500
    home = Category(key="home", name={"*": "Home"})
    desired = Catalog(categories={"home": home})
    live = LiveState()
    live.catalog.categories["home"] = home
    live.ids["category.home"] = "c-home"
    for i in range(touched + untouched):
        desired.products[f"item-{i:05d}"] = _product(i, "25")
        live.catalog.products[f"item-{i:05d}"] = _product(i, "24" if i < touched else "25")
        live.ids[f"product.item-{i:05d}"] = str(i)
    only = [f"product.item-{i:05d}" for i in range(touched)]
    started = time.process_time()
    plan = make_plan(
        target="shop",
        platform="xpage",
        desired=desired,
        live=live,
        capabilities=XPAGE_LIKE,
        only=[*only, "product.item-0549?"],  # real globs still match as globs beside exact addresses
        exclude=["product.item-00000"],
        read=AddressSet(only),
    )
    spent = time.process_time() - started
    assert spent < 10, f"{spent:.1f} s of CPU: the selection grows faster than the addresses"
    assert len(plan.changes) == touched - 1
    assert {c.action for c in plan.changes} == {Action.UPDATE}
    assert "product.item-00000" not in {c.address for c in plan.changes}
    assert plan.unchanged == 10  # item-05490 .. item-05499: the glob's, unchanged


def test_the_cut_keeps_the_named_objects_what_they_refer_to_and_every_category() -> None:
    home = Category(key="home", name={"*": "Home"})
    sale = Promotion(key="sale", title={"*": "Sale"}, discount=None, products=("item-00001",))
    products = {f"item-{i:05d}": _product(i, "1") for i in range(5)}
    desired = Catalog(categories={"home": home}, products=products, promotions={"sale": sale})
    cut = cut_to(desired, ["product.item-00003", "promotion.sale", "image.item-00002/a.png"])
    assert list(cut.products) == ["item-00001", "item-00003"]  # the promotion's product, in recipe order
    assert cut.promotions == {"sale": sale}
    assert cut.categories == {"home": home}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many objects the planner diffs (updates and would-be creates), counted as it runs."""
    calls = {"diff": 0, "create": 0}

    def counting(name: str, real: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(planner, "diff_item", counting("diff", planner.diff_item))
    monkeypatch.setattr(planner, "created_fields", counting("create", planner.created_fields))
    return calls


async def test_verification_prepares_and_diffs_only_the_touched_product(
    repo: Path, counted: dict[str, int]
) -> None:
    app = create_app(sandbox_db(repo))
    config = load_config(None, repo)

    async def apply_once() -> tuple[Any, list[list[str]]]:
        async with open_session(config, None, transport=httpx.ASGITransport(app=app)) as session:
            plan, _ = await read_and_plan(session)
            prepared: list[list[str]] = []
            real = session.provider.prepare

            def recording(desired: Catalog, live: LiveState) -> Catalog:
                prepared.append(sorted(desired.products))
                return real(desired, live)

            session.provider.prepare = recording  # type: ignore[method-assign]
            counted.update(diff=0, create=0)
            report = await apply_plan(session, plan)
            return report, prepared

    first, _ = await apply_once()
    assert first.ok and first.verified and not first.not_converged
    recipe = repo / "recipes" / "home.yaml"
    text = recipe.read_text()
    assert "    price: 16.00\n" in text
    recipe.write_text(text.replace("    price: 16.00\n", "    price: 17.00\n", 1))

    second, prepared = await apply_once()
    [touched] = [r.address for r in second.results]
    assert second.ok and second.verified and not second.not_converged
    assert prepared == [[touched.removeprefix("product.")]]  # verification's one prepare
    assert counted == {"diff": 1, "create": 0}

    async with open_session(config, None, transport=httpx.ASGITransport(app=app)) as session:
        again, _ = await read_and_plan(session)
    assert again.empty  # nothing left to change, nothing to upload
