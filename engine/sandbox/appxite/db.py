"""The AppXite sandbox's tables and seed: organizations and offers that exist before anyone orders.

The reseller catalog (organizations, offers) is read-only and unpublished in the real API, so the sandbox
seeds a fixed set with fixed ids (the first organization and offer are the ones ``PRODUCT.md`` uses), and
the control API adds more. Each offer carries what the vendor pages leave to the platform: the JSON Schema
its ``FormData`` must satisfy, and how provisioning ends for it (``finish``, ``fail`` with a reason, or
``approval``: it waits for someone to approve it in the portal) and after how many seconds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from engine.sandbox.store import Migration

MIGRATIONS: tuple[Migration, ...] = (
    (
        "CREATE TABLE appxite_organizations (id TEXT PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE appxite_offers (id TEXT PRIMARY KEY, name TEXT NOT NULL, form_schema TEXT NOT NULL,"
        " outcome TEXT NOT NULL, reason TEXT, delay REAL NOT NULL)",
        "CREATE TABLE appxite_orders (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " organization_id TEXT NOT NULL, created_at REAL NOT NULL)",
        "CREATE TABLE appxite_items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " order_id TEXT NOT NULL REFERENCES appxite_orders(id) ON DELETE CASCADE,"
        " organization_id TEXT NOT NULL, offer_id TEXT NOT NULL, form_data TEXT NOT NULL,"
        " status TEXT NOT NULL, status_reason TEXT, ready_at REAL, next_status TEXT, next_reason TEXT)",
        "CREATE INDEX appxite_items_organization ON appxite_items (organization_id, seq)",
    ),
    (
        # An organization's orders, an order's items and the items whose provisioning is due are looked
        # up on every request (polls included): without these, each is a scan of the whole table.
        "CREATE INDEX appxite_orders_organization ON appxite_orders (organization_id, seq)",
        "CREATE INDEX appxite_items_order ON appxite_items (order_id, seq)",
        "CREATE INDEX appxite_items_due ON appxite_items (status, ready_at)",
    ),
)

SHOP_TABLES = ("appxite_items", "appxite_orders", "appxite_offers", "appxite_organizations")
"""Every table, children first, as a reset empties them."""

ACME = "4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f"
GLOBEX = "9a1e6b0c-2222-4d5e-8f70-1b2c3d4e5f60"
SEED_ORGANIZATIONS = ((ACME, "Acme Corp"), (GLOBEX, "Globex Ltd"))

M365_BUSINESS = "3d800b57-0958-4d86-a6a6-144243908f4f"
BACKUP = "7c2d4e6f-3333-4b1a-9e8d-2c3b4a5f6e70"
MANUAL = "5b9e1f2a-4444-4c3d-8b7a-3d4e5f6a7b80"
LEGACY = "1e2f3a4b-5555-4e6f-9a0b-4c5d6e7f8091"

DEFAULT_DELAY = 0.5

_CHARGE_PERIOD: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "offerId": {"type": "string"},
        "offerRulePricingId": {"type": "string"},
        "pricingFrequency": {"enum": ["Monthly", "Annual"]},
        "offerRuleFrequency": {"enum": ["Monthly", "Annual"]},
        "offerRuleCustomFrequencyMonths": {"type": "integer", "minimum": 1},
    },
}


def _seats(maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": maximum}


LICENCE_FORM: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["quantityBox1"],
    "properties": {"quantityBox1": _seats(300), "ChargePeriod": _CHARGE_PERIOD},
}
BACKUP_FORM: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["quantityBox1", "DataCenter"],
    "properties": {
        "quantityBox1": _seats(1000),
        "DataCenter": {"type": "string", "pattern": "^[0-9]+$", "x-format": "location id"},
        "ChargePeriod": _CHARGE_PERIOD,
    },
}

SEED_OFFERS: tuple[tuple[str, str, Mapping[str, Any], str, str | None], ...] = (
    (M365_BUSINESS, "Microsoft 365 Business Standard", LICENCE_FORM, "finish", None),
    (BACKUP, "Cloud Backup (per workload)", BACKUP_FORM, "finish", None),
    (MANUAL, "Custom integration (manual processing)", LICENCE_FORM, "approval", None),
    (LEGACY, "Legacy Exchange Plan", LICENCE_FORM, "fail", "Vendor rejected the order: offer retired"),
)


def seed(db: sqlite3.Connection) -> None:
    """The seed organizations and offers; running it twice changes nothing."""
    db.executemany("INSERT OR IGNORE INTO appxite_organizations (id, name) VALUES (?, ?)", SEED_ORGANIZATIONS)
    db.executemany(
        "INSERT OR IGNORE INTO appxite_offers (id, name, form_schema, outcome, reason, delay)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(i, n, json.dumps(s), o, r, DEFAULT_DELAY) for i, n, s, o, r in SEED_OFFERS],
    )
