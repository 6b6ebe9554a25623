"""Media on Emporix are never uploaded twice and never left behind unseen: an upload whose product's
update failed is adopted by the next apply; assets shelf uploaded that nothing uses any more are shown
in the plan and deleted when the target prunes files, selected by --only/--exclude like any other
deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from emporix_faults_support import inject, shop_counts, write_catalog

from emporix_e2e_support import TENANT, call, db_of, listing, reset_stats, stats, write_config
from pictures import write_png
from support import shelf

PRUNE = "    prune: [files]\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty catalog repository as the current folder (the generated catalog goes in)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _applied() -> None:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def _shop(repo: Path, extra: str = "") -> Path:
    write_catalog(repo, 4, coupons=0)
    write_config(repo, extra=extra)
    _applied()
    return db_of(repo)


def _assets_of(db: Path, product_id: str) -> list[str]:
    assets = listing(db, "media/{t}/assets")
    return sorted(a["id"] for a in assets if a["mixins"]["shelf"]["product"] == product_id)


def _without_item_0(repo: Path) -> None:
    """Take the first product (an image and a digital file) out of the recipes."""
    path = repo / "recipes" / "products.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - key: item-000")] + text[text.index("  - key: item-001") :])


def _deleted_in_the_shop(db: Path, product_id: str) -> None:
    """Someone deletes the product in the shop (or a product that changed type was deleted and never
    written again): the assets shelf uploaded for it stay."""
    assert call(db, "DELETE", f"/product/{TENANT}/products/{product_id}").status_code == 204


def test_an_upload_whose_product_update_failed_is_adopted_not_sent_again(repo: Path) -> None:
    db = _shop(repo)
    write_png(repo / "recipes" / "images" / "item-001.png", seed=77)
    products = repo / "recipes" / "products.yaml"
    products.write_text(products.read_text().replace("title: Item 1\n", "title: Item One\n"))
    inject(db, "PUT /product/{tenant}/products/{productId}", 400)
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    assert "^ upload" not in shelf("plan").stderr, "the new picture is in the shop: no upload planned"
    reset_stats(db)
    _applied()
    requests = stats(db)["requests"]
    assert "POST /media/{tenant}/assets" not in requests
    assert requests["DELETE /media/{tenant}/assets/{assetId}"] == 1, "the replaced picture goes"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert shop_counts(db)["assets"] == 5 and shop_counts(db)["duplicate files"] == 0


def test_a_replaced_picture_whose_deletion_failed_shows_in_the_next_plan(repo: Path) -> None:
    db = _shop(repo)
    write_png(repo / "recipes" / "images" / "item-001.png", seed=78)
    inject(db, "DELETE /media/{tenant}/assets/{assetId}", 400)
    assert shelf("apply", "--auto-approve").exit_code == 3
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "images/item-001.png is taken off the product and its file deleted" in planned.stderr
    _applied()
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert len(_assets_of(db, "item-001")) == 1


def test_assets_nothing_uses_are_planned_for_deletion_and_deleted_under_prune(repo: Path) -> None:
    db = _shop(repo, PRUNE)
    orphans = _assets_of(db, "item-000")
    assert len(orphans) == 2, "a picture and a digital file"
    _deleted_in_the_shop(db, "item-000")
    _without_item_0(repo)

    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    for asset_id in orphans:
        assert f"- orphan.{asset_id} (delete)" in planned.stderr
    assert "Plan: 0 to create, 0 to update, 0 to upload, 2 to delete." in planned.stderr
    spared = shelf("plan", "--detailed-exitcode", "--exclude", "orphan.*")
    assert spared.exit_code == 0, "targeting leaves them out like any other change"

    reset_stats(db)
    _applied()
    assert stats(db)["requests"]["DELETE /media/{tenant}/assets/{assetId}"] == 2
    assert _assets_of(db, "item-000") == []
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_without_prune_the_plan_says_the_unused_assets_are_there(repo: Path) -> None:
    db = _shop(repo)
    _deleted_in_the_shop(db, "item-000")
    _without_item_0(repo)
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, "nothing is deleted without prune"
    assert "2 file(s) shelf uploaded are used by nothing in the shop (orphan.item-000-" in planned.stderr
    assert "list `files` under the target's prune to delete them" in planned.stderr


def test_pruning_products_alone_leaves_unused_assets_to_prune_files(repo: Path) -> None:
    db = _shop(repo, "    prune: [products]\n")
    _deleted_in_the_shop(db, "item-000")
    _without_item_0(repo)
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "list `files` under the target's prune to delete them" in planned.stderr
    assert len(_assets_of(db, "item-000")) == 2


def test_a_product_written_again_adopts_the_assets_it_left(repo: Path) -> None:
    db = _shop(repo, PRUNE)
    before = _assets_of(db, "item-000")
    _deleted_in_the_shop(db, "item-000")
    planned = shelf("plan")
    assert "- orphan." not in planned.stderr, "assets a recipe's product will take back are not orphans"
    _applied()
    assert _assets_of(db, "item-000") == before, "the same assets, none twice"
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert shop_counts(db)["duplicate files"] == 0
