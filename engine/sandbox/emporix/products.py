"""The product service's products: list, read, create, upsert, patch, delete and the bulk operations.

Readings where the reference is silent:

* **Unpublished products** are visible only to tokens with ``product.product_read_unpublished``: lists
  leave them out, a read of one is a 403 ("only required if the product has not been published").
* **Reads** add ``yrn``, ``media`` (the product's public assets in the media service: ``id``, ``url``,
  ``contentType``, ``createdAt``) and ``categoryIds`` (its category assignments). ``fields=a,b`` keeps
  ``id``, ``yrn`` and those fields; ``expand=template`` puts the template's ``name`` and
  ``attributes`` into ``template``, ``expand=parentVariant`` adds the parent under ``parentVariant``
  (``brand`` and ``labels`` expand nothing: the sandbox has no brands or labels).
* **Deleting** an unknown product is a 204 (the operation documents no 404); a parent with variants
  needs ``force=true`` (400 otherwise); the product's category assignments go with it.
* **Reading speed.** A list without ``q`` or ``sort`` is paged in SQL (in the order products were
  made): only the page's documents are decoded, and its media, categories, templates and parents are
  read in one query each, whatever the page holds. Lists with ``q`` or ``sort`` filter and sort every
  document, as the services' answers require.
* **Bulk** operations take at most 200 products (400 beyond, nothing written). Each item is written in
  its own transaction and answered at its index: ``{"index", "id", "code": 201|204, "status":
  "CREATED"|"NO_CONTENT"}`` or ``{"index", "id", "code", "status": "CONFLICT", "message", "details"}``.
  Items of ``PUT /bulk`` need an ``id`` and replace the product (no partial form).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import has, scoped
from engine.sandbox.emporix.context import Shop
from engine.sandbox.emporix.db import ASSETS, PRODUCTS, Doc, asset_url
from engine.sandbox.emporix.errors import EmporixError, bad_request, forbidden, not_found, phrase
from engine.sandbox.emporix.exact_json import JsonResponse, loads
from engine.sandbox.emporix.i18n import accept_languages, content_languages, shown
from engine.sandbox.emporix.product_write import (
    LOCALIZED_FIELDS,
    Write,
    delete_product,
    write_product,
)
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    Page,
    check,
    created,
    filter_q,
    flag_header,
    list_response,
    localized_key,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_product import PRODUCT
from engine.sandbox.emporix.templates import template_at, templates_at

BASE = "/product/{tenant}/products"
MANAGE = "product.product_manage"
READ_UNPUBLISHED = "product.product_read_unpublished"
MAX_BULK = 200
EXPANDABLE = ("template", "parentVariant", "brand", "labels")
_READ = {"fields": TEXT, "expand": TEXT, "rawValue": BOOLEAN}
_WRITE = {"skipVariantGeneration": BOOLEAN, "doIndex": BOOLEAN, "skipRelatedItemsValidation": BOOLEAN}
LIST_PARAMS = params_schema(**PAGING, q=TEXT, **_READ)
ONE_PARAMS = params_schema(**_READ)
CREATE_PARAMS = params_schema(**_WRITE)
UPSERT_PARAMS = params_schema(**_WRITE, partial=BOOLEAN)
DELETE_PARAMS = params_schema(force=BOOLEAN, doIndex=BOOLEAN)


class Renderer:
    """Turns stored products into answers: languages, media, categories, projection and expansion."""

    def __init__(
        self,
        shop: Shop,
        db: sqlite3.Connection,
        request: Request,
        params: Mapping[str, Any],
        page: Sequence[Doc] | None = None,
    ):
        """``page``: the documents about to be rendered, when they are known: what they refer to is then
        read for them alone, a query per kind (else for the whole shop, once)."""
        self.shop = shop
        self.db = db
        self.accept = accept_languages(request)
        self.base_url = str(request.base_url).rstrip("/")
        self.fields = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
        self.expand = [e.strip() for e in params.get("expand", "").split(",") if e.strip()]
        unknown = [e for e in self.expand if e not in EXPANDABLE]
        if unknown:
            raise bad_request(
                f"expand can only be: {', '.join(EXPANDABLE)}",
                {"expand": [f"unknown value {u!r}" for u in unknown]},
            )
        self._media: dict[str, list[Doc]] | None = None
        self._categories: dict[str, list[str]] | None = None
        self._templates: dict[tuple[str, int], Doc] = {}
        self._parents: dict[str, Doc] = {}
        self.page = list(page) if page is not None else None
        if self.page is not None:
            self._preload(self.page)

    def _preload(self, docs: Sequence[Doc]) -> None:
        ids = [d["id"] for d in docs]
        self._media, self._categories = {}, {}
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        self._index_media(
            loads(row["doc"])
            for row in self.db.execute(
                "SELECT DISTINCT a.seq, a.doc FROM emporix_assets a, json_each(a.doc, '$.refIds') r"
                f" WHERE json_extract(r.value, '$.id') IN ({marks}) ORDER BY a.seq",
                ids,
            )
        )
        sql = f"SELECT ref_id, category_id FROM emporix_assignments WHERE ref_id IN ({marks}) ORDER BY seq"
        for row in self.db.execute(sql, ids):
            self._categories.setdefault(row["ref_id"], []).append(row["category_id"])
        if "template" in self.expand:
            wanted = {(d["template"]["id"], int(d["template"]["version"])) for d in docs if "template" in d}
            self._templates = templates_at(self.db, wanted)
        if "parentVariant" in self.expand:
            parents = sorted({str(d["parentVariantId"]) for d in docs if d.get("parentVariantId")})
            found = self.db.execute(
                f"SELECT doc FROM emporix_products WHERE id IN ({','.join('?' * len(parents))})", parents
            )
            self._parents = {doc["id"]: doc for doc in (loads(row["doc"]) for row in found)}

    def _index_media(self, assets: Iterable[Doc]) -> None:
        media: dict[str, list[Doc]] = {}
        for asset in assets:
            if asset.get("access") != "PUBLIC":
                continue
            item = {
                "id": asset["id"],
                "url": asset_url(self.base_url, asset),
                "contentType": asset.get("details", {}).get("mimeType", "text/uri-list"),
                "createdAt": asset["metadata"]["createdAt"],
            }
            for ref in asset.get("refIds", []):
                if ref.get("type") == "PRODUCT":
                    media.setdefault(ref["id"], []).append(item)
        self._media = media

    def _media_of(self, product_id: str) -> list[Doc]:
        if self._media is None:
            self._index_media(ASSETS.all(self.db))
        assert self._media is not None
        return self._media.get(product_id, [])

    def _categories_of(self, product_id: str) -> list[str]:
        if self._categories is None:
            self._categories = {}
            for row in self.db.execute("SELECT ref_id, category_id FROM emporix_assignments ORDER BY seq"):
                self._categories.setdefault(row["ref_id"], []).append(row["category_id"])
        return self._categories.get(product_id, [])

    def __call__(self, doc: Doc, nested: bool = False) -> Doc:
        out = dict(doc)
        for field in LOCALIZED_FIELDS:
            value = shown(doc.get(field), self.accept, self.shop.default_language)
            if value is None:
                out.pop(field, None)
            else:
                out[field] = value
        out["yrn"] = self.shop.yrn("product", doc["id"])
        out["media"] = self._media_of(doc["id"])
        out["categoryIds"] = self._categories_of(doc["id"])
        if not nested and "template" in self.expand and "template" in doc:
            template = self._template(doc["template"]["id"], int(doc["template"]["version"]))
            if template is not None:
                out["template"] = {
                    **doc["template"],
                    "name": template["name"],
                    "attributes": template["attributes"],
                }
        if not nested and "parentVariant" in self.expand and doc.get("parentVariantId"):
            parent = self._parents.get(doc["parentVariantId"]) if self.page is not None else None
            parent = parent or PRODUCTS.get(self.db, doc["parentVariantId"])
            if parent is not None:
                out["parentVariant"] = self(parent, nested=True)
        if self.fields:
            out = {k: v for k, v in out.items() if k in ("id", "yrn", *self.fields)}
        return out

    def _template(self, template_id: str, version: int) -> Doc | None:
        known = self._templates.get((template_id, version))
        if known is None:
            known = template_at(self.db, template_id, version)
            if known is not None:
                self._templates[(template_id, version)] = known
        return known


def _sql_page(
    shop: Shop, db: sqlite3.Connection, request: Request, params: Mapping[str, Any], *, published_only: bool
) -> Response:
    """One page of the list in the order products were made, read and decoded page by page."""
    page = Page.of(params)
    where = " WHERE json_extract(doc, '$.published') = 1" if published_only else ""
    rows = db.execute(
        f"SELECT doc FROM emporix_products{where} ORDER BY seq LIMIT ? OFFSET ?",
        (page.size, (page.number - 1) * page.size),
    )
    docs = [loads(row["doc"]) for row in rows]
    render = Renderer(shop, db, request, params, page=docs)
    headers = {}
    if flag_header(request, "X-Total-Count"):
        total = db.execute(f"SELECT COUNT(*) FROM emporix_products{where}").fetchone()[0]
        headers["X-Total-Count"] = str(total)
    return JsonResponse([render(d) for d in docs], headers=headers)


def _flags(params: Mapping[str, Any], request: Request, mode: str, **extra: Any) -> Write:
    return Write(
        mode=mode,
        partial=params.get("partial", False),
        generate=not params.get("skipVariantGeneration", False),
        languages=content_languages(request),
        **extra,
    )


def _bulk_entry(index: int, product_id: str | None, status: int, error: EmporixError | None = None) -> Doc:
    entry: Doc = {"index": index}
    if product_id:
        entry["id"] = product_id
    entry["code"] = status
    entry["status"] = phrase(status).upper().replace(" ", "_")
    if error is not None:
        entry["message"] = error.message
        details = [f"{field}: {text}" for field, texts in error.errors.items() for text in texts]
        if details:
            entry["details"] = details
    return entry


def product_endpoints(shop: Shop) -> list[Endpoint]:
    async def list_products(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, LIST_PARAMS)
        with shop.store.read() as db:
            if "q" not in params and not params.get("sort"):
                hidden = not has(principal, READ_UNPUBLISHED)
                return _sql_page(shop, db, request, params, published_only=hidden)
            docs = PRODUCTS.all(db)
            if not has(principal, READ_UNPUBLISHED):
                docs = [d for d in docs if d.get("published")]
            docs = filter_q(docs, params)
            sort_items(docs, params.get("sort"), localized_key(shop.default_language, LOCALIZED_FIELDS))
            render = Renderer(shop, db, request, params)
            return list_response(request, [render(d) for d in docs], params)

    async def get_one(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, ONE_PARAMS)
        product_id = request.path_params["productId"]
        with shop.store.read() as db:
            doc = PRODUCTS.get(db, product_id)
            if doc is None:
                raise not_found(f"The product with id {product_id} has not been found.", productId=product_id)
            if not doc.get("published") and not has(principal, READ_UNPUBLISHED):
                raise forbidden(
                    f"The product {product_id} is not published; reading it needs {READ_UNPUBLISHED}."
                )
            return JsonResponse(Renderer(shop, db, request, params)(doc))

    async def create(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, CREATE_PARAMS)
        body = await read_json(request, PRODUCT)
        write = _flags(params, request, "create", missing_template_status=400)
        with shop.store.write() as db:
            doc, _ = write_product(shop, db, body, write, principal)
        return created({"id": doc["id"], "yrn": shop.yrn("product", doc["id"])})

    async def upsert(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, UPSERT_PARAMS)
        body = await read_json(request, PRODUCT)
        product_id = request.path_params["productId"]
        with shop.store.write() as db:
            doc, new = write_product(shop, db, body, _flags(params, request, "upsert"), principal, product_id)
        return created({"id": doc["id"], "yrn": shop.yrn("product", doc["id"])}) if new else no_content()

    async def patch(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, CREATE_PARAMS)
        body = await read_json(request, PRODUCT)
        product_id = request.path_params["productId"]
        with shop.store.write() as db:
            write_product(shop, db, body, _flags(params, request, "patch"), principal, product_id)
        return no_content()

    async def delete(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, DELETE_PARAMS)
        await read_json(request, required=False)
        with shop.store.write() as db:
            delete_product(db, request.path_params["productId"], force=params.get("force", False))
        return no_content()

    async def bulk(request: Request, principal: Principal | None, mode: str) -> Response:
        params = read_params(request, CREATE_PARAMS)
        items = await read_json(request)
        if not isinstance(items, list):
            raise bad_request("The request body must be a list of products.", {"body": ["must be a list"]})
        if len(items) > MAX_BULK:
            raise bad_request(
                "There is a validation error. Please check the details.",
                {"body": [f"Maximum size of the payload array is {MAX_BULK}."]},
            )
        results = [
            _bulk_item(shop, request, principal, params, mode, i, item) for i, item in enumerate(items)
        ]
        return JsonResponse(results, status_code=207)

    async def bulk_create(request: Request, principal: Principal | None) -> Response:
        return await bulk(request, principal, "create")

    async def bulk_upsert(request: Request, principal: Principal | None) -> Response:
        return await bulk(request, principal, "upsert")

    one = BASE + "/{productId}"
    return [
        Endpoint("GET", BASE, list_products),
        Endpoint("POST", BASE, scoped(create, MANAGE)),
        Endpoint("POST", BASE + "/bulk", scoped(bulk_create, MANAGE)),
        Endpoint("PUT", BASE + "/bulk", scoped(bulk_upsert, MANAGE)),
        Endpoint("GET", one, get_one),
        Endpoint("PUT", one, scoped(upsert, MANAGE)),
        Endpoint("PATCH", one, scoped(patch, MANAGE)),
        Endpoint("DELETE", one, scoped(delete, MANAGE)),
    ]


def _bulk_item(
    shop: Shop,
    request: Request,
    principal: Principal | None,
    params: Mapping[str, Any],
    mode: str,
    index: int,
    item: Any,
) -> Doc:
    item_id = item.get("id") if isinstance(item, Mapping) else None
    try:
        check(PRODUCT, item)
        if mode == "upsert" and not item_id:
            raise EmporixError(400, "Validation problem with request body.", errors={"id": ["required"]})
        with shop.store.write() as db:
            doc, new = write_product(
                shop,
                db,
                item,
                _flags(params, request, mode),
                principal,
                item_id if mode == "upsert" else None,
            )
    except EmporixError as exc:
        return _bulk_entry(index, item_id if isinstance(item_id, str) else None, exc.status, exc)
    return _bulk_entry(index, doc["id"], 201 if new else 204)
