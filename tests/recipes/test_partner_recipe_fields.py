"""The recipe fields barcode (simple products and variants) and promotion bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import shelf

CONFIG = """\
recipes: [recipes]
default_target: shop
targets:
  shop: {platform: xpage, sandbox: true}
  eu: {platform: emporix, sandbox: true}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "shelf.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _recipe(repo: Path, text: str) -> None:
    (repo / "recipes" / "r.yaml").write_text(text)


def test_barcodes_on_simple_products_and_variants(repo: Path) -> None:
    from engine.config import load_config
    from engine.recipes.loader import load_catalog

    _recipe(
        repo,
        "products:\n"
        "  - {key: mug, title: Mug, price: 5, sku: MUG, barcode: '4006381333931'}\n"
        "  - key: tee\n"
        "    title: Tee\n"
        "    options: {Size: [S, M]}\n"
        "    variant_defaults: {sku: 'TEE-{{ Size }}', price: 9}\n"
        "    variants: [{Size: M, barcode: '4006381333948'}]\n",
    )
    catalog = load_catalog(load_config(repo / "shelf.yaml", repo), "shop")
    assert catalog.products["mug"].variants[0].barcode == "4006381333931"
    assert [v.barcode for v in catalog.products["tee"].variants] == [None, "4006381333948"]


def test_a_barcode_must_be_quoted_digits(repo: Path) -> None:
    _recipe(repo, "products:\n  - {key: mug, title: Mug, price: 5, sku: MUG, barcode: 4006381333931}\n")
    run = shelf("validate")
    assert run.exit_code == 1
    assert "recipes/r.yaml:2" in run.output and "8 to 14 digits" in run.output


def test_platforms_without_barcodes_plan_no_change_for_them(repo: Path) -> None:
    _recipe(repo, "products:\n  - {key: mug, title: Mug, price: 5, sku: MUG, barcode: '4006381333931'}\n")
    assert shelf("apply", "--auto-approve").exit_code == 0
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_promotion_has_exactly_one_of_discount_and_bundle(repo: Path) -> None:
    base = "promotions:\n  - key: p\n    title: P\n    products: [mug]\n"
    _recipe(repo, base + "    discount: {percent: 10}\n    bundle: {buy: 3, pay: 2}\n")
    both = shelf("validate")
    assert both.exit_code == 1 and "exactly one of 'discount' or 'bundle'" in both.output
    _recipe(repo, base)
    neither = shelf("validate")
    assert neither.exit_code == 1 and "exactly one of 'discount' or 'bundle'" in neither.output
    _recipe(repo, base + "    bundle: {buy: 2, pay: 2}\n")
    free = shelf("validate")
    assert free.exit_code == 1 and "'pay' must be below 'buy'" in free.output and "r.yaml:5:27" in free.output


def test_a_platform_without_bundles_gives_a_plan_error_at_the_recipe_line(repo: Path) -> None:
    _recipe(
        repo,
        "categories:\n  - {key: c, name: C}\n"
        "promotions:\n  - key: p\n    title: P\n    categories: [c]\n    code: THREE\n"
        "    bundle: {buy: 3, pay: 2}\n",
    )
    run = shelf("plan", "--target", "eu")
    assert run.exit_code == 1, run.output
    assert "recipes/r.yaml:4" in run.output and "cannot express a bundle" in run.output
