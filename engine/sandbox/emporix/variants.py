"""Parent variants, their generated children, and what a child inherits (``product.md``).

Readings where the tutorial and reference are silent:

* **Generation.** Creating or updating a ``PARENT_VARIANT`` (unless ``skipVariantGeneration=true``)
  makes its children match every combination of its ``variantAttributes`` values, in the template's
  attribute order: missing combinations are created, and children whose combination is no longer
  declared are deleted. A generated child's id is ``<parentId>--<24 hex digits>`` (the shape of the
  reference's variant example), derived from the parent id and the combination, so regenerating gives
  the same ids; its code is the parent's code and the values joined by ``-`` (``TEE-RED-XL``), with
  ``-2``, ``-3``... appended when that code is taken. The combination is the child's
  ``mixins.productVariantAttributes`` (attribute key -> value key).
* **Explicit children.** A ``VARIANT`` created with ``parentVariantId`` must name one allowed value for
  each of the parent's variant attributes in ``mixins.productVariantAttributes``; a combination that a
  sibling has already is a 409. Without an ``id`` it gets ``<parentId>--<random 24 hex digits>``.
* **Inheritance.** A child takes ``name``, ``description``, ``published``, ``taxClasses``,
  ``weightDependent``, ``relatedItems``, ``brandId``, ``labelIds``, ``vendor`` and the parent's mixins
  from its parent, except the paths listed in its ``metadata.overridden`` (``published``,
  ``mixins.productCustomAttributes.pricingMeasurePrice``...), which keep the child's own values. The
  inherited values are written into the child whenever it or its parent is written (its version goes
  up when they change), so reads need no parent and ``rawValue`` changes nothing. Values a child sends
  for inherited paths it does not override are ignored; ``id``, ``code``, ``template`` and
  ``variantAttributes`` cannot be overridden (400), and a child's combination and parent never change.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from engine.sandbox.emporix.db import PRODUCTS, Doc
from engine.sandbox.emporix.errors import EmporixError, conflict, invalid_field, not_found

INHERITED = (
    "name",
    "description",
    "published",
    "taxClasses",
    "weightDependent",
    "relatedItems",
    "brandId",
    "labelIds",
    "vendor",
)
NOT_OVERRIDABLE = ("id", "code", "template", "variantAttributes")
OWN_MIXIN = "productVariantAttributes"


def variant_attributes_of(template: Doc) -> dict[str, list[Any]]:
    """The template's variant attributes in order: key -> allowed value keys."""
    return {
        a["key"]: [v["key"] for v in a.get("values") or []]
        for a in template["attributes"]
        if a["metadata"].get("variantAttribute")
    }


def check_parent(product: Doc, template: Doc) -> None:
    """A parent's ``variantAttributes`` must use the template's variant attributes and values."""
    allowed = variant_attributes_of(template)
    errors: dict[str, list[str]] = {}
    if not allowed:
        errors["template"] = ["the template has no variant attributes"]
    for key, values in product["variantAttributes"].items():
        if key not in allowed:
            errors.setdefault(f"variantAttributes.{key}", []).append(
                "not a variant attribute of the template"
            )
            continue
        seen = []
        for i, value in enumerate(values):
            if value["key"] not in allowed[key]:
                errors.setdefault(f"variantAttributes.{key}.{i}.key", []).append(
                    f"{value['key']!r} is not a value of {key} in the template"
                )
            if value["key"] in seen:
                errors.setdefault(f"variantAttributes.{key}.{i}.key", []).append("given twice")
            seen.append(value["key"])
    if not product["variantAttributes"]:
        errors["variantAttributes"] = ["must name at least one variant attribute"]
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def combination_of(product: Doc) -> dict[str, Any]:
    return dict(product.get("mixins", {}).get(OWN_MIXIN) or {})


def check_child(child: Doc, parent: Doc) -> None:
    """A child's combination names one declared value of each of its parent's variant attributes."""
    declared = {
        key: [v["key"] for v in values] for key, values in parent.get("variantAttributes", {}).items()
    }
    combination = combination_of(child)
    errors: dict[str, list[str]] = {}
    for key, values in declared.items():
        if key not in combination:
            errors.setdefault(f"mixins.{OWN_MIXIN}.{key}", []).append("required")
        elif combination[key] not in values:
            errors.setdefault(f"mixins.{OWN_MIXIN}.{key}", []).append(
                f"{combination[key]!r} is not a value of {key} on the parent variant"
            )
    for key in combination:
        if key not in declared:
            errors.setdefault(f"mixins.{OWN_MIXIN}.{key}", []).append("not a variant attribute of the parent")
    if errors:
        raise EmporixError(400, "Validation problem with request body.", errors=errors)


def check_overridden(paths: Sequence[str]) -> None:
    for path in paths:
        if path.split(".")[0] in NOT_OVERRIDABLE:
            raise invalid_field("metadata.overridden", f"{path} cannot be overridden")


