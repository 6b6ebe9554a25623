"""Price and price model bodies, written from ``price-service.api.yml``.

``priceValue`` is a number in the reference, while the price tutorial sends text (``"629.00"``); both
are taken, read exactly, and answered as numbers. Fields a read answers but a write does not take
(``vendorId``, ``priceModel``, ``metadata.createdAt``/``modifiedAt``) are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.emporix.schemas_common import (
    BOOLEAN,
    COUNTRY,
    CURRENCY,
    DATETIME,
    LOCALIZED,
    MIXIN_SCHEMAS,
    NONEMPTY,
    OBJECT,
    STRING,
    strict,
)
from engine.sandbox.validation import SchemaValidator

TIER_TYPES = ("BASIC", "VOLUME", "TIERED")
AMOUNT: Mapping[str, Any] = {
    "type": ["number", "string"],
    "minimum": 0,
    "pattern": r"^\d+(\.\d+)?$",
    "x-format": "non-negative decimal number",
}
QUANTITY: Mapping[str, Any] = strict(
    {"quantity": {"type": "number", "minimum": 0}, "unitCode": NONEMPTY}, ("quantity", "unitCode")
)

_PRICE: dict[str, Any] = {
    "id": NONEMPTY,
    "itemId": strict({"itemType": {"enum": ["PRODUCT", "SKU"]}, "id": NONEMPTY}, ("itemType", "id")),
    "itemYrn": STRING,
    "currency": CURRENCY,
    "location": strict({"countryCode": COUNTRY}, ("countryCode",)),
    "salePrice": strict(
        {
            "discountAmount": {"type": "number", "minimum": 0},
            "discountRate": {"type": "number", "minimum": 0, "maximum": 100},
            "description": STRING,
        }
    ),
    "restrictions": strict(
        {
            "principals": {
                "type": "array",
                "items": strict({"type": {"enum": ["CUSTOMER", "GROUP"]}, "id": NONEMPTY}, ("type", "id")),
            },
            "validity": strict({"from": DATETIME, "to": DATETIME}),
            "siteCodes": {"type": "array", "minItems": 1, "items": NONEMPTY},
            "priceListId": STRING,
        },
        ("siteCodes",),
    ),
    "priceModelId": NONEMPTY,
    "tierValues": {
        "type": "array",
        "minItems": 1,
        "items": strict({"id": STRING, "priceValue": AMOUNT}, ("priceValue",)),
    },
    "mixins": OBJECT,
}
_REQUIRED = ("itemId", "currency", "location", "tierValues")
_UPDATE_METADATA = strict(
    {
        "version": {"type": "integer", "minimum": 1},
        "mixins": MIXIN_SCHEMAS,
        "createdAt": STRING,
        "modifiedAt": STRING,
    }
)
PRICE_CREATE_SCHEMA = strict({**_PRICE, "metadata": strict({"mixins": MIXIN_SCHEMAS})}, _REQUIRED)
PRICE_UPDATE_SCHEMA = strict(
    {**_PRICE, "vendorId": STRING, "priceModel": OBJECT, "metadata": _UPDATE_METADATA}
)
PRICE_CREATE = SchemaValidator(PRICE_CREATE_SCHEMA)
PRICE_UPDATE = SchemaValidator(PRICE_UPDATE_SCHEMA)
PRICE_REQUIRED = _REQUIRED

PRICE_MODEL = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "includesTax": BOOLEAN,
            "includesMarkup": BOOLEAN,
            "default": BOOLEAN,
            "name": LOCALIZED,
            "description": LOCALIZED,
            "tierDefinition": strict(
                {
                    "tierType": {"enum": list(TIER_TYPES)},
                    "tiers": {
                        "type": "array",
                        "items": strict({"id": NONEMPTY, "minQuantity": QUANTITY}, ("minQuantity",)),
                    },
                },
                ("tierType",),
            ),
            "measurementUnit": QUANTITY,
        },
        ("includesTax", "name", "tierDefinition", "measurementUnit"),
    )
)
