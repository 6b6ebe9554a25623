"""A large shop written straight into the emulator's tables, for measuring reads at catalog scale.

Creating 10,000 products through the API takes minutes; benchmarks and tests of the list's speed need
the rows, not the route that writes them. Every product has the shape the API would give it: two
options (``Size`` and ``Color``), one variant per combination with its values, a category, a property.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence

from engine.sandbox.xpage.db import category_id

SIZES = ("XS", "S", "M", "L")
COLORS = ("Red", "Green", "Blue")


def seed_products(
    db: sqlite3.Connection,
    count: int,
    *,
    sizes: Sequence[str] = SIZES,
    colors: Sequence[str] = COLORS,
    category: str = "Home",
) -> None:
    """``count`` products ``item-00000``... with a variant per size and color (12 by default), in bulk
    inserts; ``category`` is a seed category's name. Ids are UUIDs counted from the shop's row count,
    so a second call adds more products (version-4-shaped, counted rather than random: quicker to make)."""
    products, options, values, variants, links, properties = [], [], [], [], [], []
    combos = list(itertools.product(enumerate(sizes), enumerate(colors)))
    start = db.execute("SELECT COUNT(*) FROM xpage_products").fetchone()[0]
    counter = itertools.count(start * 1000)

    def _id(*_: object) -> str:
        return f"00000000-0000-4000-8000-{next(counter):012x}"

    home = category_id(category)

    for i in range(start, start + count):
        pid = _id("product", i)
        products.append(
            (pid, f"item-{i:05d}", f"Item {i}", f"Generated product number {i}.", home)
        )
        properties.append((_id("property", i), pid, "Material", "Cotton"))
        value_ids: dict[tuple[int, int], str] = {}
        for o, (name, choices) in enumerate((("Size", sizes), ("Color", colors))):
            oid = _id("option", i, o)
            options.append((oid, pid, name, o))
            for v, value in enumerate(choices):
                value_ids[(o, v)] = _id("value", i, o, v)
                values.append((value_ids[(o, v)], oid, v, value))
        for (s, size), (c, color) in combos:
            vid = _id("variant", i, s, c)
            variants.append((vid, pid, f"ITEM-{i:05d}-{size}-{color}", "20", 5))
            links += [(vid, value_ids[(0, s)]), (vid, value_ids[(1, c)])]
    db.executemany(
        "INSERT INTO xpage_products (id, slug, title, description, is_digital, status, stock_tracked,"
        " allow_order_when_oos, category_id, created_at)"
        " VALUES (?, ?, ?, ?, 0, 'active', 1, 0, ?, '2026-01-01T00:00:00Z')",
        products,
    )
    db.executemany(
        "INSERT INTO xpage_properties (id, product_id, name, value, ord) VALUES (?, ?, ?, ?, 0)", properties
    )
    db.executemany("INSERT INTO xpage_options (id, product_id, name, ord) VALUES (?, ?, ?, ?)", options)
    db.executemany("INSERT INTO xpage_option_values (id, option_id, ord, value) VALUES (?, ?, ?, ?)", values)
    db.executemany(
        "INSERT INTO xpage_variants (id, product_id, is_default, sku, price, quantity)"
        " VALUES (?, ?, 0, ?, ?, ?)",
        variants,
    )
    db.executemany("INSERT INTO xpage_variant_values (variant_id, value_id) VALUES (?, ?)", links)
