"""A page of the Partner emulator's vendor catalog costs the same number of SQL statements whatever the
page's size or the catalog's: one count and one page, in creation order from an index."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from partner_support import BASE
from sql_trace import record_connections, seeded, selects

from engine.sandbox.partner import create_app
from engine.sandbox.partner.bulk import seed_products


async def test_a_page_of_200_at_10000_skus_takes_as_many_queries_as_a_page_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = record_connections(monkeypatch)
    app = create_app(tmp_path / "partner.sqlite")
    [conn] = connections
    statements = seeded(conn, lambda db: seed_products(db, 10_000, vendors=["vendor-marina"]))
    listing = conn.execute(
        "EXPLAIN QUERY PLAN SELECT item FROM partner_products WHERE chain_id = ? AND vendor_id = ?"
        " ORDER BY seq LIMIT ? OFFSET ?",
        ("sandbox", "vendor-marina", 200, 9800),
    ).fetchall()
    assert not any("TEMP B-TREE" in tuple(row)[-1] for row in listing)  # no sort of the whole catalog
    catalog = f"{BASE}/vendors/vendor-marina/catalog"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": "Bearer sandbox"},
    ) as client:
        counts, bodies = [], []
        for size, page in ((1, 1), (200, 50)):
            selects(statements)
            response = await client.get(catalog, params={"page_size": size, "page": page})
            assert response.status_code == 200, response.text
            counts.append(selects(statements))
            bodies.append(response.json())
    assert counts[0] == counts[1] <= 8
    last = bodies[1]
    assert last["total_count"] == 10_000 and last["total_pages"] == 50
    assert [p["sku"] for p in last["products"]][-2:] == ["ITEM-09998", "ITEM-09999"]  # creation order
    assert last["products"][0]["price"] == 20
