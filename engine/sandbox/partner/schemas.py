"""The request bodies the Partner emulator accepts, as JSON Schemas.

The sketch gives bodies by example only; the emulator takes exactly the fields the examples show (an
unknown field is a 400 for the whole request, since a client that sends one has misread the API) and
checks their types. What the guide says about content (locales, image URLs, decimals, categories) is
checked per SKU when the job runs, because the platform reports those as per-SKU rejections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.validation import SchemaValidator

_TEXT: Mapping[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
_STRINGS: Mapping[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
_COUNT: Mapping[str, Any] = {"type": "integer", "minimum": 0}
_PRICE: Mapping[str, Any] = {"type": "number", "minimum": 0}

CREATE_ITEM: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sku", "title", "price"],
    "properties": {
        "sku": {"type": "string", "minLength": 1},
        "title": _TEXT,
        "description": _TEXT,
        "barcode": {"type": "string", "minLength": 1},
        "barcodes": _STRINGS,
        "images": _STRINGS,
        "categories": _STRINGS,
        "price": _PRICE,
        "is_sold_by_weight": {"type": "boolean"},
        "weight_specifications": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "base_weight": {"type": "number"},
                "average_weight_per_piece": {"type": "number"},
                "minimum_starting_weight": {"type": "number"},
            },
        },
    },
}

CREATE = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["vendors", "products"],
        "properties": {
            "vendors": {**_STRINGS, "minItems": 1},
            "products": {"type": "array", "minItems": 1, "items": CREATE_ITEM},
        },
    }
)

UPDATE = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["products"],
        "properties": {
            "products": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "anyOf": [{"required": ["sku"]}, {"required": ["barcode"]}],
                    "minProperties": 2,
                    "properties": {
                        "sku": {"type": "string", "minLength": 1},
                        "barcode": {"type": "string", "minLength": 1},
                        "price": _PRICE,
                        "active": {"type": "boolean"},
                        "quantity": _COUNT,
                        "maximum_sales_quantity": _COUNT,
                    },
                },
            }
        },
    }
)

PROMOTION = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["vendors", "type", "display_name", "conditions", "discount"],
        "properties": {
            "vendors": {**_STRINGS, "minItems": 1},
            "type": {"enum": ["STRIKETHROUGH", "SAME_ITEM_BUNDLE"]},
            "active": {"type": "boolean"},
            "reason": {
                "enum": ["OVERSTOCK", "DELISTING", "COMPETITIVENESS", "EXPIRING_SOON", "NMR", "TRADING"]
            },
            "display_name": {**_TEXT, "minProperties": 1},
            "conditions": {
                "type": "object",
                "additionalProperties": False,
                "required": ["start_time", "end_time"],
                "properties": {
                    "start_time": {"type": "string", "minLength": 1},
                    "end_time": {"type": "string", "minLength": 1},
                    "purchased_quantity": {"type": "integer", "minimum": 1},
                    "discounted_quantity": {"type": "integer", "minimum": 1},
                },
            },
            "limits": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "global_limit": _COUNT,
                    "max_discount_per_order": _COUNT,
                    "max_items_per_order": _COUNT,
                },
            },
            "discount": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["discount_subtype", "discount_value", "sku"],
                    "properties": {
                        "discount_subtype": {"enum": ["PERCENTAGE", "ABSOLUTE", "FINAL_PRICE"]},
                        "discount_value": {"type": "number", "minimum": 0},
                        "active": {"type": "boolean"},
                        "sku": {**_STRINGS, "minItems": 1},
                        "max_quantity": _COUNT,
                    },
                },
            },
        },
    }
)

LIST = SchemaValidator(
    {
        "type": "object",
        "properties": {
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "query_term": {"type": "string"},
            "locale": {"type": "string"},
            "category_global_ids": {"type": "string"},
            "is_active": {"type": "boolean"},
        },
    }
)

CATEGORIES = SchemaValidator({"type": "object", "properties": {"only_leaves": {"type": "boolean"}}})
