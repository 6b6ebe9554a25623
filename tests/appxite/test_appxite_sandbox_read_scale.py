"""The AppXite emulator lists an organization's orders with the same number of SQL statements however
many orders it holds, and finds them by index among every organization's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sql_trace import record_connections, seeded, selects

from engine.sandbox.appxite.app import create_app
from engine.sandbox.appxite.bulk import seed_orders
from engine.sandbox.appxite.db import ACME, GLOBEX

from appxite_support import headers


async def test_listing_200_orders_among_10000_takes_as_many_queries_as_listing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = record_connections(monkeypatch)
    app = create_app(tmp_path / "appxite.sqlite")
    [conn] = connections

    statements = seeded(conn, lambda db: seed_orders(db, 9_800, organization=ACME))
    plans = {
        tuple(row)[-1]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT i.* FROM appxite_items i JOIN appxite_orders o ON o.id = i.order_id"
            " WHERE o.organization_id = ? ORDER BY o.seq, i.seq",
            (GLOBEX,),
        )
    }
    assert not any(p.startswith("SCAN") for p in plans), plans
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        counts, bodies = [], []
        for more in (1, 199):
            seed_orders(conn, more, organization=GLOBEX)
            selects(statements)
            response = await client.get("/orders/", headers=headers(GLOBEX))
            assert response.status_code == 200, response.text
            counts.append(selects(statements))
            bodies.append(response.json()["orders"])
    assert counts[0] == counts[1] <= 6
    assert [len(b) for b in bodies] == [1, 200]
    assert bodies[0][0]["items"][0]["status"] == "provision_finished"
