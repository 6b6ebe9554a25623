"""Reading a chain's vendors into the canonical model.

Each vendor's whole catalog is listed (concurrently across vendors); a SKU is matched to the recipe
product that names it. Where the vendors of one target disagree about a SKU, the live value shown is one
that differs from the recipe, so that the plan carries the change and apply sends it to every vendor that
needs it. A SKU missing at some vendor leaves its variant out of the live product, which the plan shows as
that variant added (apply creates it where it is missing). SKUs no recipe names become products of their
own, keyed by SKU, which prune can deactivate.

``quantity`` cannot be read back: the live stock is what the ledger says was last sent to every vendor,
else unknown (None), which plans a re-send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.ledger import Ledger
from engine.model import Asset, Product, Variant
from engine.platforms.partner.mapping import Row, agreed, language_text, price_of, product_title

QUANTITIES = "quantities"


def quantity_key(vendor: str, sku: str) -> str:
    return f"{vendor}/{sku}"


def live_stock(ledger: Ledger, vendors: Sequence[str], sku: str) -> int | None:
    sent = [ledger.get(QUANTITIES, quantity_key(v, sku)) for v in vendors]
    if any(q is None for q in sent) or len(set(sent)) != 1:
        return None
    return int(sent[0])


def live_product(
    product: Product,
    held: Mapping[str, Sequence[Row | None]],
    vendors: Sequence[str],
    *,
    locales: Mapping[str, str],
    category_keys: Mapping[str, str],
    ledger: Ledger,
) -> Product:
    """The live counterpart of recipe ``product`` from the rows each vendor holds for its SKUs."""
    first_row: Row | None = None
    first_variant: Variant | None = None
    variants: list[Variant] = []
    actives: list[bool] = []
    for variant in product.variants:
        rows = held.get(variant.sku or "", [])
        present = [r for r in rows if r is not None]
        if present and first_row is None:
            first_row, first_variant = present[0], variant
        actives.extend(bool(r.get("active", True)) for r in present)
        if not present or len(present) < len(vendors):
            continue
        barcodes = [str((r.get("barcodes") or [None])[0] or "") or None for r in present]
        variants.append(
            Variant(
                options=variant.options,
                sku=variant.sku,
                price=agreed([price_of(r) for r in present], variant.price),
                stock=live_stock(ledger, vendors, variant.sku or ""),
                barcode=agreed(barcodes, variant.barcode),
            )
        )
    assert first_row is not None and first_variant is not None
    wanted_active = product.status == "active"
    active = agreed(actives, wanted_active) if actives else wanted_active
    return Product(
        key=product.key,
        title=language_text(product_title(first_row, first_variant), locales) or {},
        description=language_text(first_row.get("description"), locales),
        category=_category(first_row, category_keys),
        status="active" if active else "inactive",
        options=product.options,
        variants=tuple(variants),
        images=_images(first_row),
    )


def unknown_product(sku: str, rows: Sequence[Row], locales: Mapping[str, str]) -> Product:
    """A SKU no recipe names: a product of its own, keyed by its SKU, active where any vendor sells it."""
    first = rows[0]
    return Product(
        key=sku,
        title=language_text(first.get("title"), locales) or {},
        description=language_text(first.get("description"), locales),
        status="active" if any(r.get("active", True) for r in rows) else "inactive",
        variants=(Variant(sku=sku, price=price_of(first)),),
        images=_images(first),
    )


def _category(row: Row, keys: Mapping[str, str]) -> str | None:
    for global_id in row.get("category_global_ids") or []:
        if str(global_id) in keys:
            return keys[str(global_id)]
    return None


def _images(row: Row) -> tuple[Asset, ...]:
    urls: list[str] = []
    for image in row.get("images") or []:
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str) and url:
            urls.append(url)
    return tuple(Asset(ref=u, url=u, live_id=u) for u in urls)


def row_digest(rows: Sequence[Any]) -> str:
    """A version for a saved plan's staleness check: the rows as read, hashed."""
    import hashlib
    import json

    text = json.dumps(rows, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]
