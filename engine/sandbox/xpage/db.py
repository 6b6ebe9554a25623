"""The xPage sandbox's tables and seed: what a fresh shop holds before anyone writes to it.

Categories cannot be created through the apps API, so the shop starts with a fixed set whose ids are
derived from their names (:func:`category_id`): tests and recipes can know them without asking. Links
between files and what they illustrate (products, variants) live in one table keyed by the documented
``fileable_type``/``fileable_id``/``role`` triple, as the files API describes them.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable

from engine.sandbox.store import Migration
from engine.sandbox.xpage.readings import MIGRATION as READINGS_MIGRATION

CATEGORY_NAMESPACE = uuid.UUID("6f1d3c1e-8a4b-5c2d-9e0f-1a2b3c4d5e6f")
SEED_CATEGORIES = ("Apparel", "T-Shirts", "Hoodies", "Accessories", "Home", "Digital")
SEED_CARRIERS = (
    ("DHL Express", "dhl", "active"),
    ("UPS", "ups", "active"),
    ("FedEx", "fedex", "active"),
    ("Aramex", "aramex", "active"),
)

MIGRATIONS: tuple[Migration, ...] = (
    (
        "CREATE TABLE xpage_categories (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
        "CREATE TABLE xpage_carriers (id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL UNIQUE,"
        " status TEXT NOT NULL)",
        "CREATE TABLE xpage_products (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, description TEXT, page_title TEXT,"
        " meta_description TEXT, is_digital INTEGER NOT NULL, status TEXT NOT NULL,"
        " stock_tracked INTEGER NOT NULL, allow_order_when_oos INTEGER NOT NULL,"
        " category_id TEXT REFERENCES xpage_categories(id), created_at TEXT NOT NULL)",
        "CREATE TABLE xpage_options (id TEXT PRIMARY KEY,"
        " product_id TEXT NOT NULL REFERENCES xpage_products(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL, ord INTEGER NOT NULL)",
        "CREATE TABLE xpage_option_values (id TEXT PRIMARY KEY,"
        " option_id TEXT NOT NULL REFERENCES xpage_options(id) ON DELETE CASCADE,"
        " ord INTEGER NOT NULL, value TEXT NOT NULL)",
        "CREATE TABLE xpage_variants (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " product_id TEXT NOT NULL REFERENCES xpage_products(id) ON DELETE CASCADE,"
        " is_default INTEGER NOT NULL, sku TEXT, price TEXT NOT NULL, compare_price TEXT,"
        " quantity INTEGER NOT NULL)",
        "CREATE TABLE xpage_variant_values ("
        " variant_id TEXT NOT NULL REFERENCES xpage_variants(id) ON DELETE CASCADE,"
        " value_id TEXT NOT NULL REFERENCES xpage_option_values(id) ON DELETE CASCADE,"
        " PRIMARY KEY (variant_id, value_id))",
        "CREATE TABLE xpage_properties (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " product_id TEXT NOT NULL REFERENCES xpage_products(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL, value TEXT NOT NULL, ord INTEGER NOT NULL)",
        "CREATE TABLE xpage_files (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL, size INTEGER NOT NULL, alt TEXT, mime_type TEXT NOT NULL,"
        " created_at TEXT NOT NULL, data BLOB NOT NULL)",
        "CREATE TABLE xpage_file_links (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " file_id TEXT NOT NULL REFERENCES xpage_files(id) ON DELETE CASCADE,"
        " fileable_type TEXT NOT NULL, fileable_id TEXT NOT NULL, role TEXT NOT NULL, ord INTEGER NOT NULL,"
        " UNIQUE (file_id, fileable_type, fileable_id, role))",
        "CREATE INDEX xpage_file_links_owner ON xpage_file_links (fileable_type, fileable_id, role, ord)",
        "CREATE INDEX xpage_variants_product ON xpage_variants (product_id)",
        "CREATE INDEX xpage_options_product ON xpage_options (product_id)",
    ),
    (
        # Reading a page looks option values up by option, and deleting a product cascades through values
        # and properties by their parent: without these, each is a scan of the whole table.
        "CREATE INDEX xpage_option_values_option ON xpage_option_values (option_id, ord)",
        "CREATE INDEX xpage_variant_values_value ON xpage_variant_values (value_id)",
        "CREATE INDEX xpage_properties_product ON xpage_properties (product_id, ord)",
    ),
    READINGS_MIGRATION,
    (
        # The product list's default order (newest first), walked in an index rather than sorted whole
        # for every page.
        "CREATE INDEX xpage_products_created ON xpage_products (created_at, seq)",
    ),
)

SHOP_TABLES = (
    "xpage_file_links",
    "xpage_files",
    "xpage_variant_values",
    "xpage_variants",
    "xpage_option_values",
    "xpage_options",
    "xpage_properties",
    "xpage_products",
    "xpage_carriers",
    "xpage_categories",
)
"""Every shop table, children before parents, as a reset empties them."""


def category_id(name: str) -> str:
    """The id a category named ``name`` has in every sandbox: a UUID5 of a fixed namespace and the name."""
    return str(uuid.uuid5(CATEGORY_NAMESPACE, name))


def add_categories(db: sqlite3.Connection, names: Iterable[str]) -> None:
    """Categories by name, each with its :func:`category_id`; a name the shop has already stays as it is."""
    db.executemany(
        "INSERT OR IGNORE INTO xpage_categories (id, name) VALUES (?, ?)",
        [(category_id(name), name) for name in names],
    )


def seed(db: sqlite3.Connection) -> None:
    """The seed categories and carriers; running it twice changes nothing."""
    db.executemany(
        "INSERT OR IGNORE INTO xpage_categories (id, name) VALUES (?, ?)",
        [(category_id(name), name) for name in SEED_CATEGORIES],
    )
    db.executemany(
        "INSERT OR IGNORE INTO xpage_carriers (id, name, code, status) VALUES (?, ?, ?, ?)",
        [
            (str(uuid.uuid5(CATEGORY_NAMESPACE, f"carrier:{code}")), name, code, st)
            for name, code, st in SEED_CARRIERS
        ],
    )
