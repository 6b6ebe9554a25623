"""Category and assignment bodies, written from ``category-tree.api.yml``.

Localized fields are always maps here, whatever ``Content-Language`` says (the reference's note).
Fields a read answers but a write does not take (``media``, ``supercategoriesIds``,
``classificationMixins``, ``metadata.createdAt``/``modifiedAt``) are accepted and ignored on updates, so
that a category read can be sent back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.sandbox.emporix.schemas_common import (
    BOOLEAN,
    DATETIME,
    MIXIN_SCHEMAS,
    NONEMPTY,
    OBJECT,
    STRING,
    TRANSLATIONS,
    strict,
)
from engine.sandbox.validation import SchemaValidator

CATEGORY_TYPES = ("CLASSIFICATION", "STANDARD")
_NAME: Mapping[str, Any] = {**TRANSLATIONS, "minProperties": 1}
_MIXIN = strict(
    {
        "name": {"type": "string", "pattern": r"^[a-zA-Z0-9_]\S*$", "x-format": "mixin name"},
        "schemaUrl": {"type": "string", "pattern": r"^https?://[^\s/$.?#].\S*$", "x-format": "URL"},
        "required": BOOLEAN,
    },
    ("name", "schemaUrl"),
)
_COMMON: dict[str, Any] = {
    "localizedName": _NAME,
    "localizedDescription": TRANSLATIONS,
    "localizedSlug": TRANSLATIONS,
    "parentId": {"type": ["string", "null"]},
    "ecn": {"type": ["array", "null"], "items": STRING},
    "code": {"type": ["string", "null"]},
    "validity": strict({"from": DATETIME, "to": DATETIME}),
    "position": {"type": ["integer", "null"], "minimum": 0},
    "published": BOOLEAN,
    "mixins": OBJECT,
    "type": {"enum": list(CATEGORY_TYPES)},
    "ownClassificationMixins": {"type": "array", "items": _MIXIN},
}
_READ_ONLY: dict[str, Any] = {
    "id": NONEMPTY,
    "media": {"type": "array"},
    "supercategoriesIds": {"type": "array"},
    "classificationMixins": {"type": "array"},
}
READ_ONLY = ("media", "supercategoriesIds", "classificationMixins")
_UPDATE_METADATA = strict(
    {
        "version": {"type": "integer", "minimum": 0},
        "mixins": MIXIN_SCHEMAS,
        "createdAt": STRING,
        "modifiedAt": STRING,
    }
)

CATEGORY_CREATE = SchemaValidator(
    strict(
        {"id": NONEMPTY, **_COMMON, "metadata": strict({"mixins": MIXIN_SCHEMAS})},
        ("localizedName", "published"),
    )
)
CATEGORY_UPDATE = SchemaValidator(
    strict({**_COMMON, **_READ_ONLY, "metadata": _UPDATE_METADATA}, ("localizedName", "published"))
)
CATEGORY_PATCH = SchemaValidator(
    strict(
        {**_COMMON, **_READ_ONLY, "published": {"type": ["boolean", "null"]}, "metadata": _UPDATE_METADATA},
        ("metadata",),
    )
)
ASSIGNMENT = SchemaValidator(
    strict({"ref": strict({"id": NONEMPTY, "type": {"enum": ["PRODUCT"]}}, ("id", "type"))}, ("ref",))
)
BULK_REFERENCES = SchemaValidator(
    {
        "type": "array",
        "minItems": 1,
        "maxItems": 200,
        "items": strict({"ref": strict({"id": NONEMPTY}, ("id",))}, ("ref",)),
    }
)
"""``BulkAssignmentUpsertRequest``: at most 200 references, each just a product id."""
