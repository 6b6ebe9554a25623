"""The Emporix sandbox's tables: one JSON document per resource, plus the columns that must stay unique.

Documents are stored as the services render them (localized fields as maps of every language), so a
read is a lookup and a list is a filter over documents. Codes that the services keep unique (product
and category codes, coupon codes) are also columns with UNIQUE constraints. A fresh shop holds one
default price model, which prices without ``priceModelId`` are assigned to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from engine.sandbox.emporix.exact_json import dumps, loads
from engine.sandbox.store import Migration

DEFAULT_PRICE_MODEL_ID = "5f2a8e3c4b1d9e7a6c0f1b2d"
DEFAULT_TIER_ID = "8c1e5b7a-3f2d-4e6a-9b0c-1d2e3f4a5b6c"

MIGRATIONS: tuple[Migration, ...] = (
    (
        "CREATE TABLE emporix_clock (id INTEGER PRIMARY KEY CHECK (id = 1), seconds REAL NOT NULL)",
        "CREATE TABLE emporix_products (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " code TEXT NOT NULL UNIQUE, parent_id TEXT, doc TEXT NOT NULL)",
        "CREATE INDEX emporix_products_parent ON emporix_products (parent_id)",
        "CREATE TABLE emporix_templates (seq INTEGER NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
        " doc TEXT NOT NULL, PRIMARY KEY (id, version))",
        "CREATE TABLE emporix_categories (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " code TEXT UNIQUE, parent_id TEXT, doc TEXT NOT NULL)",
        "CREATE TABLE emporix_assignments (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " category_id TEXT NOT NULL, ref_id TEXT NOT NULL, ref_type TEXT NOT NULL,"
        " UNIQUE (category_id, ref_id))",
        "CREATE INDEX emporix_assignments_ref ON emporix_assignments (ref_id)",
        "CREATE TABLE emporix_price_models (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " doc TEXT NOT NULL)",
        "CREATE TABLE emporix_prices (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " item_id TEXT NOT NULL, model_id TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX emporix_prices_item ON emporix_prices (item_id)",
        "CREATE TABLE emporix_assets (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " doc TEXT NOT NULL, data BLOB)",
        "CREATE TABLE emporix_coupons (seq INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE,"
        " doc TEXT NOT NULL)",
    ),
    (
        "CREATE TABLE emporix_schemas (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " doc TEXT NOT NULL)",
        "CREATE TABLE emporix_schema_versions (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " id TEXT NOT NULL UNIQUE, schema_id TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE TABLE emporix_availabilities (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " site TEXT NOT NULL, doc TEXT NOT NULL)",
    ),
    (
        "ALTER TABLE emporix_prices ADD COLUMN currency TEXT",
        "ALTER TABLE emporix_prices ADD COLUMN country TEXT",
        "ALTER TABLE emporix_prices ADD COLUMN sites TEXT",
        "UPDATE emporix_prices SET currency = json_extract(doc, '$.currency'),"
        " country = json_extract(doc, '$.location.countryCode'),"
        " sites = '|' || coalesce((SELECT group_concat(value, '|')"
        " FROM json_each(doc, '$.restrictions.siteCodes')), '') || '|'",
    ),
)

SHOP_TABLES = (
    "emporix_assignments",
    "emporix_prices",
    "emporix_price_models",
    "emporix_assets",
    "emporix_products",
    "emporix_templates",
    "emporix_categories",
    "emporix_coupons",
    "emporix_schemas",
    "emporix_schema_versions",
    "emporix_availabilities",
)
"""Every shop table, as a reset empties them (the clock offset is not shop state and stays)."""

Doc = dict[str, Any]


class Table:
    """A table of JSON documents keyed by ``key``; ``columns`` derive the indexed columns from a document."""

    def __init__(self, name: str, key: str = "id", columns: Mapping[str, Callable[[Doc], Any]] | None = None):
        self.name = name
        self.key = key
        self.columns = dict(columns or {})

    def get(self, db: sqlite3.Connection, key: str) -> Doc | None:
        row = db.execute(f"SELECT doc FROM {self.name} WHERE {self.key} = ?", (key,)).fetchone()
        return loads(row["doc"]) if row is not None else None

    def all(self, db: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = ()) -> list[Doc]:
        sql = f"SELECT doc FROM {self.name}{' WHERE ' + where if where else ''} ORDER BY seq"
        return [loads(row["doc"]) for row in db.execute(sql, params)]

    def save(self, db: sqlite3.Connection, doc: Doc) -> None:
        """Insert ``doc`` or replace the stored one with the same key (keeping its place in lists)."""
        names = [self.key, *self.columns, "doc"]
        values = [doc[self.key], *(derive(doc) for derive in self.columns.values()), dumps(doc)]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
        db.execute(
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
            f" ON CONFLICT({self.key}) DO UPDATE SET {updates}",
            values,
        )

    def delete(self, db: sqlite3.Connection, key: str) -> bool:
        return db.execute(f"DELETE FROM {self.name} WHERE {self.key} = ?", (key,)).rowcount > 0

    def keys(self, db: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> Iterator[str]:
        for row in db.execute(f"SELECT {self.key} FROM {self.name} WHERE {where} ORDER BY seq", params):
            yield row[0]


PRODUCTS = Table(
    "emporix_products", columns={"code": lambda d: d["code"], "parent_id": lambda d: d.get("parentVariantId")}
)
CATEGORIES = Table(
    "emporix_categories", columns={"code": lambda d: d.get("code"), "parent_id": lambda d: d.get("parentId")}
)
PRICE_MODELS = Table("emporix_price_models")
PRICES = Table(
    "emporix_prices",
    columns={
        "item_id": lambda d: d["itemId"]["id"],
        "model_id": lambda d: d["priceModelId"],
        "currency": lambda d: d.get("currency"),
        "country": lambda d: (d.get("location") or {}).get("countryCode"),
        "sites": lambda d: site_codes(d),
    },
)
"""Prices, with the columns a list filters on, so a page of a filtered list is read without decoding
every price."""


def site_codes(price: Mapping[str, Any]) -> str:
    """A price's sites as one column: ``|main|other|``, so each site is found by its ``|code|``."""
    return "|" + "|".join((price.get("restrictions") or {}).get("siteCodes") or []) + "|"
