"""Recipe promotions as Partner promotions (``PUT /v2/chains/{chain_id}/promotion``).

* ``discount: {percent}`` is STRIKETHROUGH with PERCENTAGE (15 means 15 %), ``{amount}`` ABSOLUTE and
  ``{price}`` FINAL_PRICE, one discount entry listing every SKU of the promotion.
* ``bundle: {buy: N, pay: M}`` is SAME_ITEM_BUNDLE with ``conditions.purchased_quantity: N`` and
  ``discounted_quantity: N - M``, the discounted items at PERCENTAGE 100 (free). The sketch marks the two
  quantities as guesses; this is the reading that makes "buy 3, pay 2" one free item in three.
* The platform knows a promotion by its name, vendors and times, and has no endpoint to read it back: what
  was sent is kept in the ledger. Changing the times is a new promotion, so the old one is sent again with
  ``active: false`` first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from engine.model import Promotion
from engine.platforms.partner.mapping import locale_text

PROMOTIONS = "promotions"
SUBTYPES = {"percent": "PERCENTAGE", "amount": "ABSOLUTE", "price": "FINAL_PRICE"}


def instant(value: str | None) -> str:
    """An ISO 8601 time as UTC with a ``Z``, the form the sketch's example uses."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def promotion_body(
    promotion: Promotion, vendors: Sequence[str], skus: Sequence[str], locales: Mapping[str, str]
) -> dict[str, Any]:
    conditions: dict[str, Any] = {
        "start_time": instant(promotion.starts_at),
        "end_time": instant(promotion.ends_at),
    }
    if promotion.bundle is not None:
        conditions["purchased_quantity"] = promotion.bundle.buy
        conditions["discounted_quantity"] = promotion.bundle.buy - promotion.bundle.pay
        entry: dict[str, Any] = {"discount_subtype": "PERCENTAGE", "discount_value": Decimal(100)}
        kind = "SAME_ITEM_BUNDLE"
    else:
        assert promotion.discount is not None
        entry = {
            "discount_subtype": SUBTYPES[promotion.discount.kind],
            "discount_value": promotion.discount.value,
        }
        kind = "STRIKETHROUGH"
    return {
        "vendors": list(vendors),
        "type": kind,
        "active": True,
        "display_name": locale_text(promotion.title, locales)
        or {next(iter(locales.values())): promotion.key},
        "conditions": conditions,
        "discount": [{**entry, "active": True, "sku": list(skus)}],
    }


def identity(body: Mapping[str, Any]) -> str:
    conditions = body["conditions"]
    return json.dumps(
        [
            sorted(body["display_name"].items()),
            sorted(body["vendors"]),
            conditions["start_time"],
            conditions["end_time"],
        ]
    )


def to_ledger(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body as plain JSON (money as text)."""
    plain: dict[str, Any] = json.loads(json.dumps(body, default=str))
    return plain


def from_ledger(body: Mapping[str, Any]) -> dict[str, Any]:
    """A body from the ledger, its money exact again, switched off."""
    again = json.loads(json.dumps(body))
    for entry in again.get("discount") or []:
        entry["discount_value"] = Decimal(str(entry["discount_value"]))
        entry["active"] = False
    again["active"] = False
    return dict(again)


def failures(job: Mapping[str, Any]) -> list[str]:
    """What a finished promotion job refused, as readable lines."""
    result = job.get("result") or {}
    lines = [f"vendor {v} is not a vendor of the chain" for v in result.get("invalid_vendors") or []]
    for name, why in (
        ("missing_skus", "not in the vendor's catalog"),
        ("invalid_discounted_skus", "refused"),
    ):
        for vendor, skus in (result.get(name) or {}).items():
            lines.extend(f"SKU {s} at vendor {vendor}: {why}" for s in skus)
    if str(job.get("job_status")) != "COMPLETED" and not lines:
        lines.append(f"the job ended {job.get('job_status')}")
    return lines
