"""What a promotion job does when it runs: store the promotion under its identity.

The identity of a promotion is its name (``display_name``), its vendors and its start and end times, as
the sketch reports; sending the same identity again modifies it (``active: false`` ends it). There is no
endpoint that reads promotions back, so the emulator keeps them only for tests to inspect. The job's
``result`` always carries ``invalid_vendors`` (not of the chain), ``missing_skus`` and
``invalid_discounted_skus`` (per vendor: SKUs the vendor does not hold; a bundle whose discounted quantity
is not below its purchased quantity lists its SKUs as invalid).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from engine.sandbox.partner.catalog_work import chain_vendors


def identity(body: dict[str, Any]) -> str:
    conditions = body["conditions"]
    return json.dumps(
        [
            sorted(body["display_name"].items()),
            sorted(body["vendors"]),
            conditions["start_time"],
            conditions["end_time"],
        ]
    )


def run_promotion(db: sqlite3.Connection, chain: str, body: dict[str, Any]) -> dict[str, Any]:
    known = chain_vendors(db, chain)
    vendors = known if "*" in body["vendors"] else body["vendors"]
    invalid_vendors = [v for v in vendors if v not in known]
    missing: dict[str, list[str]] = {}
    invalid: dict[str, list[str]] = {}
    conditions = body["conditions"]
    bad_bundle = body["type"] == "SAME_ITEM_BUNDLE" and not (
        0 < conditions.get("discounted_quantity", 0) < conditions.get("purchased_quantity", 0)
    )
    for vendor in vendors:
        if vendor in invalid_vendors:
            continue
        for entry in body["discount"]:
            for sku in entry["sku"]:
                held = db.execute(
                    "SELECT 1 FROM partner_products WHERE chain_id = ? AND vendor_id = ? AND sku = ?",
                    (chain, vendor, sku),
                ).fetchone()
                if held is None:
                    missing.setdefault(vendor, []).append(sku)
                elif bad_bundle:
                    invalid.setdefault(vendor, []).append(sku)
    db.execute(
        "INSERT INTO partner_promotions (chain_id, identity, body) VALUES (?, ?, ?)"
        " ON CONFLICT(chain_id, identity) DO UPDATE SET body = excluded.body",
        (chain, identity(body), json.dumps(body, default=str)),
    )
    return {"invalid_vendors": invalid_vendors, "missing_skus": missing, "invalid_discounted_skus": invalid}
