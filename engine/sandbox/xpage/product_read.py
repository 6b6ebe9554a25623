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
from decimal import Decimal
from typing import Any

from engine.sandbox.query import Page
from engine.sandbox.xpage.file_store import file_json, linked

ORDER_COLUMNS = {"title": "p.title", "category": "c.name", "created_at": "p.created_at"}


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


def options_of(db: sqlite3.Connection, product_id: str) -> list[dict[str, Any]]:
    options = []
    for opt in db.execute(
        "SELECT * FROM xpage_options WHERE product_id = ? ORDER BY ord, name", (product_id,)
    ):
        values = db.execute(
            "SELECT id, ord, value FROM xpage_option_values WHERE option_id = ? ORDER BY ord, value",
            (opt["id"],),
        ).fetchall()
        options.append(
            {
                "id": opt["id"],
                "name": opt["name"],
                "order": opt["ord"],
                "values": [{"id": v["id"], "order": v["ord"], "value": v["value"]} for v in values],
            }
        )
    return options


def variant_values(db: sqlite3.Connection, variant_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT o.ord AS ord, ov.value AS value FROM xpage_variant_values vv"
        " JOIN xpage_option_values ov ON ov.id = vv.value_id JOIN xpage_options o ON o.id = ov.option_id"
        " WHERE vv.variant_id = ? ORDER BY o.ord",
        (variant_id,),
    ).fetchall()
    return [{"order": r["ord"], "value": r["value"]} for r in rows]


def _variant_json(db: sqlite3.Connection, row: sqlite3.Row, base: str) -> dict[str, Any]:
    values = variant_values(db, row["id"])
    image = linked(db, "variant", row["id"], "variant_image")
    digital = linked(db, "variant", row["id"], "digital_product")
    return {
        "id": row["id"],
        "sku": row["sku"],
        "price": money(row["price"]),
        "compare_price": money(row["compare_price"]),
        "quantity": row["quantity"],
        "image": file_json(image[0], base) if image else None,
        "file": file_json(digital[0], base) if digital else None,
        "values": values,
        "title": " / ".join(v["value"] for v in values) if not row["is_default"] else "Default",
    }


def product_json(db: sqlite3.Connection, row: sqlite3.Row, base: str) -> dict[str, Any]:
    """The documented product object; ``base`` is the app's root URL for file links."""
    pid = row["id"]
    images = [file_json(f, base) for f in linked(db, "product", pid, "product_images")]
    videos = [file_json(f, base) for f in linked(db, "product", pid, "ugc_video")]
    variants = db.execute("SELECT * FROM xpage_variants WHERE product_id = ? ORDER BY seq", (pid,)).fetchall()
    default = next((v for v in variants if v["is_default"]), None)
    category = None
    if row["category_id"] is not None:
        cat = db.execute(
            "SELECT id, name FROM xpage_categories WHERE id = ?", (row["category_id"],)
        ).fetchone()
        category = {"id": cat["id"], "name": cat["name"]} if cat else None
    properties = db.execute(
        "SELECT id, name, value FROM xpage_properties WHERE product_id = ? ORDER BY ord, seq", (pid,)
    ).fetchall()
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
        "options": options_of(db, pid),
        "variants": [_variant_json(db, v, base) for v in variants if not v["is_default"]],
        "category": category,
        "default": _variant_json(db, default, base) if default is not None else None,
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
        return [product_json(db, r, base) for r in ranked[page.offset : page.offset + page.size]], len(ranked)
    total = db.execute(f"SELECT COUNT(*){joins}{sql_where}", args).fetchone()[0]
    rows = db.execute(f"{ordered} LIMIT ? OFFSET ?", [*args, page.size, page.offset]).fetchall()
    return [product_json(db, r, base) for r in rows], total


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
