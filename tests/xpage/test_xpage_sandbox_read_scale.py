"""A page of the xPage emulator's product list costs the same number of SQL statements whatever the
page's size or the shop's: related rows are read for the whole page at once, never product by product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sql_trace import record_connections, seeded, selects

from engine.sandbox.xpage.app import create_app
from engine.sandbox.xpage.bulk import seed_products

from xpage_sandbox import api_client


async def _page(app: Any, statements: list[str], size: int, page: int) -> tuple[int, dict[str, Any]]:
    async with api_client(app) as client:
        selects(statements)
        response = await client.get("/product", params={"page_size": size, "page": page})
        assert response.status_code == 200, response.text
        return selects(statements), response.json()["data"]


async def test_a_page_of_200_at_10000_products_takes_as_many_queries_as_a_page_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = record_connections(monkeypatch)
    app = create_app(tmp_path / "xpage.sqlite")
    [conn] = connections
    statements = seeded(conn, lambda db: seed_products(db, 10_000, sizes=("S",), colors=("Red", "Blue")))

    one, _ = await _page(app, statements, size=1, page=1)
    full, body = await _page(app, statements, size=200, page=50)
    assert full == one <= 12
    assert body["pagination"]["total"] == 10_000
    products = body["products"]
    assert len(products) == 200
    oldest = products[-1]  # newest first: the last page ends with the first product written
    assert oldest["slug"] == "item-00000"
    assert [o["name"] for o in oldest["options"]] == ["Size", "Color"]
    assert [v["sku"] for v in oldest["variants"]] == ["ITEM-00000-S-Red", "ITEM-00000-S-Blue"]
    assert oldest["variants"][1]["title"] == "S / Blue"
    assert oldest["variants"][1]["values"] == [{"order": 0, "value": "S"}, {"order": 1, "value": "Blue"}]
    assert oldest["category"]["name"] == "Home"
    assert oldest["properties"][0]["name"] == "Material"
