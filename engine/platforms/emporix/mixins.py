"""The mixins shelf keeps on Emporix objects, for what the services have no field of their own.

Emporix extends its objects with mixins: ``mixins.<name>`` holds the values and
``metadata.mixins.<name>`` the URL of their JSON schema. shelf writes one mixin named ``shelf``:

* on products: ``sku`` (a product without options: its code is its key, so its SKU lives here),
  ``seoTitle`` and ``seoDescription`` (language maps), ``properties`` (name -> text) and ``digital``;
* on media assets: ``product`` (the id of the product the file belongs to), ``ref`` (the image or file
  as the recipe names it), ``sha256`` (the content hash that tells an unchanged file), ``position``
  (its place among the product's images or files), ``role`` (``image``, ``variant_image`` or ``file``)
  and, for files, ``variants`` (the ids of the variants that deliver it);
* on coupons: ``key`` (the promotion's key).

Alt texts go into the media service's own ``mediaCustomAttributes.altText``.

The schema URLs are those Emporix's Schema service hosts for shelf's schemas
(:mod:`engine.platforms.emporix.mixin_schemas`), as the mixin guide asks; the alt text's is the media
service's own published schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SHELF = "shelf"
MEDIA_ATTRIBUTES = "mediaCustomAttributes"
MEDIA_ATTRIBUTES_SCHEMA = (
    "https://res.cloudinary.com/saas-ag/raw/upload/emporix-docs/mediaCustomAttributesMixIn-v1.json"
)

def shelf_of(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``shelf`` mixin of a document, empty when it has none."""
    value = ((doc or {}).get("mixins") or {}).get(SHELF)
    return dict(value) if isinstance(value, Mapping) else {}


def with_mixin(doc: dict[str, Any], name: str, values: Mapping[str, Any] | None, schema: str) -> None:
    """Set (or, with no values, remove) mixin ``name`` and its schema URL on ``doc`` in place."""
    mixins = dict(doc.get("mixins") or {})
    metadata = dict(doc.get("metadata") or {})
    schemas = dict(metadata.get("mixins") or {})
    if values:
        mixins[name] = dict(values)
        schemas[name] = schema
    else:
        mixins.pop(name, None)
        schemas.pop(name, None)
    if mixins:
        doc["mixins"] = mixins
    else:
        doc.pop("mixins", None)
    if schemas:
        metadata["mixins"] = schemas
    else:
        metadata.pop("mixins", None)
    if metadata:
        doc["metadata"] = metadata
    else:
        doc.pop("metadata", None)
