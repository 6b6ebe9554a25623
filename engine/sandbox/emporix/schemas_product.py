"""Product and product template bodies, written from ``product-service.api.yml``.

The reference composes its product schemas with ``allOf`` and ``additionalProperties: false``, which JSON
Schema makes refuse every field; the sandbox states the intent directly: one schema per operation with
exactly the documented fields. Fields the service answers but does not take (``yrn``, ``media``,
``categoryIds``, ``customerSegmentIds``, ``brand``, ``labels``, and ``metadata.createdAt``,
``modifiedAt``, ``schema``) are accepted and ignored, so that what a GET returned can be sent back.
Type-specific rules (required fields per ``productType``) are checked by the write module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.emporix.schemas_common import (
    BOOLEAN,
    LOCALIZED,
    MIXIN_SCHEMAS,
    NONEMPTY,
    OBJECT,
    STRING,
    STRINGS,
    TRANSLATIONS,
    strict,
)
from engine.sandbox.validation import SchemaValidator

PRODUCT_TYPES = ("BASIC", "BUNDLE", "PARENT_VARIANT", "VARIANT", "DYNAMIC_VARIANT")
ATTRIBUTE_TYPES = ("TEXT", "NUMBER", "BOOLEAN", "DATETIME")
SCALAR: Mapping[str, Any] = {"type": ["string", "number", "boolean"]}

_METADATA = strict(
    {
        "version": {"type": "integer", "minimum": 1},
        "mixins": MIXIN_SCHEMAS,
        "overridden": STRINGS,
        "createdAt": STRING,
        "modifiedAt": STRING,
        "schema": STRING,
    }
)
_VALUES = {"type": "array", "items": strict({"key": SCALAR, "name": TRANSLATIONS}, ("key",))}

PRODUCT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "minLength": 1, "maxLength": 32},
    "code": NONEMPTY,
    "name": LOCALIZED,
    "description": LOCALIZED,
    "productType": {"enum": list(PRODUCT_TYPES)},
    "published": BOOLEAN,
    "weightDependent": BOOLEAN,
    "taxClasses": {"type": "object", "additionalProperties": STRING},
    "vendor": strict({"id": STRING, "name": STRING}, ("id",)),
    "mixins": OBJECT,
    "relatedItems": {"type": "array", "items": strict({"refId": STRING, "type": STRING}, ("refId", "type"))},
    "brandId": STRING,
    "labelIds": STRINGS,
    "template": strict(
        {"id": NONEMPTY, "version": {"type": ["string", "integer"], "pattern": r"^[1-9]\d*$", "minimum": 1}},
        ("id", "version"),
    ),
    "variantAttributes": {"type": "object", "additionalProperties": {**_VALUES, "minItems": 1}},
    "bundledProducts": {
        "type": "array",
        "minItems": 1,
        "items": strict(
            {"productId": NONEMPTY, "amount": {"type": "integer", "minimum": 1}}, ("productId", "amount")
        ),
    },
    "parentVariantId": NONEMPTY,
    "metadata": _METADATA,
    "yrn": STRING,
    "media": {"type": "array"},
    "categoryIds": STRINGS,
    "customerSegmentIds": STRINGS,
    "brand": OBJECT,
    "labels": {"type": "array"},
    "dynamicVariantType": STRING,
    "sellable": BOOLEAN,
    "ownVariantAttributes": OBJECT,
}
READ_ONLY = ("yrn", "media", "categoryIds", "customerSegmentIds", "brand", "labels")

PRODUCT = SchemaValidator(strict(PRODUCT_PROPERTIES))
PRODUCTS = SchemaValidator({"type": "array", "items": strict(PRODUCT_PROPERTIES)})

_ATTRIBUTE = strict(
    {
        "key": {"type": "string", "pattern": "^[a-zA-Z0-9]+$", "x-format": "alphanumeric key"},
        "name": TRANSLATIONS,
        "type": {"enum": list(ATTRIBUTE_TYPES)},
        "metadata": strict(
            {
                "mandatory": BOOLEAN,
                "variantAttribute": BOOLEAN,
                "defaultValue": {"type": ["string", "number", "boolean", "null"]},
            }
        ),
        "values": _VALUES,
    },
    ("key", "name", "type", "metadata"),
)
_TEMPLATE_METADATA_READ = {
    "createdAt": STRING,
    "modifiedAt": STRING,
    "variantAttributesSchema": STRING,
    "templateAttributesSchema": STRING,
}
TEMPLATE_CREATE = SchemaValidator(
    strict(
        {"id": NONEMPTY, "name": TRANSLATIONS, "attributes": {"type": "array", "items": _ATTRIBUTE}},
        ("name", "attributes"),
    )
)
TEMPLATE_UPDATE = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "name": TRANSLATIONS,
            "attributes": {"type": "array", "items": _ATTRIBUTE},
            "metadata": strict(
                {"version": {"type": "integer", "minimum": 1}, **_TEMPLATE_METADATA_READ}, ("version",)
            ),
        },
        ("name", "attributes", "metadata"),
    )
)
