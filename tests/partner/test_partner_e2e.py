"""End to end: the real CLI against the in-process Partner sandbox, two vendors of one chain."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from partner_support import VENDORS, control, partner_db, vendor_products, writes_by_route

from support import PROJECT, shelf

TARGET = "partner-demo"
PUT = "PUT /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
POST = "POST /v2/chains/{chain_id}/catalog"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo repository: recipes, promotions and shelf.yaml."""
    for name in ("recipes", "promotions", "subscriptions"):
        shutil.copytree(PROJECT / name, tmp_path / name)
    shutil.copy(PROJECT / "shelf.yaml", tmp_path / "shelf.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    yield tmp_path


def _apply(*args: str) -> str:
    run = shelf("apply", "--auto-approve", "--target", TARGET, *args)
    assert run.exit_code == 0, run.output
    return run.output


def test_demo_to_two_vendors_then_the_next_plan_is_empty_and_reads_only(demo: Path) -> None:
    _apply()
    db = partner_db(demo)
    skus = {p["sku"] for p in vendor_products(db, VENDORS[0])}
    assert {"TEE-S-BLACK", "MUG-STONE", "GUIDE-CAPSULE", "TOTE-NATURAL"} <= skus
    assert {p["sku"] for p in vendor_products(db, VENDORS[1])} == skus
    assert vendor_products(db, "vendor-jbr") == []  # not a vendor of the target
    control(db, "POST", "/_sandbox/stats/reset")
    again = shelf("plan", "--target", TARGET, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.output
    assert writes_by_route(db) == {}
    second = shelf("apply", "--auto-approve", "--target", TARGET)
    assert second.exit_code == 0 and "No changes" in second.output
    assert control(db, "GET", "/_sandbox/stats")["writes"] == 0


def test_the_xpage_quick_start_still_works_with_partner_only_promotions(demo: Path) -> None:
    run = shelf("apply", "--auto-approve")
    assert run.exit_code == 0, run.output
    assert "promotion." not in run.output


def test_one_price_change_is_one_put_per_vendor_and_no_create(demo: Path) -> None:
    _apply()
    db = partner_db(demo)
    recipe = demo / "recipes" / "home.yaml"
    text = recipe.read_text()
    changed = text.replace("    price: 16.00\n", "    price: 19.50\n", 1)
    assert changed != text, "the demo mug's price line moved"
    recipe.write_text(changed)
    control(db, "POST", "/_sandbox/stats/reset")
    output = _apply()
    assert "variants.MUG-STONE.price" in output or "MUG-STONE" in output
    assert writes_by_route(db) == {PUT: len(VENDORS)}
    for vendor in VENDORS:
        [mug] = [p for p in vendor_products(db, vendor) if p["sku"] == "MUG-STONE"]
        assert mug["price"] == 19.5
    assert shelf("plan", "--target", TARGET, "--detailed-exitcode").exit_code == 0
