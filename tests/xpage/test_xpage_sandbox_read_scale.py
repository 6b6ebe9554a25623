"""A page of the xPage emulator's product list costs the same number of SQL statements whatever the
page's size or the shop's: related rows are read for the whole page at once, never product by product."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import engine.sandbox.store as store_module
from engine.sandbox.xpage.app import create_app
from engine.sandbox.xpage.bulk import seed_products

from xpage_sandbox import api_client


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """Every connection the emulator opens, to trace once the shop is seeded."""
    opened: list[sqlite3.Connection] = []
    real = sqlite3.connect

    def recorded(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(store_module.sqlite3, "connect", recorded)
    return opened


async def _page_statements(app: Any, seen: list[str], size: int, page: int) -> tuple[int, dict[str, Any]]:
    async with api_client(app) as client:
        seen.clear()
        response = await client.get("/product", params={"page_size": size, "page": page})
        assert response.status_code == 200, response.text
        count = sum(1 for s in seen if s.lstrip().upper().startswith("SELECT"))
        return count, response.json()["data"]


async def test_a_page_of_200_at_10000_products_takes_as_many_queries_as_a_page_of_one(
    tmp_path: Path, connections: list[sqlite3.Connection]
) -> None:
    app = create_app(tmp_path / "xpage.sqlite")
    [conn] = connections
    conn.execute("BEGIN")
    seed_products(conn, 10_000, sizes=("S",), colors=("Red", "Blue"))
    conn.execute("COMMIT")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)

    one, _ = await _page_statements(app, statements, size=1, page=1)
    full, body = await _page_statements(app, statements, size=200, page=50)
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
