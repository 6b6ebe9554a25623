"""Stock on Emporix goes to the availability service, per site, when a recipe gives it; a recipe
without it leaves the shop's stock alone. Each apply is followed by a plan that finds nothing to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import engine.platforms as platforms

from emporix_e2e_support import TENANT, call, db_of, listing, reset_stats, stats, write_config
from support import shelf

STOCK = f"/availability/{TENANT}/availability"


@pytest.fixture(params=["replace", "merge"])
def upsert_reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the CLI against the sandbox under each reading of an availability upsert."""
    original = platforms.sandbox_transport

    def transport(platform: str, db_path: Path, **options: Any) -> httpx.AsyncBaseTransport:
        if platform == "emporix":
            options["availability_upsert"] = request.param
        return original(platform, db_path, **options)

    monkeypatch.setattr(platforms, "sandbox_transport", transport)
    return str(request.param)


def _stock(db: Path) -> dict[str, Any]:
    return {a["productId"]: a for a in listing(db, "availability/{t}/availability/site/main")}


def _variant_ids(db: Path, parent: str) -> dict[str, str]:
    children = listing(db, "product/{t}/products", q=f"parentVariantId:{parent}")
    return {c["code"]: c["id"] for c in children}


def _apply_and_settle(db: Path | None = None) -> str:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "0 failed" in applied.stderr, applied.output
    if db is not None:
        reset_stats(db)
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    if db is not None:
        assert stats(db)["writes"] == 0
    return applied.stderr


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_demo_catalogs_stock_is_written_in_one_bulk_request_per_round_of_products(repo: Path) -> None:
    write_config(repo)
    shelf("plan")
    db = db_of(repo)
    reset_stats(db)
    _apply_and_settle()
    counts = stats(db)["requests"]
    stock = _stock(db)
    assert len(stock) == 33
    assert stock["canvas-tote"]["stockLevel"] == 150
    assert {k: v for k, v in stock.items() if k.startswith("wool-beanie")} and all(
        v["stockLevel"] == 50 for k, v in stock.items() if k.startswith("wool-beanie-")
    )
    single = counts.get(f"PUT {STOCK.replace(TENANT, '{tenant}')}/{{productId}}/{{site}}", 0)
    bulk = counts.get(f"PUT {STOCK.replace(TENANT, '{tenant}')}/bulk", 0)
    # 12 products have stock, written in the two rounds their categories take (parents first): one
    # bulk request each, not one request per product
    assert (single, bulk) == (0, 2), counts
    assert counts[f"GET {STOCK.replace(TENANT, '{tenant}')}/site/{{site}}"] >= 1


def test_a_changed_stock_is_one_write_and_unmanaged_stock_is_left_alone(
    repo: Path, upsert_reading: str
) -> None:
    write_config(repo)
    _apply_and_settle()
    db = db_of(repo)
    record = call(db, "PUT", f"{STOCK}/canvas-tote/main", json={"stockLevel": 149, "popularity": 7})
    assert record.status_code == 204
    planned = shelf("plan")
    assert "variants.TOTE-NATURAL.stock: 149 -> 150" in planned.output, planned.output

    accessories = repo / "recipes" / "accessories.yaml"
    _edit(accessories, "    stock: 150\n", "    stock: 140\n")
    _edit(accessories, "      stock: 200\n", "")
    socks = sorted(k for k in _stock(db) if k.startswith("everyday-socks"))[0]
    call(db, "PUT", f"{STOCK}/{socks}/main", json={"stockLevel": 3})
    reset_stats(db)
    _apply_and_settle(db)
    stock = _stock(db)
    assert stock["canvas-tote"]["stockLevel"] == 140
    assert stock["canvas-tote"]["popularity"] == 7, "fields shelf does not manage are sent back"
    assert stock[socks]["stockLevel"] == 3, "a recipe without stock leaves it alone"


def test_alt_images_properties_removals_and_stock_apply_in_one_run(repo: Path) -> None:
    write_config(repo, extra="    prune: [products]\n")
    _apply_and_settle()
    db = db_of(repo)
    accessories = repo / "recipes" / "accessories.yaml"
    _edit(
        accessories,
        "      - images/canvas-tote/front.png\n",
        "      - {file: images/canvas-tote/front.png, alt: Front}\n",
    )
    _edit(
        accessories, "      Material: Merino wool\n", "      Material: Merino wool\n      Care: Hand wash\n"
    )
    _edit(accessories, "      Color: [Charcoal, Mustard, Forest]", "      Color: [Charcoal, Mustard]")
    _edit(accessories, "      stock: 80\n", "      stock: 75\n")
    home = repo / "recipes" / "home.yaml"
    text = home.read_text()
    start = text.index("  - key: soy-candle")
    end = text.find("\n  - key:", start + 1)
    home.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
    candles = _variant_ids(db, "soy-candle")
    forest = _variant_ids(db, "wool-beanie")["BEANIE-FOREST"]
    caps = _variant_ids(db, "baseball-cap")
    assert set(candles.values()) | {forest} <= set(_stock(db))
    _apply_and_settle()
    stock = _stock(db)
    assert not set(candles.values()) & set(stock), "a pruned product's stock goes with it"
    assert forest not in stock, "a removed variant's stock goes with it"
    assert {stock[i]["stockLevel"] for i in caps.values()} == {75}
    beanie = call(db, "GET", f"/product/{TENANT}/products/wool-beanie").json()
    assert beanie["mixins"]["shelf"]["properties"] == {"Material": "Merino wool", "Care": "Hand wash"}
    alts = {
        (a.get("mixins") or {}).get("mediaCustomAttributes", {}).get("altText")
        for a in listing(db, "media/{t}/assets", q='mixins.shelf.product:"canvas-tote"')
    }
    assert "Front" in alts
    reset_stats(db)
    second = shelf("apply", "--auto-approve")
    assert second.exit_code == 0, second.output
    assert stats(db)["writes"] == 0 and stats(db)["upload_bytes"] == 0
