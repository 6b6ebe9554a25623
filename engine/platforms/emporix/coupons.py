"""Promotions as Emporix coupons, the platform's promotion primitive.

Readings chosen:

* The coupon's ``code`` is the recipe's ``code``, in capitals (Emporix keeps codes upper-case and
  compares them without case); a promotion without a code cannot be a coupon.
* ``percent`` discounts are ``PERCENT`` coupons, ``amount`` discounts ``ABSOLUTE`` coupons in the
  target's currency; ``starts_at``/``ends_at`` are ``restrictions.validFrom``/``validUntil``; category
  restrictions are ``categoryRestricted`` with ``restrictions.includedCategories``.
* The coupon's ``name`` is the title in the target's first language (coupon names have one language).
* The promotion's key is kept in the coupon's ``shelf`` mixin; a coupon without it is read under the
  key of the recipe promotion with its code, else under its code in lower case.
* Everything else of a coupon (description, redemption limits, anonymous use, customer and segment
  restrictions) is the shop's and is sent back unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.model import ANY_LANGUAGE, Discount, Promotion
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.mixins import SHELF, shelf_of, with_mixin
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.texts import one

READ_ONLY = ("code", "status", "deleted", "redemptionCount", "referralCoupon", "legalEntityRedemptions")


def coupon_key(doc: Mapping[str, Any], by_code: Mapping[str, str]) -> str:
    key = shelf_of(doc).get("key")
    code = str(doc.get("code") or "")
    return str(key) if key else by_code.get(code.upper(), code.lower())


def promotion_from_live(doc: Mapping[str, Any], key: str, category_keys: Mapping[str, str]) -> Promotion:
    restrictions = doc.get("restrictions") or {}
    kind = doc.get("discountType")
    if kind == "PERCENT":
        discount = Discount("percent", Decimal(str(doc.get("discountPercentage") or 0)))
    else:
        amount = (doc.get("discountAbsolute") or {}).get("amount") or 0
        discount = Discount("amount", Decimal(str(amount)))
    included = restrictions.get("includedCategories") or [] if doc.get("categoryRestricted") else []
    return Promotion(
        key=key,
        title={ANY_LANGUAGE: str(doc.get("name") or "")},
        discount=discount,
        categories=tuple(category_keys.get(str(c), str(c)) for c in included),
        starts_at=restrictions.get("validFrom"),
        ends_at=restrictions.get("validUntil"),
        code=str(doc.get("code") or "") or None,
    )


def coupon_doc(
    promotion: Promotion, live: Doc | None, category_ids: list[str], settings: Settings, mixin_url: str
) -> Doc:
    """The coupon as sent: ``live`` with shelf's fields replaced (without its code: the path names it;
    ``mixin_url``: the hosted schema of shelf's mixin)."""
    doc = {k: copy.deepcopy(v) for k, v in (live or {}).items() if k not in READ_ONLY}
    doc["metadata"] = {
        k: v for k, v in (live or {}).get("metadata", {}).items() if k in ("version", "mixins")
    }
    doc["name"] = one(promotion.title, settings.language) or promotion.key
    discount = promotion.discount or Discount("percent", Decimal(0))  # bundles never get here: see prepare
    if discount.kind == "percent":
        doc["discountType"] = "PERCENT"
        doc["discountPercentage"] = discount.value
        doc.pop("discountAbsolute", None)
    else:
        doc["discountType"] = "ABSOLUTE"
        doc["discountAbsolute"] = {"amount": discount.value, "currency": settings.currency}
        doc.pop("discountPercentage", None)
    restrictions = dict(doc.get("restrictions") or {})
    for field, value in (("validFrom", promotion.starts_at), ("validUntil", promotion.ends_at)):
        if value:
            restrictions[field] = value
        else:
            restrictions.pop(field, None)
    if category_ids:
        restrictions["includedCategories"] = list(category_ids)
    else:
        restrictions.pop("includedCategories", None)
    doc["categoryRestricted"] = bool(category_ids) or bool(restrictions.get("excludedCategories"))
    if restrictions:
        doc["restrictions"] = restrictions
    else:
        doc.pop("restrictions", None)
    with_mixin(doc, SHELF, {"key": promotion.key}, mixin_url)
    return doc
