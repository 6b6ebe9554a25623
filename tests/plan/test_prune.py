"""Deletion through the real CLI on the xPage sandbox, where prune deactivates (xPage has no delete).

Nothing is deactivated unless the target lists `products` under `prune`; then every live product that no
recipe for the target describes is deactivated and listed in full in every format, except the products
some recipe protects or sends to other targets only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import sandbox_db, shelf, xpage_api

PRUNING = "targets:\n  sandbox:\n    platform: xpage\n    sandbox: true\n    prune: [products]\n"
NOT_PRUNING = "targets:\n  sandbox:\n    platform: xpage\n    sandbox: true\n"
TWO_TARGETS = (
    "default_target: sandbox\n"
    "targets:\n"
    "  sandbox:\n    platform: xpage\n    sandbox: true\n    prune: [products]\n"
    "  other:\n    platform: xpage\n    sandbox: true\n"
)


def _remove_product(repo: Path, key: str) -> str:
    """Cut the product's block out of its recipe; the block as it was written."""
    for path in sorted((repo / "recipes").glob("*.yaml")):
        lines = path.read_text().splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if line.startswith("  - key: ")]
        for n, start in enumerate(starts):
            if lines[start].strip() == f"- key: {key}":
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                path.write_text("".join(lines[:start] + lines[end:]))
                return "".join(lines[start:end])
    raise AssertionError(f"no product {key} in the demo recipes")


def _live(repo: Path, slug: str) -> dict[str, Any]:
    response = xpage_api(sandbox_db(repo), "GET", "/product", params={"search": slug})
    [product] = [p for p in response.json()["data"]["products"] if p["slug"] == slug]
    return dict(product)


def _create_in_shop(repo: Path, slug: str) -> None:
    """A product made in the shop by someone else, straight through the xPage API."""
    meta = {"title": "Made In The Admin", "slug": slug, "default": {"price": 5, "sku": "ADMIN-1"}}
    response = xpage_api(sandbox_db(repo), "POST", "/product", files={"metadata": (None, json.dumps(meta))})
    assert response.status_code == 201, response.text


def _apply(*args: str) -> None:
    result = shelf("apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output


def test_a_product_removed_from_the_recipes_is_deactivated_and_says_only_that(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(PRUNING)
    _apply()
    _remove_product(repo, "zip-hoodie")

    text = shelf("plan", "--detailed-exitcode")
    assert text.exit_code == 2, text.output
    # the product keeps every field: listing them as going away would read as if they were wiped
    summary = "Plan: 0 to create, 0 to update, 0 to upload, 1 to delete."
    assert f"  - deactivate product.zip-hoodie\n\n{summary}" in text.stderr

    markdown = shelf("plan", "--format", "markdown").stdout
    assert "**`- deactivate product.zip-hoodie`**" in markdown
    assert "| field |" not in markdown

    document = json.loads(shelf("plan", "--format", "json").stdout)
    [change] = document["changes"]
    assert change["address"] == "product.zip-hoodie" and change["action"] == "deactivate"
    assert change["fields"] == [{"path": "status", "before": "active", "after": "inactive"}]
    assert document["summary"]["delete"] == 1

    _apply()
    assert _live(repo, "zip-hoodie")["status"] == "inactive"
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stderr


def test_without_prune_nothing_is_deactivated(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(NOT_PRUNING)
    _apply()
    _remove_product(repo, "zip-hoodie")
    _create_in_shop(repo, "made-in-the-admin")

    plan = shelf("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "deactivate" not in plan.stderr
    _apply()
    assert _live(repo, "zip-hoodie")["status"] == "active"
    assert _live(repo, "made-in-the-admin")["status"] == "active"


def test_a_product_made_in_the_shop_is_deactivated_only_under_prune(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(NOT_PRUNING)
    _apply()
    _create_in_shop(repo, "made-in-the-admin")
    assert shelf("plan", "--detailed-exitcode").exit_code == 0

    (repo / "shelf.yaml").write_text(PRUNING)
    plan = shelf("plan")
    assert "- deactivate product.made-in-the-admin" in plan.stderr
    _apply()
    assert _live(repo, "made-in-the-admin")["status"] == "inactive"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_a_product_for_other_targets_only_and_protected_is_not_pruned(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(TWO_TARGETS)
    _apply()
    block = _remove_product(repo, "zip-hoodie")
    kept = block.replace(
        "    category: hoodies\n", "    category: hoodies\n    targets: [other]\n    protect: true\n"
    )
    (repo / "recipes" / "elsewhere.yaml").write_text("products:\n" + kept)
    assert shelf("validate").exit_code == 0

    plan = shelf("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Note: product.zip-hoodie not pruned: protected by a recipe" in plan.stderr
    markdown = shelf("plan", "--format", "markdown").stdout
    assert "product.zip-hoodie not pruned" in markdown
    _apply()
    assert _live(repo, "zip-hoodie")["status"] == "active"


def test_a_product_for_other_targets_only_is_spared_even_without_protect(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(TWO_TARGETS)
    _apply()
    block = _remove_product(repo, "canvas-tote")
    elsewhere = block.replace(
        "    category: accessories\n", "    category: accessories\n    targets: [other]\n"
    )
    (repo / "recipes" / "elsewhere.yaml").write_text("products:\n" + elsewhere)

    plan = shelf("plan", "--format", "json")
    document = json.loads(plan.stdout)
    assert document["changes"] == []
    assert "product.canvas-tote not pruned: protected by a recipe" in document["notes"]


def test_protect_does_not_stop_changes_to_a_product_the_recipes_describe(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(PRUNING)
    _apply()
    accessories = repo / "recipes" / "accessories.yaml"
    text = accessories.read_text().replace(
        "  - key: canvas-tote\n", "  - key: canvas-tote\n    protect: true\n"
    )
    accessories.write_text(text.replace("price: 18.00", "price: 19.00"))
    plan = shelf("plan", "--format", "json")
    [change] = json.loads(plan.stdout)["changes"]
    assert change["action"] == "update" and change["address"] == "product.canvas-tote"


def test_an_inactive_product_no_recipe_describes_is_left_as_it_is(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(PRUNING)
    _apply()
    _remove_product(repo, "retro-windbreaker")  # inactive in the demo already
    plan = shelf("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_prune_of_a_collection_xpage_cannot_remove_is_an_error_naming_the_target(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(PRUNING.replace("[products]", "[categories]"))
    result = shelf("plan")
    assert result.exit_code == 1
    assert "sandbox" in result.stderr and "categories" in result.stderr
    assert "Traceback" not in result.output
