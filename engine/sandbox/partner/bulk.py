"""A large catalog written straight into the emulator's table, for measuring reads at catalog scale.

Creating 10,000 SKUs through the API goes through jobs and the rate limit; a benchmark or a test of the
list's speed needs the rows, not the route that writes them. Each item is stored as a create stores it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from engine.sandbox.partner.db import SANDBOX_CHAIN, SANDBOX_VENDORS


def seed_products(
    db: sqlite3.Connection,
    count: int,
    *,
    chain: str = SANDBOX_CHAIN,
    vendors: Sequence[str] = SANDBOX_VENDORS[:1],
) -> None:
    """``count`` SKUs ``ITEM-00000``... in every one of ``vendors``, after what the table holds."""
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM partner_products").fetchone()[0]
    rows = []
    for i in range(count):
        item = {
            "sku": f"ITEM-{i:05d}",
            "title": {"en_AE": f"Item {i}", "ar_AE": f"منتج {i}"},
            "description": {"en_AE": f"Generated product number {i}.", "ar_AE": "منتج"},
            "price": "20.00",
            "active": True,
            "barcodes": [],
            "category_global_ids": [],
            "images": [],
        }
        text = json.dumps(item)
        for vendor in vendors:
            seq += 1
            rows.append((chain, vendor, item["sku"], text, seq))
    db.executemany(
        "INSERT INTO partner_products (chain_id, vendor_id, sku, item, quantity, seq)"
        " VALUES (?, ?, ?, ?, NULL, ?)",
        rows,
    )
