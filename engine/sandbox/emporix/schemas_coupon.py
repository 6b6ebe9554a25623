"""Coupon bodies, written from ``coupon.api.yml``. Fields a read answers but a write does not take
(``code`` on updates, ``status``, ``deleted``, ``redemptionCount``, ``referralCoupon``,
``legalEntityRedemptions``) are accepted and ignored, as the tutorial's update example sends them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.emporix.schemas_common import (
    BOOLEAN,
    DATETIME,
    MIXIN_SCHEMAS,
    OBJECT,
    STRING,
    STRINGS,
    strict,
)
from engine.sandbox.validation import SchemaValidator

DISCOUNT_TYPES = ("PERCENT", "ABSOLUTE", "FREE_SHIPPING")
AMOUNT: Mapping[str, Any] = strict(
    {
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "x-format": "ISO 4217 currency code"},
    }
)
REDEMPTIONS: Mapping[str, Any] = {"type": "integer", "minimum": -1}
_COUPON: dict[str, Any] = {
    "name": STRING,
    "description": STRING,
    "discountType": {"enum": list(DISCOUNT_TYPES)},
    "discountPercentage": {"type": "number", "minimum": 0, "maximum": 100},
    "discountAbsolute": AMOUNT,
    "allowAnonymous": BOOLEAN,
    "maxRedemptions": REDEMPTIONS,
    "maxRedemptionsPerCustomer": REDEMPTIONS,
    "discountCalculationType": {"enum": ["TOTAL", "SUBTOTAL"]},
    "categoryRestricted": BOOLEAN,
    "segmentRestricted": BOOLEAN,
    "restrictions": strict(
        {
            "validFor": STRINGS,
            "validFrom": DATETIME,
            "validUntil": DATETIME,
            "minOrderValue": AMOUNT,
            "includedCategories": STRINGS,
            "excludedCategories": STRINGS,
            "segments": STRINGS,
        }
    ),
    "issuedTo": STRING,
    "mixins": OBJECT,
    "metadata": strict({"version": {"type": "integer", "minimum": 0}, "mixins": MIXIN_SCHEMAS}),
}
_READ_ONLY: dict[str, Any] = {
    "code": STRING,
    "status": STRING,
    "deleted": BOOLEAN,
    "redemptionCount": {"type": "number"},
    "referralCoupon": BOOLEAN,
    "legalEntityRedemptions": {"type": "array"},
}
READ_ONLY = tuple(_READ_ONLY)
COUPON_CREATE = SchemaValidator(
    strict({**_COUPON, "code": {"type": "string", "minLength": 1, "pattern": r"^\S+$"}}, ("name",))
)
COUPON_UPDATE = SchemaValidator(strict({**_COUPON, **_READ_ONLY}))
