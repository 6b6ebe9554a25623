"""The Partner emulator's tables and its seed: chains, their vendors (stores), locales and categories.

Products are stored per chain, vendor and SKU as the JSON item the list endpoint answers with, plus the
last ``quantity`` sent in its own column: the platform does not return quantities, so neither does the
emulator, but the column lets tests see what a client sent. Jobs keep their payload until they run.
"""

from __future__ import annotations

import json
import sqlite3

SANDBOX_CHAIN = "sandbox"
OTHER_CHAIN = "other-chain"
SANDBOX_VENDORS = ("vendor-marina", "vendor-downtown", "vendor-jbr")
SANDBOX_LOCALES = ("en_AE", "ar_AE")
SEED_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("5b1d3e7a-0c4f-4d2b-9a61-1f0e2d3c4b5a", "Apparel", "ملابس"),
    ("6c2e4f8b-1d5a-4e3c-8b72-2a1f3e4d5c6b", "T-Shirts", "قمصان"),
    ("7d3f5a9c-2e6b-4f4d-9c83-3b2a4f5e6d7c", "Hoodies", "هوديز"),
    ("8e4a6bad-3f7c-4a5e-8d94-4c3b5a6f7e8d", "Accessories", "إكسسوارات"),
    ("9f5b7cbe-4a8d-4b6f-9ea5-5d4c6b7a8f9e", "Home", "المنزل"),
)

MIGRATIONS = (
    (
        "CREATE TABLE partner_chains (chain_id TEXT PRIMARY KEY, locales TEXT NOT NULL)",
        "CREATE TABLE partner_vendors (chain_id TEXT NOT NULL, vendor_id TEXT NOT NULL,"
        " PRIMARY KEY (chain_id, vendor_id))",
        "CREATE TABLE partner_categories (chain_id TEXT NOT NULL, global_id TEXT NOT NULL,"
        " name TEXT NOT NULL, parent_global_id TEXT, PRIMARY KEY (chain_id, global_id))",
        "CREATE TABLE partner_products (chain_id TEXT NOT NULL, vendor_id TEXT NOT NULL, sku TEXT NOT NULL,"
        " item TEXT NOT NULL, quantity INTEGER, seq INTEGER NOT NULL,"
        " PRIMARY KEY (chain_id, vendor_id, sku))",
        "CREATE TABLE partner_jobs (job_id TEXT PRIMARY KEY, chain_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " status TEXT NOT NULL, ready_at REAL NOT NULL, created_at REAL NOT NULL, payload TEXT NOT NULL,"
        " result TEXT)",
        "CREATE TABLE partner_promotions (chain_id TEXT NOT NULL, identity TEXT NOT NULL, body TEXT NOT NULL,"
        " PRIMARY KEY (chain_id, identity))",
    ),
    (
        # A vendor's catalog is listed in creation order, page by page: walked in an index rather than
        # sorted whole for every page.
        "CREATE INDEX partner_products_listing ON partner_products (chain_id, vendor_id, seq)",
    ),
)

SHOP_TABLES = (
    "partner_promotions",
    "partner_jobs",
    "partner_products",
    "partner_categories",
    "partner_vendors",
    "partner_chains",
)


def seed(db: sqlite3.Connection) -> None:
    """Two chains: ``sandbox`` with three vendors and five categories, and ``other-chain`` with one vendor,
    so that a token of one chain can be shown to be refused by the other."""
    locales = json.dumps(list(SANDBOX_LOCALES))
    for chain, vendors in ((SANDBOX_CHAIN, SANDBOX_VENDORS), (OTHER_CHAIN, ("vendor-other",))):
        db.execute("INSERT OR IGNORE INTO partner_chains (chain_id, locales) VALUES (?, ?)", (chain, locales))
        for vendor in vendors:
            db.execute(
                "INSERT OR IGNORE INTO partner_vendors (chain_id, vendor_id) VALUES (?, ?)", (chain, vendor)
            )
    for global_id, english, arabic in SEED_CATEGORIES:
        db.execute(
            "INSERT OR IGNORE INTO partner_categories (chain_id, global_id, name, parent_global_id)"
            " VALUES (?, ?, ?, NULL)",
            (SANDBOX_CHAIN, global_id, json.dumps({"en_AE": english, "ar_AE": arabic})),
        )