def _get(doc: Mapping[str, Any], path: list[str]) -> tuple[bool, Any]:
    node: Any = doc
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _put(doc: dict[str, Any], path: list[str], present: bool, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            if not present:
                return
            node[part] = {}
        node = node[part]
    if present:
        node[path[-1]] = copy.deepcopy(value)
    else:
        node.pop(path[-1], None)


def materialized(parent: Doc, child: Doc) -> Doc:
    """``child`` with its parent's values on every inherited path it does not override."""
    out = {k: copy.deepcopy(v) for k, v in child.items() if k not in INHERITED and k != "mixins"}
    for field in INHERITED:
        if field in parent:
            out[field] = copy.deepcopy(parent[field])
    out["mixins"] = {k: copy.deepcopy(v) for k, v in parent.get("mixins", {}).items() if k != OWN_MIXIN}
    for path in child.get("metadata", {}).get("overridden", []):
        parts = path.split(".")
        if parts[0] in INHERITED or parts[0] == "mixins":
            present, value = _get(child, parts)
            _put(out, parts, present, value)
    combination = combination_of(child)
    if combination:
        out["mixins"][OWN_MIXIN] = combination
    if not out["mixins"]:
        del out["mixins"]
    return out


def children(db: sqlite3.Connection, parent_id: str) -> list[Doc]:
    return PRODUCTS.all(db, "parent_id = ?", (parent_id,))


def generated_id(parent_id: str, combination: Mapping[str, Any]) -> str:
    """The id generation gives the child of ``parent_id`` with ``combination``: stable across runs."""
    digest = hashlib.sha1(f"{parent_id}|{json.dumps(combination, sort_keys=True, default=str)}".encode())
    return f"{parent_id}--{digest.hexdigest()[:24]}"


def explicit_id(parent_id: str) -> str:
    return f"{parent_id}--{secrets.token_hex(12)}"


def _free_code(db: sqlite3.Connection, wanted: str) -> str:
    code, n = wanted, 1
    while db.execute("SELECT 1 FROM emporix_products WHERE code = ?", (code,)).fetchone():
        n += 1
        code = f"{wanted}-{n}"
    return code


def combinations(parent: Doc, template: Doc) -> list[dict[str, Any]]:
    order = [key for key in variant_attributes_of(template) if key in parent["variantAttributes"]]
    lists = [[v["key"] for v in parent["variantAttributes"][key]] for key in order]
    return [dict(zip(order, values, strict=True)) for values in itertools.product(*lists)]


def duplicate_sibling(db: sqlite3.Connection, child: Doc) -> None:
    """409 when another child of the same parent has ``child``'s combination."""
    wanted = combination_of(child)
    for sibling in children(db, child["parentVariantId"]):
        if sibling["id"] != child["id"] and combination_of(sibling) == wanted:
            raise conflict(f"The parent variant already has the variant {sibling['id']} with these values.")


def parent_of(db: sqlite3.Connection, parent_id: str, status: int = 400) -> Doc:
    parent = PRODUCTS.get(db, parent_id)
    if parent is None:
        if status == 404:
            raise not_found(f"The product with id {parent_id} has not been found.", productId=parent_id)
        raise invalid_field("parentVariantId", f"product {parent_id} does not exist")
    if parent["productType"] != "PARENT_VARIANT":
        raise invalid_field("parentVariantId", f"product {parent_id} is not a PARENT_VARIANT")
    return parent


def sync_children(
    db: sqlite3.Connection, parent: Doc, template: Doc | None, *, generate: bool, timestamp: str
) -> list[str]:
    """Write the parent's inherited values into its children and, with ``generate``, create and delete
    children to match its combinations. Returns the ids of deleted children."""
    existing = children(db, parent["id"])
    deleted: list[str] = []
    if generate and template is not None:
        wanted = combinations(parent, template)
        keys = {json.dumps(c, sort_keys=True, default=str) for c in wanted}
        for child in existing:
            if json.dumps(combination_of(child), sort_keys=True, default=str) not in keys:
                PRODUCTS.delete(db, child["id"])
                deleted.append(child["id"])
        have = {json.dumps(combination_of(c), sort_keys=True, default=str) for c in existing}
        for combination in wanted:
            if json.dumps(combination, sort_keys=True, default=str) in have:
                continue
            code = _free_code(db, "-".join([parent["code"], *(str(v) for v in combination.values())]))
            child = {
                "id": generated_id(parent["id"], combination),
                "code": code,
                "productType": "VARIANT",
                "parentVariantId": parent["id"],
                "mixins": {OWN_MIXIN: combination},
                "metadata": {"version": 1, "createdAt": timestamp, "modifiedAt": timestamp, "overridden": []},
            }
            PRODUCTS.save(db, materialized(parent, child))
    for child in children(db, parent["id"]):
        fresh = materialized(parent, child)
        if fresh != child:
            fresh["metadata"] = dict(
                child["metadata"], version=child["metadata"]["version"] + 1, modifiedAt=timestamp
            )
            PRODUCTS.save(db, fresh)
    return deleted
