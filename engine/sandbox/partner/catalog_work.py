"""What catalog jobs do when they run: add products to vendors, or update them by SKU.

Readings where the documents are silent (listed in docs/platforms/partner.md):

* Content the guide describes as checked by the platform is a per-SKU rejection in the job's
  ``item_level_feedback``: a title or description in a locale the chain does not use, an image that is not
  an absolute http(s) URL, an unknown category global id, a price with more than 3 decimals, a SKU sent
  twice in one request. Every rejection names the field (``rejected_data``) and why
  (``rejected_reason``); an accepted SKU has status ``ACCEPTED`` and no reasons.
* More than 3 decimals: the sketch says the platform truncates (4.5555 -> 4.555); the guide is silent.
  The emulator rejects such a SKU by default and truncates with ``price_decimals="truncate"``.
* A create for a SKU a vendor already holds changes nothing there and lists the SKU under
  ``duplicated_products``; the update endpoint rejects an unknown SKU (it cannot create).
* ``quantity`` is kept in its own column, never in the item the list endpoint answers with.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

Mode = Literal["reject", "truncate"]
MILLI = Decimal("0.001")


def _reason(data: str, why: str) -> dict[str, str]:
    return {"rejected_data": data, "rejected_reason": why}


def chain_locales(db: sqlite3.Connection, chain: str) -> list[str]:
    row = db.execute("SELECT locales FROM partner_chains WHERE chain_id = ?", (chain,)).fetchone()
    return list(json.loads(row["locales"])) if row else []


def chain_vendors(db: sqlite3.Connection, chain: str) -> list[str]:
    rows = db.execute("SELECT vendor_id FROM partner_vendors WHERE chain_id = ? ORDER BY vendor_id", (chain,))
    return [r["vendor_id"] for r in rows]


def price_of(value: Any, mode: Mode, reasons: list[dict[str, str]]) -> Decimal | None:
    """The price to store, or None (a reason added) when it has more than 3 decimals in reject mode."""
    price = Decimal(value)
    exponent = price.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        if mode == "truncate":
            return price.quantize(MILLI, rounding=ROUND_DOWN)
        reasons.append(_reason("price", f"{value} has more than 3 decimals"))
        return None
    return price


def _texts(item: dict[str, Any], name: str, locales: list[str], reasons: list[dict[str, str]]) -> None:
    for locale, value in (item.get(name) or {}).items():
        if locale not in locales:
            known = ", ".join(locales)
            reasons.append(_reason(name, f"locale {locale} is not a locale of this chain ({known})"))
        elif not value.strip():
            reasons.append(_reason(name, f"the {locale} text is empty"))
    if name == "title" and not item.get("title"):
        reasons.append(_reason("title", "a title in at least one locale is required"))


def _stored(item: dict[str, Any], price: Decimal) -> dict[str, Any]:
    barcodes = list(item.get("barcodes") or [])
    if item.get("barcode") and item["barcode"] not in barcodes:
        barcodes.insert(0, item["barcode"])
    return {
        "sku": item["sku"],
        "title": item.get("title") or {},
        "description": item.get("description") or {},
        "price": str(price),
        "active": True,
        "barcodes": barcodes,
        "category_global_ids": list(item.get("categories") or []),
        "images": [{"url": url} for url in item.get("images") or []],
    }


def run_create(db: sqlite3.Connection, chain: str, payload: dict[str, Any], mode: Mode) -> dict[str, Any]:
    locales = chain_locales(db, chain)
    vendors = payload["vendors"]
    if "*" in vendors:
        vendors = chain_vendors(db, chain)
    categories = {
        r["global_id"]
        for r in db.execute("SELECT global_id FROM partner_categories WHERE chain_id = ?", (chain,))
    }
    feedback: list[dict[str, Any]] = []
    duplicated: list[str] = []
    seen: set[str] = set()
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM partner_products").fetchone()[0]
    for item in payload["products"]:
        sku = item["sku"]
        reasons: list[dict[str, str]] = []
        if sku in seen:
            reasons.append(_reason("sku", "the SKU is sent twice in this request"))
        seen.add(sku)
        _texts(item, "title", locales, reasons)
        _texts(item, "description", locales, reasons)
        for url in item.get("images") or []:
            if not url.startswith(("http://", "https://")) or "://" not in url or url.endswith("://"):
                reasons.append(_reason("images", f"{url} is not an absolute http(s) URL"))
        for global_id in item.get("categories") or []:
            if global_id not in categories:
                reasons.append(_reason("categories", f"unknown category global id {global_id}"))
        price = price_of(item["price"], mode, reasons)
        if reasons or price is None:
            feedback.append({"sku": sku, "status": "REJECTED", "rejection_reasons": reasons})
            continue
        for vendor in vendors:
            exists = db.execute(
                "SELECT 1 FROM partner_products WHERE chain_id = ? AND vendor_id = ? AND sku = ?",
                (chain, vendor, sku),
            ).fetchone()
            if exists:
                if sku not in duplicated:
                    duplicated.append(sku)
                continue
            seq += 1
            db.execute(
                "INSERT INTO partner_products (chain_id, vendor_id, sku, item, quantity, seq)"
                " VALUES (?, ?, ?, ?, NULL, ?)",
                (chain, vendor, sku, json.dumps(_stored(item, price)), seq),
            )
        feedback.append({"sku": sku, "status": "ACCEPTED", "rejection_reasons": []})
    return {"item_level_feedback": feedback, "duplicated_products": duplicated}


def _find(db: sqlite3.Connection, chain: str, vendor: str, item: dict[str, Any]) -> sqlite3.Row | None:
    if "sku" in item:
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM partner_products WHERE chain_id = ? AND vendor_id = ? AND sku = ?",
            (chain, vendor, item["sku"]),
        ).fetchone()
        return row
    for row in db.execute(
        "SELECT * FROM partner_products WHERE chain_id = ? AND vendor_id = ?", (chain, vendor)
    ):
        if item["barcode"] in json.loads(row["item"]).get("barcodes", []):
            return row
    return None


def run_update(db: sqlite3.Connection, chain: str, payload: dict[str, Any], mode: Mode) -> dict[str, Any]:
    vendor = payload["vendor"]
    feedback: list[dict[str, Any]] = []
    for item in payload["body"]["products"]:
        sku = item.get("sku") or item.get("barcode")
        reasons: list[dict[str, str]] = []
        row = _find(db, chain, vendor, item)
        if row is None:
            why = "not in this vendor's catalog; this endpoint cannot create products"
            reasons.append(_reason("sku", why))
        price = price_of(item["price"], mode, reasons) if "price" in item else None
        if reasons or row is None:
            feedback.append({"sku": sku, "status": "REJECTED", "rejection_reasons": reasons})
            continue
        stored = json.loads(row["item"])
        if price is not None:
            stored["price"] = str(price)
        if "active" in item:
            stored["active"] = item["active"]
        quantity = item.get("quantity", row["quantity"])
        db.execute(
            "UPDATE partner_products SET item = ?, quantity = ?"
            " WHERE chain_id = ? AND vendor_id = ? AND sku = ?",
            (json.dumps(stored), quantity, chain, vendor, row["sku"]),
        )
        feedback.append({"sku": row["sku"], "status": "ACCEPTED", "rejection_reasons": []})
    return {"item_level_feedback": feedback}
