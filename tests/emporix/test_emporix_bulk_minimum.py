"""Request counts at the Emporix API's minimum: the product writes of one apply share bulk requests of
up to 200 items (products, variants, prices, stock, category assignments), and products with the same
option set share one template. Each phase is counted exactly: a first apply, a plan with nothing to
change, one price change."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from emporix_e2e_support import TENANT, call, db_of, listing, reset_stats, stats, write_config
from support import shelf

BULK = 200
WRITE_METHODS = ("PUT", "POST", "PATCH", "DELETE")
TOKEN = {"POST /oauth/token": 1}
MIXIN_SCHEMA = {"POST /schema/{tenant}/schemas": 1}
"""shelf's product mixin schema, made once in a fresh tenant (docs/platforms/emporix.md)."""


def _catalog(repo: Path, products: int, extra: str = "") -> None:
    """Recipes like the benchmark's: a third of the products simple, the rest with the same two options
    (6 variants each); every product with stock; half in each of two categories."""
    shutil.rmtree(repo / "recipes")
    recipes = repo / "recipes"
    recipes.mkdir()
    (recipes / "categories.yaml").write_text(
        "categories:\n  - key: apparel\n    name: Apparel\n  - key: home\n    name: Home\n"
    )
    lines = ["products:"]
    for i in range(products):
        lines += [
            f"  - key: item-{i:05d}",
            f"    title: Item {i}",
            f"    category: {'apparel' if i % 2 else 'home'}",
        ]
        if i % 3 == 0:
            lines += [f"    sku: ITEM-{i:05d}", "    price: 12.50", "    stock: 5"]
        else:
            lines += [
                "    options: {Size: [S, M, L], Color: [Red, Blue]}",
                f'    variant_defaults: {{sku: "ITEM-{i:05d}-{{{{ Size }}}}-{{{{ Color }}}}", price: 20.00,'
                " stock: 5}",
            ]
    (recipes / "products.yaml").write_text("\n".join(lines) + "\n" + extra)


def _writes(db: Path) -> dict[str, int]:
    requests: dict[str, int] = stats(db)["requests"]
    return {route: n for route, n in requests.items() if route.startswith(WRITE_METHODS)}


def _minimum(products: int) -> dict[str, int]:
    """The fewest writes the API allows for a first apply of ``_catalog(products)``."""
    simple = len(range(0, products, 3))
    variants = (products - simple) * 6
    items = simple + variants
    per_category = [len(range(1, products, 2)), len(range(0, products, 2))]
    return {
        "PUT /category/{tenant}/categories/{categoryId}": 2,
        "POST /product/{tenant}/product-templates": 1,
        "PUT /product/{tenant}/products/bulk": math.ceil(products / BULK) + math.ceil(variants / BULK),
        "PUT /price/{tenant}/prices/bulk": math.ceil(items / BULK),
        "PUT /availability/{tenant}/availability/bulk": math.ceil(items / BULK),
        "PUT /category/{tenant}/categories/{categoryId}/assignments/references/bulk": sum(
            math.ceil(n / BULK) for n in per_category
        ),
        **MIXIN_SCHEMA,
        **TOKEN,
    }


def _applied(expect: int = 0) -> str:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == expect, result.output
    return result.stderr


def _phases(repo: Path, products: int) -> None:
    write_config(repo)
    _catalog(repo, products)
    db = db_of(repo)
    db.parent.mkdir(parents=True, exist_ok=True)
    reset_stats(db)
    _applied()
    assert _writes(db) == _minimum(products)
    assert len(listing(db, "product/{t}/products")) == products + (products - len(range(0, products, 3))) * 6

    reset_stats(db)
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert _writes(db) == TOKEN

    recipe = repo / "recipes" / "products.yaml"
    recipe.write_text(recipe.read_text().replace("price: 12.50", "price: 13.50", 1))
    reset_stats(db)
    _applied()
    assert _writes(db) == {"PUT /price/{tenant}/prices/{priceId}": 1, **TOKEN}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_thirty_products_take_one_bulk_request_per_kind(repo: Path) -> None:
    _phases(repo, 30)


@pytest.mark.slow
def test_450_products_take_the_fewest_bulk_requests_the_api_allows(repo: Path) -> None:
    _phases(repo, 450)


def test_a_refused_item_fails_its_own_product_and_the_batch_goes_on(repo: Path) -> None:
    write_config(repo)
    clash = (
        "  - key: clash\n"
        "    title: Clash\n"
        "    category: home\n"
        "    options: {Size: [S, M]}\n"
        "    variant_defaults: {sku: 'CLASH-{{ Size }}', price: 5}\n"
        "    variants:\n"
        "      - {Size: M, sku: item-00003}\n"
    )
    _catalog(repo, 12, clash)
    output = _applied(expect=3)
    assert "product.clash" in output and "variant item-00003: 409" in output, output
    assert "Traceback" not in output
    db = db_of(repo)
    codes = {p["code"] for p in listing(db, "product/{t}/products")}
    assert {f"item-{i:05d}" for i in range(12)} <= codes
    planned = shelf("plan")
    assert "product.clash" in planned.stderr
    assert "item-00001" not in planned.stderr


@pytest.mark.parametrize(
    "route",
    [
        "PUT /product/{tenant}/products/bulk",
        "POST /product/{tenant}/product-templates",
        pytest.param("PUT /price/{tenant}/prices/bulk", marks=pytest.mark.slow),
        pytest.param(
            "PUT /category/{tenant}/categories/{categoryId}/assignments/references/bulk",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_lost_answer_makes_nothing_twice(repo: Path, route: str) -> None:
    write_config(repo)
    _catalog(repo, 9)
    db = db_of(repo)
    db.parent.mkdir(parents=True, exist_ok=True)
    fault = {"route": route, "status": 503, "times": 1, "after_commit": True}
    assert call(db, "POST", "/_sandbox/faults", json=fault).status_code in (200, 201)
    _applied()
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    products = listing(db, "product/{t}/products")
    assert len(products) == len({p["id"] for p in products}) == 9 + 6 * 6
    templates = listing(db, "product/{t}/product-templates")
    assert len(templates) == 1
    prices = listing(db, "price/{t}/prices")
    assert len(prices) == 3 + 6 * 6
    assignments = call(db, "GET", f"/category/{TENANT}/categories/home/assignments").json()
    assert len(assignments) == 5