ASSETS = Table("emporix_assets")
COUPONS = Table("emporix_coupons", key="code")


def default_price_model(timestamp: str) -> Doc:
    """The price model every fresh shop holds: gross prices per piece, one tier from quantity 0."""
    return {
        "id": DEFAULT_PRICE_MODEL_ID,
        "includesTax": True,
        "includesMarkup": False,
        "default": True,
        "name": {"en": "Default price model", "de": "Standardpreismodell"},
        "description": {"en": "Gross prices per piece."},
        "tierDefinition": {
            "tierType": "BASIC",
            "tiers": [{"id": DEFAULT_TIER_ID, "minQuantity": {"quantity": 0, "unitCode": "pc"}}],
        },
        "measurementUnit": {"quantity": 1, "unitCode": "pc"},
        "metadata": {"version": 1, "createdAt": timestamp, "modifiedAt": timestamp},
    }


def seed(db: sqlite3.Connection) -> None:
    """The default price model; running it twice changes nothing."""
    if PRICE_MODELS.get(db, DEFAULT_PRICE_MODEL_ID) is None:
        PRICE_MODELS.save(db, default_price_model("2024-01-01T00:00:00.000Z"))


def asset_url(base_url: str, asset: Mapping[str, Any]) -> str:
    """Where an asset is served: a link's own URL, a public blob under the sandbox's media route."""
    if asset["type"] == "LINK":
        return str(asset["url"])
    return f"{base_url}/_sandbox/media/{asset['id']}/{quote(asset['details']['filename'])}"
