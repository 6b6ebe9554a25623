"""A generated catalog (products with variants, pictures, prices, category assignments, coupons) applied
to the Emporix sandbox while it fails at random: one apply converges, with nothing twice and nothing
missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_run_support import (
    PROFILE,
    SMALL_RUN,
    WITH_TIMEOUTS,
    assert_converged,
    duplicates,
    rows,
    run_under_faults,
)

from pictures import write_png

CONFIG = (
    "recipes: [recipes]\ndefault_target: emporix\ntargets:\n  emporix:\n    platform: emporix\n"
    "    sandbox: true\n    languages: [en, de]\n"
)


def write_catalog(root: Path, products: int) -> None:
    """``products`` products in two categories, a third with six variants, each with one picture; one
    coupon per 25 products."""
    (root / "shelf.yaml").write_text(CONFIG)
    recipes = root / "recipes"
    recipes.mkdir()
    (recipes / "categories.yaml").write_text(
        "categories:\n  - key: home\n    name: {en: Home, de: Zuhause}\n  - key: garden\n    name: Garden\n"
    )
    lines = ["products:"]
    for i in range(products):
        picture = f"images/p{i:04d}.png"
        write_png(recipes / picture, seed=i, size=8)
        category = "home" if i % 2 else "garden"
        lines += [f"  - key: item-{i:04d}", f"    title: {{en: Item {i}, de: Artikel {i}}}",
                  f"    category: {category}", f"    images: [{picture}]"]
        if i % 3 == 0:
            lines += [
                "    options: {Size: [S, M, L], Color: [Red, Blue]}",
                "    variant_defaults:",
                f'      sku: "ITEM-{i:04d}-{{{{ Size }}}}-{{{{ Color }}}}"',
                "      price: 20.00",
            ]
        else:
            lines += [f"    sku: ITEM-{i:04d}", "    price: 12.50"]
    lines.append("promotions:")
    for p in range(0, products, 25):
        lines += [f"  - key: deal-{p:04d}", f"    title: Deal {p}", "    discount: {percent: 10}",
                  "    categories: [home]", f"    code: DEAL{p:04d}"]
    (recipes / "catalog.yaml").write_text("\n".join(lines) + "\n")


def check_shop(root: Path, products: int) -> None:
    expected = products + sum(6 for i in range(products) if i % 3 == 0)
    codes = [c for (c,) in rows(root, "emporix", "SELECT code FROM emporix_products")]
    assert len(codes) == expected, (len(codes), expected)
    prices = [i for (i,) in rows(root, "emporix", "SELECT item_id FROM emporix_prices")]
    assert duplicates(prices) == [], duplicates(prices)[:5]
    assets = rows(root, "emporix", "SELECT COUNT(*) FROM emporix_assets")[0][0]
    assert assets == products, assets
    coupons = rows(root, "emporix", "SELECT COUNT(*) FROM emporix_coupons")[0][0]
    assert coupons == len(range(0, products, 25))
    templates = rows(root, "emporix", "SELECT COUNT(DISTINCT id) FROM emporix_templates")[0][0]
    assert templates <= 1 + products // 3, templates


def test_thirty_products_converge_in_one_apply_under_faults_and_timeouts(tmp_path: Path) -> None:
    write_catalog(tmp_path, 30)
    run = run_under_faults(tmp_path, "emporix", SMALL_RUN, quick=True)
    assert_converged(run)
    check_shop(tmp_path, 30)


@pytest.mark.slow
@pytest.mark.parametrize(("products", "profile"), [(300, PROFILE), (1000, WITH_TIMEOUTS)])
def test_a_large_catalog_converges_in_one_apply_under_faults(
    tmp_path: Path, products: int, profile: dict[str, object]
) -> None:
    write_catalog(tmp_path, products)
    run = run_under_faults(tmp_path, "emporix", profile)
    print(f"\nemporix {products} products: {run.requests} requests, faults injected {run.injected}")
    assert_converged(run)
    check_shop(tmp_path, products)
