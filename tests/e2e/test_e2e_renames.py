"""A product whose recipe key changes: without ``renamed_from`` the plan refuses to create a second
product holding the live one's SKU; with it, the live product is updated in place, on xPage (its slug
changes) and on Emporix (its code changes, its id stays), once, and the next plan is empty."""

from __future__ import annotations

import json
from pathlib import Path

from emporix_e2e_support import db_of, listing, product, write_config
from support import sandbox_control, sandbox_db, shelf, xpage_api

RENAMED = "  - key: canvas-bag\n    renamed_from: canvas-tote\n"


def _xpage_products(repo: Path) -> list[dict[str, object]]:
    response = xpage_api(sandbox_db(repo), "GET", "/product", params={"page_size": 100})
    products: list[dict[str, object]] = response.json()["data"]["products"]
    return products


def _rename(repo: Path, replacement: str) -> None:
    accessories = repo / "recipes" / "accessories.yaml"
    text = accessories.read_text()
    assert text.count("  - key: canvas-tote\n") == 1
    accessories.write_text(text.replace("  - key: canvas-tote\n", replacement))


def _applied() -> None:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_a_renamed_key_without_renamed_from_is_a_plan_error_naming_both(repo: Path) -> None:
    _applied()
    _rename(repo, "  - key: canvas-bag\n")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    for command in (("plan",), ("apply", "--auto-approve")):
        result = shelf(*command)
        assert result.exit_code == 1, result.output
        assert (
            "recipes/accessories.yaml:3:5: product.canvas-bag would be created with SKU TOTE-NATURAL,"
            " which the live product.canvas-tote already holds" in result.stderr
        )
        assert "add `renamed_from: canvas-tote` to its recipe" in result.stderr
    assert sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"] == 0


def test_renamed_from_updates_the_xpage_product_and_changes_its_slug(repo: Path) -> None:
    _applied()
    [before] = [p for p in _xpage_products(repo) if p["slug"] == "canvas-tote"]
    _rename(repo, RENAMED)
    saved = shelf("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    assert '~ product.canvas-bag\n      key: "canvas-tote" -> "canvas-bag"' in saved.stderr
    assert "Plan: 0 to create, 1 to update, 0 to upload, 0 to delete." in saved.stderr
    document = json.loads((repo / "plan.json").read_text())
    assert document["changes"][0]["live_id"] == str(before["id"])

    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    counts = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    assert counts["upload_bytes"] == 0
    slugs = [p["slug"] for p in _xpage_products(repo)]
    assert "canvas-tote" not in slugs and slugs.count("canvas-bag") == 1
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    _applied()
    assert sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"] == counts["writes"]


def test_renamed_from_on_emporix_keeps_the_id_and_writes_the_new_code(repo: Path) -> None:
    write_config(repo)
    _applied()
    _rename(repo, "  - key: canvas-bag\n")
    refused = shelf("plan")
    assert refused.exit_code == 1 and "live product.canvas-tote already holds" in refused.stderr
    accessories = repo / "recipes" / "accessories.yaml"
    accessories.write_text(accessories.read_text().replace("  - key: canvas-bag\n", RENAMED))
    plan = shelf("plan")
    assert plan.exit_code == 0, plan.output
    assert '~ product.canvas-bag\n      key: "canvas-tote" -> "canvas-bag"' in plan.stderr
    assert "0 to create" in plan.stderr
    _applied()
    db = db_of(repo)
    bag = product(db, "canvas-tote")
    assert bag["code"] == "canvas-bag" and bag["mixins"]["shelf"]["sku"] == "TOTE-NATURAL"
    every = listing(db, "product/{t}/products")
    assert [p["id"] for p in every if p.get("code") in ("canvas-bag", "canvas-tote")] == ["canvas-tote"]
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_renamed_from_that_names_a_recipe_key_is_a_recipe_error(repo: Path) -> None:
    _rename(repo, "  - key: canvas-tote\n    renamed_from: wool-beanie\n")
    result = shelf("validate")
    assert result.exit_code == 1
    assert (
        "recipes/accessories.yaml:4:19: product 'canvas-tote' is renamed from 'wool-beanie', which is the key"
        " of the product at recipes/accessories.yaml:" in result.stderr
    )
