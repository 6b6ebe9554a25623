"""Categories between recipes and Emporix's category tree.

Readings chosen:

* A recipe category is the Emporix category whose id is its key (shelf creates categories with the key
  as id and as ``code``); failing that, the one whose ``code`` is the key (codes compare without case),
  so a tree made by hand is taken over rather than duplicated. Any other category is read under its
  code in lower case, or its id when it has no code.
* ``name`` is ``localizedName`` in the target's languages; ``parent`` is the key of ``parentId``.
* New categories are published. Other fields (description, slug, position, validity, mixins, whether
  it is published) are the shop's and are sent back unchanged; a category moved to another parent
  takes the end of its new siblings.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from engine.model import Category
from engine.platforms.emporix.api import Doc
from engine.platforms.emporix.settings import Settings
from engine.platforms.emporix.texts import managed, written

READ_ONLY = ("media", "supercategoriesIds", "classificationMixins")
METADATA_READ_ONLY = ("createdAt", "modifiedAt")


def category_keys(live: Iterable[Doc], wanted: Iterable[str]) -> dict[str, str]:
    """Live category id -> the key it is read under."""
    docs = list(live)
    wanted_keys = set(wanted)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for doc in docs:
        if str(doc["id"]) in wanted_keys:
            keys[str(doc["id"])] = str(doc["id"])
            taken.add(str(doc["id"]))
    for doc in docs:
        category_id = str(doc["id"])
        if category_id in keys:
            continue
        code = str(doc.get("code") or "").lower()
        if code and code in wanted_keys and code not in taken:
            keys[category_id] = code
            taken.add(code)
    for doc in docs:
        category_id = str(doc["id"])
        if category_id in keys:
            continue
        code = str(doc.get("code") or "").lower()
        key = code if code and code not in taken else category_id
        if key in taken:
            key = category_id
        keys[category_id] = key
        taken.add(key)
    return keys


def category_from_live(doc: Mapping[str, Any], keys: Mapping[str, str], settings: Settings) -> Category:
    parent = doc.get("parentId")
    return Category(
        key=keys[str(doc["id"])],
        name=managed(doc.get("localizedName"), settings.languages) or {},
        parent=keys.get(str(parent), str(parent)) if parent else None,
    )


def category_doc(category: Category, live: Doc | None, parent_id: str | None, settings: Settings) -> Doc:
    """The category as sent: ``live`` with name and parent replaced, or a new published category."""
    if live is None:
        doc: Doc = {"code": category.key, "published": True}
    else:
        doc = {k: copy.deepcopy(v) for k, v in live.items() if k not in READ_ONLY and k != "id"}
        doc["metadata"] = {
            k: v for k, v in (live.get("metadata") or {}).items() if k not in METADATA_READ_ONLY
        }
        if live.get("parentId") != parent_id:
            doc.pop("position", None)
    doc["localizedName"] = written(category.name, (live or {}).get("localizedName"), settings.languages)
    doc["parentId"] = parent_id
    return doc
