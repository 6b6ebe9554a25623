"""Options, option values, variants and the default variant of one product write.

See :mod:`engine.sandbox.xpage.product_write` for the readings these follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from engine.sandbox.xpage import file_store as files
from engine.sandbox.xpage.write_base import WriteBase

SALE_COLUMNS = ("price", "compare_price", "sku", "quantity")


def _stored(column: str, value: Any) -> Any:
    return str(value) if column in ("price", "compare_price") and value is not None else value


class VariantWrites(WriteBase):
    """The option and variant steps of a product write, and the final coherence check."""

    # -- options --------------------------------------------------------------------------------------

    def _options(self, pid: str, items: Sequence[Mapping[str, Any]]) -> None:
        existing = {
            r["id"]: r for r in self.db.execute("SELECT * FROM xpage_options WHERE product_id = ?", (pid,))
        }
        kept: list[str] = []
        orders: dict[int, int] = {}
        names: dict[str, int] = {}
        for i, item in enumerate(items):
            key = f"metadata.options.{i}"
            if "id" in item:
                row = existing.get(item["id"])
                if row is None or item["id"] in kept:
                    self.error(
                        f"{key}.id",
                        "no option with this id on this product" if row is None else "given twice",
                    )
                    continue
                oid, name, order = row["id"], item.get("name", row["name"]), item.get("order", row["ord"])
                self.db.execute("UPDATE xpage_options SET name = ?, ord = ? WHERE id = ?", (name, order, oid))
            else:
                oid, name, order = str(uuid.uuid4()), item["name"], item.get("order", i)
                self.db.execute(
                    "INSERT INTO xpage_options (id, product_id, name, ord) VALUES (?, ?, ?, ?)",
                    (oid, pid, name, order),
                )
            kept.append(oid)
            if order in orders:
                self.error(f"{key}.order", f"option order {order} is already used by options.{orders[order]}")
            if name.casefold() in names:
                self.error(
                    f"{key}.name", f"option name {name!r} is already used by options.{names[name.casefold()]}"
                )
            orders.setdefault(order, i)
            names.setdefault(name.casefold(), i)
            if "values" in item:
                self._option_values(oid, item["values"], f"{key}.values")
        gone = [oid for oid in existing if oid not in kept] if self.readings.lists_replace else []
        self.db.executemany("DELETE FROM xpage_options WHERE id = ?", [(oid,) for oid in gone])

    def _option_values(self, oid: str, items: Sequence[Mapping[str, Any]], key: str) -> None:
        rows = self.db.execute(
            "SELECT id, value FROM xpage_option_values WHERE option_id = ?", (oid,)
        ).fetchall()
        by_text = {r["value"]: r["id"] for r in rows}
        kept: list[str] = []
        texts: set[str] = set()
        for j, item in enumerate(items):
            vid = by_text.get(item["value"])
            if vid is None or vid in kept:
                vid = str(uuid.uuid4())
            if item["value"] in texts:
                self.error(f"{key}.{j}.value", f"the value {item['value']!r} is given twice")
            texts.add(item["value"])
            kept.append(vid)
            self.db.execute(
                "INSERT INTO xpage_option_values (id, option_id, ord, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, value = excluded.value",
                (vid, oid, item.get("order", j), item["value"]),
            )
        gone = [r["id"] for r in rows if r["id"] not in kept] if self.readings.lists_replace else []
        self.db.executemany("DELETE FROM xpage_option_values WHERE id = ?", [(vid,) for vid in gone])

    # -- variants -------------------------------------------------------------------------------------

    def _variants(self, pid: str, items: Sequence[Mapping[str, Any]]) -> None:
        rows = self.db.execute(
            "SELECT id, is_default FROM xpage_variants WHERE product_id = ?", (pid,)
        ).fetchall()
        existing = {r["id"] for r in rows if not r["is_default"]}
        kept: list[str] = []
        for i, item in enumerate(items):
            key = f"metadata.variants.{i}"
            if "id" in item and (item["id"] not in existing or item["id"] in kept):
                self.error(
                    f"{key}.id",
                    "no variant with this id on this product"
                    if item["id"] not in existing
                    else "given twice",
                )
                continue
            vid = self._sale_item(pid, item, key, is_default=False)
            kept.append(vid)
            self.variant_keys[vid] = key
            if "values" in item:
                self._variant_values(pid, vid, item["values"], f"{key}.values")
            if "image" in item:
                self._single_file(vid, "variant_image", item["image"], f"{key}.image", image=True)
        replaced = self.readings.lists_replace
        gone = [
            r["id"]
            for r in rows
            if r["id"] not in kept and ((items and r["is_default"]) or (replaced and not r["is_default"]))
        ]
        self._delete_variants(gone)

    def _default(self, pid: str, item: Mapping[str, Any]) -> None:
        row = self.db.execute(
            "SELECT id FROM xpage_variants WHERE product_id = ? AND is_default = 1", (pid,)
        ).fetchone()
        if row is None and "price" not in item:
            self.error("metadata.default.price", "required: the product has no default variant yet")
            return
        self._sale_item(pid, {**item, "id": row["id"]} if row else item, "metadata.default", is_default=True)

    def _sale_item(self, pid: str, item: Mapping[str, Any], key: str, *, is_default: bool) -> str:
        """Insert or update the sale fields of a variant or default; returns its id."""
        fields = {c: _stored(c, item[c]) for c in SALE_COLUMNS if c in item}
        if "id" in item:
            vid = item["id"]
            if fields:
                assignments = ", ".join(f"{c} = ?" for c in fields)
                self.db.execute(
                    f"UPDATE xpage_variants SET {assignments} WHERE id = ?", [*fields.values(), vid]
                )
        else:
            vid = str(uuid.uuid4())
            self.db.execute(
                "INSERT INTO xpage_variants (id, product_id, is_default, sku, price, compare_price, quantity)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    vid,
                    pid,
                    int(is_default),
                    fields.get("sku"),
                    fields["price"],
                    fields.get("compare_price"),
                    fields.get("quantity", 0),
                ),
            )
        if "file" in item:
            self._single_file(vid, "digital_product", item["file"], f"{key}.file", image=False)
        return vid

    def _variant_values(self, pid: str, vid: str, items: Sequence[Mapping[str, Any]], key: str) -> None:
        options = {
            r["ord"]: r
            for r in self.db.execute("SELECT id, name, ord FROM xpage_options WHERE product_id = ?", (pid,))
        }
        chosen: list[str] = []
        seen: set[int] = set()
        for j, item in enumerate(items):
            option = options.get(item["order"])
            if option is None:
                known = ", ".join(f"{o['ord']} ({o['name']})" for o in options.values()) or "none"
                self.error(f"{key}.{j}.order", f"no option has order {item['order']}; options: {known}")
                continue
            if item["order"] in seen:
                self.error(f"{key}.{j}.order", f"option {option['name']!r} is given a value twice")
                continue
            seen.add(item["order"])
            values = self.db.execute(
                "SELECT id, value FROM xpage_option_values WHERE option_id = ? ORDER BY ord", (option["id"],)
            ).fetchall()
            match = next((v["id"] for v in values if v["value"] == item["value"]), None)
            if match is None:
                allowed = ", ".join(v["value"] for v in values)
                self.error(
                    f"{key}.{j}.value", f"not a value of option {option['name']!r} (one of: {allowed})"
                )
                continue
            chosen.append(match)
        self.db.execute("DELETE FROM xpage_variant_values WHERE variant_id = ?", (vid,))
        self.db.executemany(
            "INSERT INTO xpage_variant_values (variant_id, value_id) VALUES (?, ?)",
            [(vid, v) for v in chosen],
        )

    def _delete_variants(self, ids: Sequence[str]) -> None:
        files.unlink_owner(self.db, "variant", ids)
        self.db.executemany("DELETE FROM xpage_variants WHERE id = ?", [(vid,) for vid in ids])

    # -- the product as it would end up ---------------------------------------------------------------

    def _check_coherent(self, pid: str) -> None:
        options = self.db.execute(
            "SELECT id, name FROM xpage_options WHERE product_id = ? ORDER BY ord", (pid,)
        ).fetchall()
        variants = self.db.execute(
            "SELECT id, sku, is_default FROM xpage_variants WHERE product_id = ? ORDER BY seq", (pid,)
        ).fetchall()
        has_default = any(v["is_default"] for v in variants)
        sellable = [v for v in variants if not v["is_default"]]
        if options and has_default:
            self.error(
                "metadata.default" if "default" in self.meta else "metadata.options",
                "a product with options has no default: send its variants instead",
            )
        if sellable and not options:
            self.error("metadata.variants", "variants need options; a simple product uses default")
            return
        names = ", ".join(o["name"] for o in options)
        combinations: dict[tuple[str, ...], str] = {}
        for variant in sellable:
            key = self.variant_keys.get(variant["id"])
            label = variant["sku"] or variant["id"]
            rows = self.db.execute(
                "SELECT ov.option_id, ov.id FROM xpage_variant_values vv"
                " JOIN xpage_option_values ov ON ov.id = vv.value_id"
                " WHERE vv.variant_id = ? ORDER BY ov.option_id",
                (variant["id"],),
            ).fetchall()
            if sorted(r["option_id"] for r in rows) != sorted(o["id"] for o in options):
                problem = f"variant {label} needs exactly one value of each option ({names})"
                if key:
                    self.error(f"{key}.values", problem)
                else:
                    self.error("metadata.options", f"{problem}; send the variants with the options")
                continue
            combination = tuple(sorted(r["id"] for r in rows))
            if combination in combinations:
                self.error(
                    f"{key}.values" if key else "metadata.variants",
                    f"variant {label} repeats the values of {combinations[combination]}",
                )
            combinations.setdefault(combination, label)
