"""Products as the xPage API answers with them, and the product list's filters and order.

Readings where the API page is silent:

* A simple product (no options) has ``variants: []`` and its one sellable variant in ``default``; a
  product with options lists its variants and has ``default: null``.
* A variant's ``title`` is its values joined by " / " in option order (``S / Black``); the default
  variant's title is ``Default``. ``values`` are ``{order, value}`` with the option's ``order``.
* ``image`` is the first of ``images``. ``stock_tracked`` is always true and ``allow_order_when_oos``
  always false: the apps API cannot set them.
* ``out_of_stock=true`` lists products whose variants (or default) hold no quantity at all.
* Prices are JSON numbers: integers when whole (``25``), else decimals (``29.99``).
* ``search`` follows the ``search`` reading of :mod:`engine.sandbox.xpage.readings`: full-text (words of
  at least 3 letters or digits, any word matches, ranked by the number of the query's words a product
  holds) by default, or a case-insensitive substring of title, description or slug. Lists are ordered
  by ``order_by`` then by creation, both in ``order_direction`` (after the rank, for a full-text search).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from engine.sandbox.query import Page
from engine.sandbox.xpage.file_store import file_json

ORDER_COLUMNS = {"title": "p.title", "category": "c.name", "created_at": "p.created_at"}


VARIANT_COLUMNS = ("id", "product_id", "is_default", "sku", "price", "compare_price", "quantity")


@lru_cache(maxsize=4096)
def money(value: str | None) -> int | float | None:
    if value is None:
        return None
    amount = Decimal(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def product_row(db: sqlite3.Connection, product_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM xpage_products WHERE id = ?", (product_id,)
    ).fetchone()
    return row


class _Related:
    """Everything a page of products shows besides their own rows, read in a fixed number of queries
    (one per table, for all the page's products at once), whatever the page's size."""

    def __init__(self, db: sqlite3.Connection, rows: Sequence[sqlite3.Row]):
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        of_page = f"SELECT id FROM xpage_variants WHERE product_id IN ({marks})"
        plain = db.cursor()
        plain.row_factory = None  # tuples: the page's thousands of variant rows are read by position
        self.variants: dict[str, list[tuple[Any, ...]]] = {}
        for variant in plain.execute(
            f"SELECT {', '.join(VARIANT_COLUMNS)} FROM xpage_variants WHERE product_id IN ({marks})"
            " ORDER BY seq",
            ids,
        ):
            self.variants.setdefault(variant[1], []).append(variant)
        self.properties = _grouped(
            db.execute(
                f"SELECT id, name, value, product_id FROM xpage_properties WHERE product_id IN ({marks})"
                " ORDER BY ord, seq",
                ids,
            ),
            "product_id",
        )
        self.options = _grouped(
            db.execute(f"SELECT * FROM xpage_options WHERE product_id IN ({marks}) ORDER BY ord, name", ids),
            "product_id",
        )
        self.values = _grouped(
            db.execute(
                "SELECT id, ord, value, option_id FROM xpage_option_values WHERE option_id IN"
                f" (SELECT id FROM xpage_options WHERE product_id IN ({marks})) ORDER BY ord, value",
                ids,
            ),
            "option_id",
        )
        ords = {o["id"]: o["ord"] for group in self.options.values() for o in group}
        by_id = {v["id"]: (ords[v["option_id"]], v["value"]) for group in self.values.values() for v in group}
        self.variant_values: dict[str, list[tuple[int, str]]] = {}
        for variant_id, value_id in plain.execute(
            f"SELECT variant_id, value_id FROM xpage_variant_values WHERE variant_id IN ({of_page})", ids
        ):  # a variant holds one value of each of its product's options (the writes check it)
            self.variant_values.setdefault(variant_id, []).append(by_id[value_id])
        for held in self.variant_values.values():
            held.sort(key=lambda pair: pair[0])
        categories = {row["category_id"] for row in rows if row["category_id"] is not None}
        self.categories = {
            c["id"]: {"id": c["id"], "name": c["name"]}
            for c in db.execute(
                f"SELECT id, name FROM xpage_categories WHERE id IN ({','.join('?' * len(categories))})",
                sorted(categories),
            )
        }
        self.files = _grouped(
            db.execute(
                "SELECT f.id, f.name, f.size, f.alt, f.mime_type, f.created_at, l.ord, l.fileable_type,"
                " l.fileable_id, l.role FROM xpage_file_links l JOIN xpage_files f ON f.id = l.file_id"
                f" WHERE l.placed = 1 AND ((l.fileable_type = 'product' AND l.fileable_id IN ({marks}))"
                f" OR (l.fileable_type = 'variant' AND l.fileable_id IN ({of_page})))"
                " ORDER BY l.ord, l.seq",
                [*ids, *ids],
            ),
            "fileable_type",
            "fileable_id",
            "role",
        )

    def linked(self, fileable_type: str, fileable_id: str, role: str) -> list[sqlite3.Row]:
        return self.files.get((fileable_type, fileable_id, role), [])

    def options_of(self, product_id: str) -> list[dict[str, Any]]:
        return [
            {
                "id": opt["id"],
                "name": opt["name"],
                "order": opt["ord"],
                "values": [
                    {"id": v["id"], "order": v["ord"], "value": v["value"]}
                    for v in self.values.get((opt["id"],), [])
                ],
            }
            for opt in self.options.get((product_id,), [])
        ]


def _grouped(rows: Iterable[sqlite3.Row], *keys: str) -> dict[tuple[Any, ...], list[sqlite3.Row]]:
    """Rows by the values of ``keys``, each group in the rows' order."""
    groups: dict[tuple[Any, ...], list[sqlite3.Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    return groups


def _variant_json(related: _Related, row: tuple[Any, ...], base: str) -> dict[str, Any]:
    variant_id, _, is_default, sku, price, compare_price, quantity = row
    held = related.variant_values.get(variant_id, [])
    values = [{"order": o, "value": v} for o, v in held]
    image = related.linked("variant", variant_id, "variant_image")
    digital = related.linked("variant", variant_id, "digital_product")
    return {
        "id": variant_id,
        "sku": sku,
        "price": money(price),
        "compare_price": money(compare_price),
        "quantity": quantity,
        "image": file_json(image[0], base) if image else None,
        "file": file_json(digital[0], base) if digital else None,
        "values": values,
        "title": "Default" if is_default else " / ".join(v for _, v in held),
    }


def product_json(db: sqlite3.Connection, row: sqlite3.Row, base: str) -> dict[str, Any]:
    """The documented product object; ``base`` is the app's root URL for file links."""
    [product] = products_json(db, [row], base)
    return product


def products_json(db: sqlite3.Connection, rows: Sequence[sqlite3.Row], base: str) -> list[dict[str, Any]]:
    """The documented product objects of ``rows``, in their order, from a fixed number of queries."""
    if not rows:
        return []
    related = _Related(db, rows)
    return [_product_json(related, row, base) for row in rows]


def _product_json(related: _Related, row: sqlite3.Row, base: str) -> dict[str, Any]:
    pid = row["id"]
    images = [file_json(f, base) for f in related.linked("product", pid, "product_images")]
    videos = [file_json(f, base) for f in related.linked("product", pid, "ugc_video")]
    variants = related.variants.get(pid, [])
    default = next((v for v in variants if v[2]), None)
    properties = related.properties.get((pid,), [])
    return {
        "id": pid,
        "slug": row["slug"],
        "title": row["title"],
        "description": row["description"],
        "page_title": row["page_title"],
        "meta_description": row["meta_description"],
        "is_digital": bool(row["is_digital"]),
        "status": row["status"],
        "stock_tracked": bool(row["stock_tracked"]),
        "allow_order_when_oos": bool(row["allow_order_when_oos"]),
        "created_at": row["created_at"],
        "image": images[0] if images else None,
        "images": images,
        "ugc_videos": videos,
        "options": related.options_of(pid),
        "variants": [_variant_json(related, v, base) for v in variants if not v[2]],
        "category": related.categories.get(row["category_id"]) if row["category_id"] is not None else None,
        "default": _variant_json(related, default, base) if default is not None else None,
        "properties": [{"id": p["id"], "name": p["name"], "value": p["value"]} for p in properties],
    }


def list_products(
    db: sqlite3.Connection, params: dict[str, Any], page: Page, base: str, *, fulltext: bool = False
) -> tuple[list[Any], int]:
    """One page of products matching the list filters in ``params``, and how many match in all."""
    terms = words(params["search"]) if fulltext and "search" in params else None
    filters = {k: v for k, v in params.items() if k != "search"} if terms is not None else params
    where, args = _filters(filters)
    sql_where = f" WHERE {' AND '.join(where)}" if where else ""
    joins = " FROM xpage_products p LEFT JOIN xpage_categories c ON c.id = p.category_id"
    direction = "DESC" if page.descending else "ASC"
    column = ORDER_COLUMNS[params.get("order_by", "created_at")]
    ordered = f"SELECT p.*{joins}{sql_where} ORDER BY {column} {direction}, p.seq {direction}"
    if terms is not None:
        ranked = _ranked(db.execute(ordered, args).fetchall(), terms)
        return products_json(db, ranked[page.offset : page.offset + page.size], base), len(ranked)
    total = db.execute(f"SELECT COUNT(*){joins}{sql_where}", args).fetchone()[0]
    rows = db.execute(f"{ordered} LIMIT ? OFFSET ?", [*args, page.size, page.offset]).fetchall()
    return products_json(db, rows, base), total


MIN_WORD = 3
"""Shorter words are not indexed, as in common full-text engines (MySQL's InnoDB default)."""


def words(text: str | None) -> set[str]:
    """The indexed words of a text: case-folded runs of letters and digits of :data:`MIN_WORD` or more."""
    return {w for w in re.findall(r"[^\W_]+", (text or "").casefold()) if len(w) >= MIN_WORD}


def _ranked(rows: list[sqlite3.Row], terms: set[str]) -> list[sqlite3.Row]:
    """Rows holding any of ``terms`` in title, description or slug, most terms first (stable)."""
    scored = []
    for row in rows:
        held = words(row["title"]) | words(row["description"]) | words(row["slug"])
        score = len(terms & held)
        if score:
            scored.append((score, row))
    scored.sort(key=lambda pair: -pair[0])
    return [row for _, row in scored]


def _filters(params: dict[str, Any]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if "search" in params:
        term = "%" + params["search"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(p.title LIKE ? ESCAPE '\\' OR IFNULL(p.description, '') LIKE ? ESCAPE '\\'"
            " OR p.slug LIKE ? ESCAPE '\\')"
        )
        args += [term, term, term]
    for name, column in (("title", "p.title"), ("status", "p.status"), ("category", "p.category_id")):
        if name in params:
            where.append(f"{column} = ?")
            args.append(params[name])
    if "is_digital" in params:
        where.append("p.is_digital = ?")
        args.append(int(params["is_digital"]))
    if "out_of_stock" in params:
        stock = "(SELECT IFNULL(SUM(v.quantity), 0) FROM xpage_variants v WHERE v.product_id = p.id)"
        where.append(f"{stock} {'<= 0' if params['out_of_stock'] else '> 0'}")
    return where, args
