"""Asset bodies, written from ``media.api.yml``: ``BLOB`` assets come as the ``body`` part of a
multipart request beside the ``file`` part, ``LINK`` assets as JSON. Fields a read answers but a write
does not take (``id`` on updates, ``url`` of a blob, ``vendorId``, ``details.bytes``/``etag``,
``metadata.createdAt``/``modifiedAt``) are accepted and ignored, so that an asset read can be sent back.
"""

from __future__ import annotations

from typing import Any

from engine.sandbox.emporix.schemas_common import MIXIN_SCHEMAS, NONEMPTY, OBJECT, STRING, strict
from engine.sandbox.validation import SchemaValidator

ACCESS = {"enum": ["PUBLIC", "PRIVATE"]}
PREDEFINED_REFS = ("BRAND", "CATEGORY", "LABEL", "PRODUCT", "MODULE")
URL = {"type": "string", "pattern": r"^https?://\S+$", "x-format": "http(s) URL"}
_COMMON: dict[str, Any] = {
    "access": ACCESS,
    "refIds": {"type": "array", "items": strict({"type": NONEMPTY, "id": NONEMPTY}, ("type", "id"))},
    "mixins": OBJECT,
}
_DETAILS = strict({"filename": NONEMPTY, "mimeType": NONEMPTY})
_DETAILS_READ = strict(
    {"filename": NONEMPTY, "mimeType": NONEMPTY, "bytes": {"type": "number"}, "etag": STRING}
)
_UPDATE_METADATA = strict(
    {
        "version": {"type": "integer", "minimum": 1},
        "mixins": MIXIN_SCHEMAS,
        "createdAt": STRING,
        "modifiedAt": STRING,
    },
    ("version",),
)
BLOB_CREATE = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "type": {"enum": ["BLOB"]},
            **_COMMON,
            "details": _DETAILS,
            "metadata": strict({"mixins": MIXIN_SCHEMAS}),
        },
        ("type", "access"),
    ),
    prefix="body",
)
LINK_CREATE = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "type": {"enum": ["LINK"]},
            **_COMMON,
            "url": URL,
            "metadata": strict({"mixins": MIXIN_SCHEMAS}),
        },
        ("type", "access", "url"),
    )
)
BLOB_UPDATE = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "type": {"enum": ["BLOB"]},
            **_COMMON,
            "details": _DETAILS_READ,
            "url": STRING,
            "vendorId": STRING,
            "metadata": _UPDATE_METADATA,
        },
        ("type", "access"),
    ),
    prefix="body",
)
LINK_UPDATE = SchemaValidator(
    strict(
        {
            "id": NONEMPTY,
            "type": {"enum": ["LINK"]},
            **_COMMON,
            "url": URL,
            "vendorId": STRING,
            "metadata": _UPDATE_METADATA,
        },
        ("type", "access", "url"),
    )
)
