"""A generated catalog (products with variants, pictures and digital files) applied to the xPage sandbox
while it fails at random: one apply converges, with no product, variant or file twice and none missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_run_support import (
    PROFILE,
    SMALL_RUN,
    WITH_TIMEOUTS,
    assert_converged,
    assert_met_timeouts,
    duplicates,
    rows,
    run_under_faults,
)

from pictures import write_png

PDF = b"%PDF-1.4\n% generated\n"


def write_catalog(root: Path, products: int) -> None:
    """``products`` products: a third simple, the rest with six variants; each with one picture, every
    fifth a digital download with a file of its own."""
    recipes = root / "recipes"
    (recipes / "files").mkdir(parents=True)
    (recipes / "categories.yaml").write_text("categories:\n  - key: home\n    name: Home\n")
    lines = ["products:"]
    for i in range(products):
        picture = f"images/p{i:04d}.png"
        write_png(recipes / picture, seed=i, size=8)
        lines += [f"  - key: item-{i:04d}", f"    title: Item {i}", "    category: home"]
        lines += [f"    images: [{picture}]"]
        if i % 5 == 0:
            (recipes / "files" / f"guide-{i:04d}.pdf").write_bytes(PDF + str(i).encode())
            lines += ["    digital: true", f"    files: [files/guide-{i:04d}.pdf]"]
        if i % 3 == 0 or i % 5 == 0:
            lines += [f"    sku: ITEM-{i:04d}", "    price: 12.50"]
        else:
            lines += [
                "    options: {Size: [S, M, L], Color: [Red, Blue]}",
                "    variant_defaults:",
                f'      sku: "ITEM-{i:04d}-{{{{ Size }}}}-{{{{ Color }}}}"',
                "      price: 20.00",
            ]
    (recipes / "products.yaml").write_text("\n".join(lines) + "\n")


def check_shop(root: Path, products: int) -> None:
    titles = [t for (t,) in rows(root, "xpage", "SELECT title FROM xpage_products")]
    assert sorted(titles) == sorted(f"Item {i}" for i in range(products)), duplicates(titles)
    skus = [s for (s,) in rows(root, "xpage", "SELECT sku FROM xpage_variants WHERE sku IS NOT NULL")]
    variants = sum(1 if i % 3 == 0 or i % 5 == 0 else 6 for i in range(products))
    assert duplicates(skus) == [] and len(skus) == variants
    files = [n for (n,) in rows(root, "xpage", "SELECT name FROM xpage_files")]
    assert duplicates(files) == [], duplicates(files)
    pictures = sum(1 for n in files if n.endswith(".png"))
    guides = sum(1 for n in files if n.endswith(".pdf"))
    assert (pictures, guides) == (products, len(range(0, products, 5)))


def test_thirty_products_converge_in_one_apply_under_faults_and_timeouts(tmp_path: Path) -> None:
    write_catalog(tmp_path, 30)
    run = run_under_faults(tmp_path, "xpage", SMALL_RUN, quick=True)
    assert_converged(run)
    assert_met_timeouts(run)
    check_shop(tmp_path, 30)


@pytest.mark.slow
@pytest.mark.parametrize(("products", "profile"), [(300, PROFILE), (1000, WITH_TIMEOUTS)])
def test_a_large_catalog_converges_in_one_apply_under_faults(
    tmp_path: Path, products: int, profile: dict[str, object]
) -> None:
    write_catalog(tmp_path, products)
    run = run_under_faults(tmp_path, "xpage", profile)
    print(f"\nxpage {products} products: {run.requests} requests, faults injected {run.injected}")
    assert_converged(run)
    check_shop(tmp_path, products)
