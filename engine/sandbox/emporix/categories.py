"""The category service's categories: a tree by ``parentId``, with localized names and unique codes.

Readings where the reference and tutorial are silent:

* A new category is version 0 (as the tutorial's answer shows); every write adds 1, and a
  ``metadata.version`` that is sent must be the current one (409).
* ``parentId`` absent, null or ``"root"`` makes a root; another value must be an existing category
  (400), and not the category itself or one below it (400).
* ``code`` is unique among categories, compared without case as the ``code`` filter compares (409), as
  is every ``ecn`` value (409). A ``CLASSIFICATION`` category needs a ``code``.
* ``localizedSlug`` may not hold letters with diacritics (400). Languages must be configured, and with a
  ``Content-Language`` other than ``*`` only the languages it names may be written.
* ``position`` defaults to the end of the category's siblings; a ``PUT`` without one keeps it.
* Publishing (``published`` true where it was not) needs ``category.category_publish``, unpublishing
  ``category.category_unpublish``; a ``publish`` parameter that is sent must equal ``published`` (400).
* ``showUnpublished=true`` needs ``category.category_read_unpublished`` (403); without it unpublished
  categories are left out of lists and a read of one is a 404.
* ``localizedName`` (and the other localized filters) match a case-insensitive part of the name in the
  accepted languages; ``validityFrom``/``validityTo``/``metadataModifiedAt`` take ``yyyy-MM-dd``.
* ``DELETE ?withSubcategories=true`` deletes the whole branch; otherwise the direct children become
  roots. The deleted categories' assignments go with them; an unknown category is a 404.
"""

from __future__ import annotations

import copy
import sqlite3
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import require, scoped
from engine.sandbox.emporix.context import Shop, new_id
from engine.sandbox.emporix.db import ASSETS, CATEGORIES, Doc, asset_url
from engine.sandbox.emporix.errors import (
    conflict,
    invalid_field,
    not_found,
)
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.i18n import (
    ALL,
    accept_languages,
    check_map,
    content_languages,
    filtered,
)
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    created,
    filter_q,
    list_response,
    localized_key,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_category import (
    CATEGORY_CREATE,
    CATEGORY_PATCH,
    CATEGORY_UPDATE,
    READ_ONLY,
)
from engine.sandbox.validation import SchemaValidator

BASE = "/category/{tenant}/categories"
MANAGE = "category.category_manage"
READ_UNPUBLISHED = "category.category_read_unpublished"
LOCALIZED = ("localizedName", "localizedDescription", "localizedSlug")
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "x-format": "yyyy-MM-dd date"}
LIST_PARAMS = params_schema(
    **PAGING,
    showRoots=BOOLEAN,
    showUnpublished=BOOLEAN,
    code=TEXT,
    localizedName=TEXT,
    localizedDescription=TEXT,
    localizedSlug=TEXT,
    ecn=TEXT,
    validityFrom=DATE,
    validityTo=DATE,
    metadataModifiedAt=DATE,
    q=TEXT,
)
ONE_PARAMS = params_schema(showUnpublished=BOOLEAN)
WRITE_PARAMS = params_schema(publish=BOOLEAN)
DELETE_PARAMS = params_schema(withSubcategories=BOOLEAN)


def show_unpublished(principal: Principal | None, params: Mapping[str, Any]) -> bool:
    if params.get("showUnpublished"):
        require(principal, READ_UNPUBLISHED, why="to show unpublished categories")
        return True
    return False


def ancestors(db: sqlite3.Connection, category: Doc) -> list[str]:
    """Ids above ``category``, its parent first."""
    out: list[str] = []
    parent = category.get("parentId")
    while parent and parent not in out:
        out.append(parent)
        above = CATEGORIES.get(db, parent)
        parent = above.get("parentId") if above else None
    return out


class CategoryView:
    """Stored categories as reads answer them: languages filtered, media and classification mixins added."""

    def __init__(self, shop: Shop, db: sqlite3.Connection, request: Request):
        self.shop = shop
        self.db = db
        self.accept = accept_languages(request)
        self.base_url = str(request.base_url).rstrip("/")
        self._media: dict[str, list[Doc]] | None = None

    def _media_of(self, category_id: str) -> list[Doc]:
        if self._media is None:
            self._media = {}
            for asset in ASSETS.all(self.db):
                item = {
                    "id": asset["id"],
                    "url": asset_url(self.base_url, asset),
                    "contentType": asset.get("details", {}).get("mimeType", "text/uri-list"),
                }
                for ref in asset.get("refIds", []):
                    if ref.get("type") == "CATEGORY" and asset.get("access") == "PUBLIC":
                        self._media.setdefault(ref["id"], []).append(item)
        return self._media.get(category_id, [])

    def __call__(self, doc: Doc, supercategories: bool = False) -> Doc:
        out = copy.deepcopy(doc)
        for field in LOCALIZED:
            if field in doc:
                out[field] = filtered(doc[field], self.accept, self.shop.languages)
        out["media"] = self._media_of(doc["id"])
        above = ancestors(self.db, doc)
        if supercategories:
            out["supercategoriesIds"] = above
        mixins = []
        for category_id in [*reversed(above), doc["id"]]:
            source = doc if category_id == doc["id"] else CATEGORIES.get(self.db, category_id)
            for mixin in (source or {}).get("ownClassificationMixins", []):
                path = f"class_{(source or {}).get('code') or ''}_{mixin['name']}"
                mixins.append({**mixin, "mixinPath": path, "sourceCategoryId": category_id})
        if mixins:
            out["classificationMixins"] = mixins
        return out


