"""A generated catalog (SKUs on two vendors, with promotions) applied to the Partner API sandbox while it
fails at random: one apply converges, with no SKU or promotion twice and none missing.

The platform's limit of 60 requests a minute is left out here (the sandbox's ``rate_limit=None`` and a
target budget far above it): the run is about faults, and waiting out a minute's budget would only make
it slow."""

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

VENDORS = ("vendor-marina", "vendor-downtown")
CONFIG = (
    "recipes: [recipes]\ndefault_target: uae\ntargets:\n  uae:\n    platform: partner\n    sandbox: true\n"
    f"    vendors: [{', '.join(VENDORS)}]\n    rate_limit: 100000\n"
)


def write_catalog(root: Path, products: int) -> None:
    """``products`` products, every fourth with three sizes; one promotion per 25 products."""
    (root / "shelf.yaml").write_text(CONFIG)
    lines = ["products:"]
    for i in range(products):
        lines += [f"  - key: item-{i:04d}", f"    title: {{en: Item {i}, ar: صنف {i}}}"]
        if i % 4 == 0:
            sku = f'"SKU-{i:04d}-{{{{ Size }}}}"'
            lines += ["    options: {Size: [S, M, L]}"]
            lines += [f"    variant_defaults: {{sku: {sku}, price: 9.50, stock: 4}}"]
        else:
            lines += [f"    sku: SKU-{i:04d}", "    price: 12.50", "    stock: 20"]
    lines.append("promotions:")
    for p in range(0, products, 25):
        lines += [
            f"  - key: sale-{p:04d}",
            f"    title: Sale {p}",
            "    discount: {amount: 1.50}",
            f"    products: [item-{p + 1:04d}, item-{p + 2:04d}]",
            "    starts_at: 2030-01-01T00:00:00Z",
            "    ends_at: 2030-01-31T23:59:59Z",
        ]
    (root / "recipes").mkdir()
    (root / "recipes" / "catalog.yaml").write_text("\n".join(lines) + "\n")


def check_shop(root: Path, products: int) -> None:
    skus = sum(3 if i % 4 == 0 else 1 for i in range(products))
    held = rows(root, "partner", "SELECT vendor_id, sku FROM partner_products")
    assert duplicates(held) == [] and len(held) == skus * len(VENDORS), (len(held), duplicates(held)[:5])
    promotions = [i for (i,) in rows(root, "partner", "SELECT identity FROM partner_promotions")]
    assert duplicates(promotions) == [] and len(promotions) == len(range(0, products, 25)), promotions


def test_fifty_products_converge_in_one_apply_under_faults_and_timeouts(tmp_path: Path) -> None:
    write_catalog(tmp_path, 50)
    run = run_under_faults(tmp_path, "partner", SMALL_RUN, quick=True, rate_limit=None)
    assert_converged(run)
    assert_met_timeouts(run)
    check_shop(tmp_path, 50)


@pytest.mark.slow
@pytest.mark.parametrize(("products", "profile"), [(300, PROFILE), (1000, WITH_TIMEOUTS)])
def test_a_large_catalog_converges_in_one_apply_under_faults(
    tmp_path: Path, products: int, profile: dict[str, object]
) -> None:
    write_catalog(tmp_path, products)
    run = run_under_faults(tmp_path, "partner", profile, rate_limit=None)
    print(f"\npartner {products} products: {run.requests} requests, faults injected {run.injected}")
    assert_converged(run)
    check_shop(tmp_path, products)
