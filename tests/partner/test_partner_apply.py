"""Applying to the Partner sandbox: batching, rejections, lost answers, prune, promotions, the ledger."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from partner_support import BASE, VENDORS, control, partner_db, vendor_products, writes_by_route

from support import shelf

PUT = "PUT /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
POST = "POST /v2/chains/{chain_id}/catalog"
PROMOTION = "PUT /v2/chains/{chain_id}/promotion"


def _config(locales: str = "{en: en_AE, ar: ar_AE}", extra: str = "") -> str:
    return (
        "recipes: [recipes]\n"
        "default_target: uae\n"
        "targets:\n"
        "  uae:\n"
        "    platform: partner\n"
        "    sandbox: true\n"
        f"    vendors: [{', '.join(VENDORS)}]\n"
        f"    locales: {locales}\n" + extra
    )


RECIPE = """\
products:
  - key: tee
    title: {en: Tee, ar: تيشيرت}
    options: {Size: [S, M]}
    variant_defaults: {sku: "TEE-{{ Size }}", price: 25.00, stock: 5}
  - key: mug
    title: Mug
    price: 12.50
    sku: MUG
    barcode: "4006381333931"
promotions:
  - key: sale
    title: Sale
    discount: {amount: 2.50}
    products: [tee]
    starts_at: 2026-11-27T00:00:00Z
    ends_at: 2026-11-30T23:59:59Z
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "catalog.yaml").write_text(RECIPE)
    (tmp_path / "shelf.yaml").write_text(_config())
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    yield tmp_path


def _apply(expect: int = 0) -> str:
    run = shelf("apply", "--auto-approve")
    assert run.exit_code == expect, run.output
    return run.output


def _empty_plan() -> None:
    run = shelf("plan", "--detailed-exitcode")
    assert run.exit_code == 0, run.output


def _promotions(repo: Path) -> list[dict[str, object]]:
    with sqlite3.connect(partner_db(repo)) as db:
        return [json.loads(r[0]) for r in db.execute("SELECT body FROM partner_promotions ORDER BY rowid")]


def test_first_apply_creates_once_for_both_vendors_with_quantities_and_barcodes(repo: Path) -> None:
    _apply()
    db = partner_db(repo)
    writes = writes_by_route(db)
    assert writes == {POST: 1, PUT: len(VENDORS), PROMOTION: 1}
    for vendor in VENDORS:
        products = {p["sku"]: p for p in vendor_products(db, vendor)}
        assert set(products) == {"TEE-S", "TEE-M", "MUG"}
        assert products["TEE-M"]["title"] == {"en_AE": "Tee - M", "ar_AE": "تيشيرت - M"}
        assert products["MUG"]["barcodes"] == ["4006381333931"]
    with sqlite3.connect(db) as conn:
        quantities = dict(conn.execute("SELECT vendor_id || '/' || sku, quantity FROM partner_products"))
    assert quantities["vendor-marina/TEE-S"] == 5 and quantities["vendor-marina/MUG"] is None
    [sale] = _promotions(repo)
    assert sale["type"] == "STRIKETHROUGH"
    assert sale["discount"] == [
        {"discount_subtype": "ABSOLUTE", "discount_value": "2.50", "active": True, "sku": ["TEE-S", "TEE-M"]}
    ]
    _empty_plan()


def test_job_rejections_name_sku_and_reason_then_the_rerun_converges(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(_config(locales="{en: en_US}"))
    output = _apply(expect=3)
    assert "SKU MUG rejected" in output
    assert "locale en_US is not a locale of this chain" in output
    assert "Traceback" not in output
    (repo / "shelf.yaml").write_text(_config())
    _apply()
    _empty_plan()


def test_a_lost_create_answer_creates_nothing_twice(repo: Path) -> None:
    db = partner_db(repo)
    shelf("validate")
    control(db, "POST", "/_sandbox/faults", {"route": POST, "status": 502, "after_commit": True})
    _apply()
    assert writes_by_route(db)[POST] == 1
    for vendor in VENDORS:
        skus = [p["sku"] for p in vendor_products(db, vendor)]
        assert sorted(skus) == ["MUG", "TEE-M", "TEE-S"]
    _empty_plan()


def test_prune_deactivates_what_no_recipe_names(repo: Path) -> None:
    _apply()
    db = partner_db(repo)
    import asyncio

    from partner_support import emulator, item, run_job

    async def add_stray() -> None:
        async with emulator(db) as client:
            answer = await client.post(
                f"{BASE}/catalog", json={"vendors": list(VENDORS), "products": [item("OLD")]}
            )
            await run_job(client, f"{BASE}/catalog/jobs", answer)

    asyncio.run(add_stray())
    (repo / "shelf.yaml").write_text(_config(extra="    prune: [products]\n"))
    planned = shelf("plan")
    assert "- deactivate product.OLD" in planned.output
    control(db, "POST", "/_sandbox/stats/reset")
    _apply()
    assert writes_by_route(db) == {PUT: len(VENDORS)}
    for vendor in VENDORS:
        [old] = [p for p in vendor_products(db, vendor) if p["sku"] == "OLD"]
        assert old["active"] is False
    _empty_plan()


def test_fields_fixed_at_creation_are_a_note_never_a_change(repo: Path) -> None:
    _apply()
    recipe = repo / "recipes" / "catalog.yaml"
    recipe.write_text(recipe.read_text().replace("title: Mug", "title: Big Mug"))
    run = shelf("plan", "--detailed-exitcode")
    assert run.exit_code == 0, run.output
    assert "product.mug: title of SKU MUG differ" in run.output


def test_changing_a_promotions_times_ends_the_old_one(repo: Path) -> None:
    _apply()
    recipe = repo / "recipes" / "catalog.yaml"
    recipe.write_text(recipe.read_text().replace("2026-11-30T23:59:59Z", "2026-12-01T23:59:59Z"))
    output = _apply()
    assert "~ promotion.sale" in output
    old, new = _promotions(repo)
    assert (old["active"], old["conditions"]["end_time"]) == (False, "2026-11-30T23:59:59Z")
    assert (new["active"], new["conditions"]["end_time"]) == (True, "2026-12-01T23:59:59Z")
    _empty_plan()


def test_without_the_ledger_promotions_and_stock_are_re_sent_harmlessly(repo: Path) -> None:
    _apply()
    (repo / ".shelf" / "ledger" / "uae.json").unlink()
    planned = shelf("plan")
    assert "cannot be read back" in planned.output
    assert "+ promotion.sale" in planned.output
    assert "variants.TEE-S.stock: (none) -> 5" in planned.output
    control(partner_db(repo), "POST", "/_sandbox/stats/reset")
    _apply()
    assert POST not in writes_by_route(partner_db(repo))
    assert len(_promotions(repo)) == 1
    _empty_plan()


def test_recipes_the_platform_cannot_express_are_plan_errors(repo: Path) -> None:
    recipe = repo / "recipes" / "catalog.yaml"
    recipe.write_text(RECIPE.replace("    barcode:", "    images: [pic.png]\n    barcode:"))
    (repo / "recipes" / "pic.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    run = shelf("plan")
    assert run.exit_code == 1
    assert "recipes/catalog.yaml:" in run.output and "image_base_url" in run.output
    (repo / "shelf.yaml").write_text(_config().replace(f"[{', '.join(VENDORS)}]", '["*"]'))
    star = shelf("plan")
    assert star.exit_code == 1 and "no endpoint listing a chain's vendors" in star.output