def _has_diacritics(text: str) -> bool:
    return any(unicodedata.decomposition(char) for char in text)


def _contains(value: Mapping[str, str] | None, needle: str, accept: list[str] | None) -> bool:
    texts = (value or {}).items()
    wanted = None if accept is None or ALL in accept else set(accept)
    return any(needle.lower() in text.lower() for lang, text in texts if wanted is None or lang in wanted)


def _check_languages(doc: Mapping[str, Any], header: list[str] | None, languages: Sequence[str]) -> None:
    allowed = languages if header is None or header[0] == ALL else [h for h in header if h in languages]
    for field in LOCALIZED:
        if field in doc and doc[field] is not None:
            check_map(field, doc[field], allowed)
    slug = doc.get("localizedSlug") or {}
    bad = [lang for lang, text in slug.items() if _has_diacritics(text)]
    if bad:
        raise invalid_field("localizedSlug", f"must not contain diacritics ({', '.join(bad)})")


def _built(body: Mapping[str, Any], old: Doc | None, merges: bool) -> Doc:
    doc: Doc = copy.deepcopy(old) if (merges and old) else {}
    doc.pop("metadata", None)
    for field, value in body.items():
        if field in ("id", "metadata", *READ_ONLY):
            continue
        if value is None:
            doc.pop(field, None)
        elif merges and field in LOCALIZED:
            doc[field] = {**doc.get(field, {}), **value}
        else:
            doc[field] = copy.deepcopy(value)
    if doc.get("parentId") in (None, "root"):
        doc.pop("parentId", None)
    metadata: Doc = dict(old["metadata"]) if (merges and old) else {}
    if "mixins" in (body.get("metadata") or {}):
        metadata["mixins"] = body["metadata"]["mixins"]
    doc["metadata"] = {k: v for k, v in metadata.items() if k == "mixins"}
    return doc


def write_category(
    shop: Shop,
    db: sqlite3.Connection,
    request: Request,
    principal: Principal | None,
    body: Mapping[str, Any],
    *,
    category_id: str | None,
    mode: str,
    publish: bool | None,
) -> tuple[Doc, bool]:
    """Create (``mode`` create), replace (upsert) or change (patch) a category inside ``db``."""
    if category_id is not None and body.get("id", category_id) != category_id:
        raise invalid_field("id", "must match the id in the path")
    if mode == "create":
        category_id = body.get("id") or new_id()
    assert category_id is not None
    old = CATEGORIES.get(db, category_id)
    if mode == "create" and old is not None:
        raise conflict(f"Category with id {category_id} already exists.")
    if mode == "patch" and old is None:
        raise not_found(f"Category with id {category_id} does not exist.")
    version = (body.get("metadata") or {}).get("version")
    if old is not None and version is not None and version != old["metadata"]["version"]:
        raise conflict("The category was changed in the meantime; retry with its current version.")
    doc = _built(body, old, merges=mode == "patch")
    doc["id"] = category_id
    _check_languages(doc, content_languages(request), shop.languages)
    if "published" not in doc:
        raise invalid_field("published", "required")
    if publish is not None and publish != doc["published"]:
        raise invalid_field("published", "must match the publish parameter")
    was = bool(old and old.get("published"))
    if doc["published"] and not was:
        require(principal, "category.category_publish", why="to publish a category")
    if was and not doc["published"]:
        require(principal, "category.category_unpublish", why="to unpublish a category")
    doc.setdefault("type", "STANDARD")
    if doc["type"] == "CLASSIFICATION" and not doc.get("code"):
        raise invalid_field("code", "required for a CLASSIFICATION category")
    parent = doc.get("parentId")
    if parent is not None:
        above = CATEGORIES.get(db, parent)
        if above is None:
            raise invalid_field("parentId", f"category {parent} does not exist")
        if parent == category_id or category_id in ancestors(db, above):
            raise invalid_field("parentId", "a category cannot be below itself")
    others = [c for c in CATEGORIES.all(db) if c["id"] != category_id]
    code = doc.get("code")
    if code and any((c.get("code") or "").lower() == code.lower() for c in others):
        raise conflict(f"Category with code {code} already exists.")
    taken = {e for c in others for e in c.get("ecn") or []}
    clash = sorted(taken.intersection(doc.get("ecn") or []))
    if clash:
        raise conflict(f"Duplicated ECN value - {', '.join(clash)} is already assigned to another category.")
    if doc.get("position") is None:
        if old is not None and "position" in old and old.get("parentId") == parent:
            doc["position"] = old["position"]
        else:
            doc["position"] = sum(1 for c in others if c.get("parentId") == parent)
    now = shop.timestamp()
    doc["metadata"].update(
        version=old["metadata"]["version"] + 1 if old else 0,
        createdAt=old["metadata"]["createdAt"] if old else now,
        modifiedAt=now,
    )
    CATEGORIES.save(db, doc)
    return doc, old is None


