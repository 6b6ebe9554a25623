"""Applying many product changes with few requests: one create per set of vendors, one update per vendor.

The plan's changes are per product; the Partner API's writes are per request with any number of SKUs. A
batch gathers every SKU item of the changes it is given, then:

1. creates: ``POST .../catalog`` per set of vendors missing the same SKUs (usually one request for all),
   at most ``CHUNK`` SKUs each; a create whose answer was lost is sent again only after every vendor's
   catalog has been read and found without the SKUs (:func:`engine.http.create_once`);
2. updates: ``PUT .../vendors/{id}/catalog`` per vendor with every price, active and quantity that differs
   there, including the quantity or ``active: false`` of SKUs just created, at most ``CHUNK`` SKUs each;
3. waits for every job (:class:`engine.platforms.partner.jobs.JobWaiter`) and gives each change the
   rejections of its own SKUs.

No size limit per request is published; ``CHUNK`` = 1000 SKUs keeps bodies well under a megabyte.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import PlatformError, ShelfError
from engine.ledger import Ledger
from engine.model import Product
from engine.plan.model import Action, Change
from engine.platforms.partner.api import PartnerApi
from engine.platforms.partner.jobs import JobWaiter, rejections
from engine.platforms.partner.mapping import Row, create_item, price_of
from engine.platforms.partner.read import QUANTITIES, quantity_key

CHUNK = 1000


@dataclass
class Settings:
    vendors: tuple[str, ...]
    locales: Mapping[str, str]
    image_base_url: str | None
    category_ids: Mapping[str, str]


@dataclass
class Work:
    """The SKU items one batch sends, each remembered with the address of the change it belongs to."""

    creates: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    follow: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # sku -> vendor -> item
    updates: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, address: str, reason: str) -> None:
        self.failed.setdefault(address, []).append(reason)


def plan_work(
    changes: Sequence[Change], rows: Mapping[str, Mapping[str, Row]], ledger: Ledger, settings: Settings
) -> tuple[Work, dict[str, str]]:
    """What to send for ``changes``, and which change each SKU belongs to."""
    work = Work()
    owner: dict[str, str] = {}
    for change in changes:
        product = change.desired
        if change.action in (Action.DEACTIVATE, Action.DELETE):
            for vendor in settings.vendors:
                for sku, row in rows.get(vendor, {}).items():
                    if _belongs(sku, change) and row.get("active", True):
                        owner[sku] = change.address
                        work.updates.setdefault(vendor, []).append(
                            (change.address, {"sku": sku, "active": False})
                        )
            continue
        if not isinstance(product, Product):
            work.fail(change.address, "the change carries no desired product; plan again")
            continue
        category_id = settings.category_ids.get(product.category or "")
        for variant in product.variants:
            sku = variant.sku or ""
            owner[sku] = change.address
            missing = tuple(v for v in settings.vendors if sku not in rows.get(v, {}))
            if missing:
                item = create_item(
                    product,
                    variant,
                    locales=settings.locales,
                    image_base_url=settings.image_base_url,
                    category_id=category_id,
                )
                work.creates.setdefault(missing, []).append((change.address, item))
            for vendor in settings.vendors:
                held: Row | None = rows.get(vendor, {}).get(sku)
                put: dict[str, Any] = {"sku": sku}
                if held is not None and price_of(held) != variant.price:
                    put["price"] = variant.price
                wanted_active = product.status == "active"
                if (held is None and not wanted_active) or (
                    held is not None and bool(held.get("active", True)) != wanted_active
                ):
                    put["active"] = wanted_active
                sent = ledger.get(QUANTITIES, quantity_key(vendor, sku))
                if variant.stock is not None and sent != variant.stock:
                    put["quantity"] = variant.stock
                if len(put) == 1:
                    continue
                if held is None:
                    work.follow.setdefault(sku, {})[vendor] = put
                else:
                    work.updates.setdefault(vendor, []).append((change.address, put))
    return work, owner


def _belongs(sku: str, change: Change) -> bool:
    return change.key == sku or (change.live_id is not None and change.live_id == sku)


async def run_work(work: Work, api: PartnerApi, waiter: JobWaiter, ledger: Ledger) -> dict[str, list[str]]:
    """Send ``work``; the reasons each failed change's address failed for."""
    creates = [
        _create(vendors, items[i : i + CHUNK], api, waiter, work)
        for vendors, items in work.creates.items()
        for i in range(0, len(items), CHUNK)
    ]
    await asyncio.gather(*creates)
    created_by = {item["sku"]: address for items in work.creates.values() for address, item in items}
    for sku, per_vendor in work.follow.items():
        address = created_by.get(sku, "")
        if address in work.failed:
            continue  # its create was rejected or lost: nothing to follow up
        for vendor, item in per_vendor.items():
            work.updates.setdefault(vendor, []).append((address, item))
    updates = [
        _update(vendor, items[i : i + CHUNK], api, waiter, work, ledger)
        for vendor, items in work.updates.items()
        for i in range(0, len(items), CHUNK)
    ]
    await asyncio.gather(*updates)
    return work.failed


async def _create(
    vendors: tuple[str, ...],
    items: list[tuple[str, dict[str, Any]]],
    api: PartnerApi,
    waiter: JobWaiter,
    work: Work,
) -> None:
    skus = [item["sku"] for _, item in items]

    async def send() -> dict[str, Any]:
        job_id = await api.create(vendors, [item for _, item in items])
        return await waiter.outcome("catalog", job_id)

    async def lookup() -> dict[str, Any] | None:
        held = await asyncio.gather(*(api.catalog(v) for v in vendors))
        if all(set(skus) <= {str(r.get("sku")) for r in rows} for rows in held):
            return {"job_status": "COMPLETED", "result": {"item_level_feedback": []}}
        return None

    try:
        job = await api.http.create_once(send, lookup)
    except ShelfError as exc:
        for address, _ in items:
            work.fail(address, exc.message)
        return
    refused = rejections(job)
    for address, item in items:
        for reason in refused.get(item["sku"], []):
            work.fail(address, f"SKU {item['sku']} rejected ({', '.join(vendors)}): {reason}")


async def _update(
    vendor: str,
    items: list[tuple[str, dict[str, Any]]],
    api: PartnerApi,
    waiter: JobWaiter,
    work: Work,
    ledger: Ledger,
) -> None:
    try:
        job_id = await api.update(vendor, [item for _, item in items])
        job = await waiter.outcome("catalog", job_id)
    except ShelfError as exc:
        for address, _ in items:
            work.fail(address, exc.message)
        return
    refused = rejections(job)
    for address, item in items:
        reasons = refused.get(item["sku"])
        if reasons:
            for reason in reasons:
                work.fail(address, f"SKU {item['sku']} rejected by vendor {vendor}: {reason}")
        elif "quantity" in item:
            ledger.put(QUANTITIES, quantity_key(vendor, item["sku"]), item["quantity"])


def failure(address: str, reasons: Sequence[str]) -> PlatformError:
    shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
    return PlatformError(
        shown, where=address, hint="fix the recipe (or the shop) as the reason says, then apply again"
    )
