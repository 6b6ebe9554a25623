"""Writing one product: create, upsert (full or partial) and patch, with every rule the service applies.

Readings where the reference is silent or contradicts itself:

* **Versions.** A new product is version 1; every write adds 1. A ``metadata.version`` that is sent must
  be the current one (409); without one the write is unconditional (``upsert.md``).
* **Full and partial writes.** ``PUT`` replaces the product: fields it does not send are gone
  (``published`` becomes false). ``PUT ?partial=true`` and ``PATCH`` change only the fields sent;
  ``mixins`` and ``metadata.mixins`` merge by mixin name, localized maps by language.
* **Identity.** ``productType`` and ``parentVariantId`` are fixed when a product is created and ignored
  afterwards (the reference: "taken into account only for insert operations"). An ``id`` in a ``PUT``
  body must equal the path's.
* **Codes** are unique among all products, variants included (409).
* **References.** ``template`` must name an existing template version, ``relatedItems`` existing
  products with a configured relation type (``ACCESSORY``, ``CONSUMABLE``, ``SPAREPART``; the
  ``allowToSkipRelatedProductsValidation`` setting is off, so ``skipRelatedItemsValidation`` is
  disregarded), ``bundledProducts`` existing products. A missing template is a 404 where the operation
  documents one (upserts, bulk items) and a 400 on ``POST``.
* **Templates on basic products** may not have variant attributes; ``mixins.productTemplateAttributes``
  may only use the template's other attributes, with values of their type (and one of their ``values``
  when listed), and must give every ``mandatory`` one.
* **Scopes.** Publishing (``published`` true where it was not) needs ``product.product_publish``,
  unpublishing ``product.product_unpublish``, besides ``product.product_manage``.
* ``DYNAMIC_VARIANT`` hierarchies are not emulated: such products are refused with 400.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import require
from engine.sandbox.emporix.context import RELATION_TYPES, Shop, new_id
from engine.sandbox.emporix.db import PRODUCTS, Doc
from engine.sandbox.emporix.errors import (
    EmporixError,
    bad_request,
    conflict,
    invalid_field,
    not_found,
)
from engine.sandbox.emporix.i18n import merged, written
from engine.sandbox.emporix.schemas_product import READ_ONLY
from engine.sandbox.emporix.templates import template_at, value_fits
from engine.sandbox.emporix.variants import (
    check_child,
    check_overridden,
    check_parent,
    duplicate_sibling,
    explicit_id,
    materialized,
    parent_of,
    sync_children,
    variant_attributes_of,
)

LOCALIZED_FIELDS = ("name", "description")
STALE = (
    "The resource that was requested for update has changed. Please retry your request with valid version."
)


@dataclass(frozen=True)
class Write:
    """How one product write is to be done. ``mode``: ``create`` (POST), ``upsert`` (PUT) or ``patch``."""

    mode: str
    partial: bool = False
    generate: bool = True
    languages: list[str] | None = None
    missing_template_status: int = 404

    @property
    def merges(self) -> bool:
        return self.mode == "patch" or (self.mode == "upsert" and self.partial)


def _built(shop: Shop, body: Mapping[str, Any], old: Doc | None, write: Write) -> Doc:
    """The product document ``body`` makes of ``old`` (None: a new product)."""
    merges = write.merges and old is not None
    doc: Doc = copy.deepcopy(old) if merges and old is not None else {}
    doc.pop("metadata", None)
    for field, value in body.items():
        if field in READ_ONLY or field in ("id", "metadata"):
            continue
        if field in LOCALIZED_FIELDS:
            translations, whole = written(field, value, write.languages, shop.languages)
            keep = (old or {}).get(field) if (merges or not whole) else None
            doc[field] = merged(keep, translations, whole and not merges)
        elif field == "mixins" and merges:
            doc["mixins"] = {**doc.get("mixins", {}), **value}
        else:
            doc[field] = copy.deepcopy(value)
    sent = dict(body.get("metadata") or {})
    metadata: Doc = {}
    if merges and old is not None:
        metadata.update({k: v for k, v in old["metadata"].items() if k in ("mixins", "overridden")})
    if "mixins" in sent:
        metadata["mixins"] = {**metadata.get("mixins", {}), **sent["mixins"]} if merges else sent["mixins"]
    if "overridden" in sent:
        metadata["overridden"] = list(sent["overridden"])
    if old is not None:
        doc["productType"] = old["productType"]
        if "parentVariantId" in old:
            doc["parentVariantId"] = old["parentVariantId"]
        else:
            doc.pop("parentVariantId", None)
    else:
        doc.setdefault("productType", "BASIC")
    doc.setdefault("published", False)
    doc["metadata"] = metadata
    return doc


def _required(doc: Doc, *fields: str) -> None:
    missing = {field: ["required"] for field in fields if field not in doc}
    if missing:
        raise EmporixError(400, "Validation problem with request body.", errors=missing)


def _template(db: sqlite3.Connection, doc: Doc, write: Write) -> Doc | None:
    ref = doc.get("template")
    if ref is None:
        return None
    version = int(ref["version"])
    doc["template"] = {"id": ref["id"], "version": str(version)}
    template = template_at(db, ref["id"], version)
    if template is None:
        message = (
            f"Product template with id {ref['id']} and version {version} is not present in the database."
        )
        if write.missing_template_status == 404:
            raise not_found(message)
        raise invalid_field("template", message)
    return template


def _template_attributes(doc: Doc, template: Doc) -> None:
    given = doc.get("mixins", {}).get("productTemplateAttributes", {})
    if not isinstance(given, Mapping):
        raise invalid_field("mixins.productTemplateAttributes", "must be an object")
    plain = {a["key"]: a for a in template["attributes"] if not a["metadata"].get("variantAttribute")}
    errors: dict[str, list[str]] = {}
    for key, value in given.items():
        where = f"mixins.productTemplateAttributes.{key}"
        attribute = plain.get(key)
        if attribute is None:
            errors.setdefault(where, []).append("not an attribute of the template")
            continue
        keys = [v["key"] for v in attribute.get("values") or []]
        if not value_fits(attribute["type"], value) or (keys and value not in keys):
            errors.setdefault(where, []).append(
                f"must be a {attribute['type']} value" + (f" out of {keys}" if keys else "")
            )
    for key, attribute in plain.items():
        if attribute["metadata"].get("mandatory") and key not in given:
            errors.setdefault(f"mixins.productTemplateAttributes.{key}", []).append(
                "required by the template"
            )
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _references(db: sqlite3.Connection, doc: Doc) -> None:
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(doc.get("relatedItems", [])):
        if item["type"] not in RELATION_TYPES:
            errors.setdefault(f"relatedItems.{i}.type", []).append(
                f"must be one of: {', '.join(RELATION_TYPES)}"
            )
        if item["refId"] == doc["id"] or PRODUCTS.get(db, item["refId"]) is None:
            errors.setdefault(f"relatedItems.{i}.refId", []).append(f"product {item['refId']} does not exist")
    for i, item in enumerate(doc.get("bundledProducts", [])):
        if item["productId"] == doc["id"] or PRODUCTS.get(db, item["productId"]) is None:
            errors.setdefault(f"bundledProducts.{i}.productId", []).append(
                f"product {item['productId']} does not exist"
            )
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def _by_type(db: sqlite3.Connection, doc: Doc, old: Doc | None, write: Write) -> tuple[Doc, Doc | None]:
    """Type-specific checks; returns the document (materialized for a child) and its template."""
    kind = doc["productType"]
    _required(doc, "name", "code")
    if kind == "DYNAMIC_VARIANT":
        raise invalid_field("productType", "DYNAMIC_VARIANT products are not emulated by the sandbox")
    if kind != "VARIANT" and doc["metadata"].get("overridden"):
        raise invalid_field("metadata.overridden", "only VARIANT products override inherited values")
    if kind != "PARENT_VARIANT" and "variantAttributes" in doc:
        raise invalid_field("variantAttributes", "only PARENT_VARIANT products declare variant attributes")
    if kind != "BUNDLE" and "bundledProducts" in doc:
        raise invalid_field("bundledProducts", "only BUNDLE products bundle products")
    template = None
    if kind == "VARIANT":
        if "template" in doc:
            raise invalid_field("template", "a VARIANT follows its parent's template")
        _required(doc, "parentVariantId")
        check_overridden(doc["metadata"].get("overridden", []))
        parent = parent_of(db, doc["parentVariantId"])
        if old is not None:
            doc.setdefault("mixins", {})["productVariantAttributes"] = old.get("mixins", {}).get(
                "productVariantAttributes", {}
            )
        check_child(doc, parent)
        duplicate_sibling(db, doc)
        doc = materialized(parent, doc)
    else:
        template = _template(db, doc, write)
    if kind == "PARENT_VARIANT":
        _required(doc, "template", "variantAttributes")
        assert template is not None
        check_parent(doc, template)
    elif template is not None and variant_attributes_of(template):
        raise invalid_field(
            "template", "a template with variant attributes can only be used by PARENT_VARIANT products"
        )
    if template is not None:
        _template_attributes(doc, template)
    if kind == "BUNDLE":
        _required(doc, "bundledProducts")
    _references(db, doc)
    return doc, template


def _publishing(principal: Principal | None, old: Doc | None, doc: Doc) -> None:
    was = bool(old and old.get("published"))
    if doc.get("published") and not was:
        require(principal, "product.product_publish", why="to publish a product")
    if was and not doc.get("published"):
        require(principal, "product.product_unpublish", why="to unpublish a product")


def write_product(
    shop: Shop,
    db: sqlite3.Connection,
    body: Mapping[str, Any],
    write: Write,
    principal: Principal | None,
    product_id: str | None = None,
) -> tuple[Doc, bool]:
    """Apply ``body`` inside the transaction ``db``; returns the stored product and whether it is new.

    ``product_id`` is the path's id (upsert, patch); a create takes the body's or makes one.
    """
    if product_id is not None and body.get("id", product_id) != product_id:
        raise invalid_field("id", "must match the id in the path")
    if write.mode == "create":
        product_id = body.get("id")
    old = PRODUCTS.get(db, product_id) if product_id else None
    if write.mode == "create" and old is not None:
        raise conflict(f"A product with id {product_id} already exists.")
    if write.mode == "patch" and old is None:
        raise not_found(f"The product with id {product_id} has not been found.", productId=product_id)
    version = body.get("metadata", {}).get("version")
    if old is not None and version is not None and version != old["metadata"]["version"]:
        raise conflict(STALE)
    doc = _built(shop, body, old, write)
    if product_id is None:
        parent = body.get("parentVariantId")
        product_id = explicit_id(parent) if doc["productType"] == "VARIANT" and parent else new_id()
    doc["id"] = product_id
    doc, template = _by_type(db, doc, old, write)
    holder = db.execute(
        "SELECT id FROM emporix_products WHERE code = ? AND id != ?", (doc["code"], product_id)
    )
    if holder.fetchone() is not None:
        raise conflict(f"Product with code {doc['code']} already exists, please choose a unique code.")
    _publishing(principal, old, doc)
    now = shop.timestamp()
    doc["metadata"] = {
        **doc["metadata"],
        "version": old["metadata"]["version"] + 1 if old else 1,
        "createdAt": old["metadata"]["createdAt"] if old else now,
        "modifiedAt": now,
    }
    if doc["productType"] == "VARIANT":
        doc["metadata"].setdefault("overridden", [])
    PRODUCTS.save(db, doc)
    if doc["productType"] == "PARENT_VARIANT":
        for gone in sync_children(db, doc, template, generate=write.generate, timestamp=now):
            db.execute("DELETE FROM emporix_assignments WHERE ref_id = ?", (gone,))
    return doc, old is None


def delete_product(db: sqlite3.Connection, product_id: str, *, force: bool) -> None:
    """Delete a product, its children with ``force``, and their category assignments."""
    doc = PRODUCTS.get(db, product_id)
    if doc is None:
        return
    kids = [
        row[0] for row in db.execute("SELECT id FROM emporix_products WHERE parent_id = ?", (product_id,))
    ]
    if kids and not force:
        raise bad_request(
            f"The product {product_id} has {len(kids)} variant(s); removing it also removes them,"
            " which has to be confirmed with force=true."
        )
    for gone in [*kids, product_id]:
        PRODUCTS.delete(db, gone)
        db.execute("DELETE FROM emporix_assignments WHERE ref_id = ?", (gone,))