def _listed(
    view: CategoryView, docs: list[Doc], params: Mapping[str, Any], accept: list[str] | None
) -> list[Doc]:
    if params.get("showRoots"):
        docs = [d for d in docs if not d.get("parentId")]
    if "code" in params:
        docs = [d for d in docs if (d.get("code") or "").lower() == params["code"].lower()]
    for name in LOCALIZED:
        if name in params:
            docs = [d for d in docs if _contains(d.get(name), params[name], accept)]
    if "ecn" in params:
        docs = [d for d in docs if params["ecn"] in (d.get("ecn") or [])]
    if "validityFrom" in params:
        docs = [d for d in docs if (d.get("validity") or {}).get("from", "")[:10] > params["validityFrom"]]
    if "validityTo" in params:
        docs = [
            d
            for d in docs
            if "to" in (d.get("validity") or {}) and d["validity"]["to"][:10] < params["validityTo"]
        ]
    if "metadataModifiedAt" in params:
        docs = [d for d in docs if d["metadata"]["modifiedAt"][:10] > params["metadataModifiedAt"]]
    return filter_q(docs, params)


def category_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_categories(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        unpublished = show_unpublished(principal, params)
        accept = accept_languages(request)
        with shop.store.read() as db:
            docs = CATEGORIES.all(db)
            if not unpublished:
                docs = [d for d in docs if d.get("published")]
            view = CategoryView(shop, db, request)
            docs = _listed(view, docs, params, accept)
            sort_items(docs, params.get("sort"), localized_key(shop.default_language, LOCALIZED))
            return list_response(request, [view(d) for d in docs], params)

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, ONE_PARAMS)
        unpublished = show_unpublished(principal, params)
        category_id = request.path_params["categoryId"]
        with shop.store.read() as db:
            doc = CATEGORIES.get(db, category_id)
            if doc is None or (not doc.get("published") and not unpublished):
                raise not_found(f"Category with id {category_id} does not exist.")
            return JsonResponse(CategoryView(shop, db, request)(doc))

    async def written(
        request: Request, principal: Principal | None, schema: SchemaValidator, mode: str
    ) -> tuple[Doc, bool]:
        """Read a write's ``publish`` parameter and body and write the category (the path's, if any)."""
        params = read_params(request, WRITE_PARAMS)
        body = await read_json(request, schema)
        category_id = request.path_params.get("categoryId")
        with shop.store.write() as db:
            return write_category(
                shop,
                db,
                request,
                principal,
                body,
                category_id=category_id,
                mode=mode,
                publish=params.get("publish"),
            )

    async def create(request: Request, principal: Principal | None) -> Response:
        doc, _ = await written(request, principal, CATEGORY_CREATE, "create")
        return created({"id": doc["id"]})

    async def upsert(request: Request, principal: Principal | None) -> Response:
        doc, new = await written(request, principal, CATEGORY_UPDATE, "upsert")
        return created({"id": doc["id"]}) if new else no_content()

    async def patch(request: Request, principal: Principal | None) -> Response:
        await written(request, principal, CATEGORY_PATCH, "patch")
        return no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, DELETE_PARAMS)
        category_id = request.path_params["categoryId"]
        with shop.store.write() as db:
            doc = CATEGORIES.get(db, category_id)
            if doc is None:
                raise not_found(f"Category with id {category_id} does not exist.")
            everything = CATEGORIES.all(db)
            gone = [category_id]
            if params.get("withSubcategories"):
                gone += [c["id"] for c in everything if category_id in ancestors(db, c)]
            else:
                for child in everything:
                    if child.get("parentId") == category_id:
                        child.pop("parentId")
                        CATEGORIES.save(db, child)
            for dead in gone:
                CATEGORIES.delete(db, dead)
                db.execute("DELETE FROM emporix_assignments WHERE category_id = ?", (dead,))
        return no_content()

    one = BASE + "/{categoryId}"
    return [
        Endpoint("GET", BASE, list_categories),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("GET", one, get_one),
        Endpoint("PUT", one, scoped(upsert, MANAGE)),
        Endpoint("PATCH", one, scoped(patch, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]
