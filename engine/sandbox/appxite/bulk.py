"""Many provisioned subscriptions written straight into the emulator's tables, for measuring reads at
scale: ordering 10,000 licences through the API takes a cart, a placement and polls each."""

from __future__ import annotations

import json
import sqlite3

from engine.sandbox.appxite.db import ACME, M365_BUSINESS
from engine.sandbox.appxite.provisioning import FINISHED


def seed_orders(
    db: sqlite3.Connection, count: int, *, organization: str = ACME, offer: str = M365_BUSINESS
) -> None:
    """``count`` orders of ``organization``, each one provisioned item of ``offer``, after what the
    tables hold. Ids are counted (version-4-shaped) rather than random: quicker to make."""
    start = db.execute("SELECT COUNT(*) FROM appxite_orders").fetchone()[0]
    orders, items = [], []
    for n in range(start, start + count):
        order_id = f"00000000-0000-4000-8000-{2 * n:012x}"
        item_id = f"00000000-0000-4000-8000-{2 * n + 1:012x}"
        orders.append((order_id, organization, float(n)))
        items.append(
            (item_id, order_id, organization, offer, json.dumps({"quantityBox1": 1 + n % 300}), FINISHED)
        )
    db.executemany("INSERT INTO appxite_orders (id, organization_id, created_at) VALUES (?, ?, ?)", orders)
    db.executemany(
        "INSERT INTO appxite_items (id, order_id, organization_id, offer_id, form_data, status)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        items,
    )
