"""Category assignments: which products a category holds, and which categories hold a product.

Readings where the reference is silent:

* An assignment's reference is a product, which must exist (400 otherwise); its ``localizedName`` is
  the product's name, read when the assignment is listed.
* ``PUT .../assignments/references/{referenceId}`` answers 201 with the new assignment's id, or 204
  when the product is assigned already. ``POST .../assignments`` of an assigned product is a 400 (the
  operation documents no 409).
* ``PUT .../assignments/references/bulk`` (at most 200 references; more, or an empty list, is a 400 and
  nothing is written; an unknown category is a 404) answers 207 with one result per reference at its
  ``index``: ``{"index", "productId", "assignmentId", "code": 201, "status": "CREATED"}`` for a new
  assignment, ``code`` 204 (``NO_CONTENT``, without ``assignmentId``) for a product assigned already,
  and ``code`` 400 with a ``message`` for a product that does not exist (the others are written).
* Deleting one assignment of a product that is not assigned is a 204; deleting all of a product's
  assignments when it has none is the documented 404.
* ``GET /assignments/references/{referenceId}`` lists the categories of a product (published ones
  unless ``showUnpublished=true``, which needs ``category.category_read_unpublished``); it is a 404 when
  neither the product nor any assignment to it exists.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.emporix.auth import scoped
from engine.sandbox.emporix.categories import (
    BASE,
    MANAGE,
    CategoryView,
    ancestors,
    show_unpublished,
)
from engine.sandbox.emporix.context import Shop, new_id
from engine.sandbox.emporix.db import CATEGORIES, PRODUCTS, Doc
from engine.sandbox.emporix.errors import EmporixError, bad_request, invalid_field, not_found, phrase
from engine.sandbox.emporix.exact_json import JsonResponse
from engine.sandbox.emporix.i18n import accept_languages, filtered
from engine.sandbox.emporix.requests import (
    BOOLEAN,
    PAGING,
    TEXT,
    created,
    dotted,
    list_response,
    no_content,
    params_schema,
    read_json,
    read_params,
    sort_items,
)
from engine.sandbox.emporix.schemas_category import ASSIGNMENT, BULK_REFERENCES

TYPE = {"enum": ["PRODUCT"]}
CATEGORY_ASSIGNMENTS_PARAMS = params_schema(
    **PAGING,
    assignmentType=TYPE,
    showUnpublished=BOOLEAN,
    withSubcategories=BOOLEAN,
    segmentsIds=TEXT,
    hideUnpublishedProducts=BOOLEAN,
    **{"ref.localizedName": TEXT, "ref.id": TEXT},
)
BY_REFERENCE_PARAMS = params_schema(**PAGING, showUnpublished=BOOLEAN, expandSupercategoriesIds=BOOLEAN)


def _category(db: sqlite3.Connection, category_id: str) -> Doc:
    doc = CATEGORIES.get(db, category_id)
    if doc is None:
        raise not_found(f"Category with id {category_id} does not exist.")
    return doc


def _assign(db: sqlite3.Connection, category_id: str, product_id: str) -> str | None:
    """Assign; the new assignment's id, or None when the product was assigned already."""
    _category(db, category_id)
    if PRODUCTS.get(db, product_id) is None:
        raise invalid_field("ref.id", f"product {product_id} does not exist")
    row = db.execute(
        "SELECT id FROM emporix_assignments WHERE category_id = ? AND ref_id = ?", (category_id, product_id)
    ).fetchone()
    if row is not None:
        return None
    assignment_id = new_id()
    db.execute(
        "INSERT INTO emporix_assignments (id, category_id, ref_id, ref_type) VALUES (?, ?, ?, 'PRODUCT')",
        (assignment_id, category_id, product_id),
    )
    return assignment_id


def assignment_endpoints(shop: Shop) -> list[Endpoint]:
    async def put_reference(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        await read_json(request, required=False)
        with shop.store.write() as db:
            new = _assign(db, request.path_params["categoryId"], request.path_params["referenceId"])
        return created({"id": new}) if new else no_content()

    async def put_references(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, BULK_REFERENCES)
        category_id = request.path_params["categoryId"]
        with shop.store.write() as db:
            _category(db, category_id)
            results = [_bulk_result(db, category_id, i, item["ref"]["id"]) for i, item in enumerate(body)]
        return JsonResponse(results, status_code=207)

    async def post_assignment(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        body = await read_json(request, ASSIGNMENT)
        category_id = request.path_params["categoryId"]
        with shop.store.write() as db:
            new = _assign(db, category_id, body["ref"]["id"])
        if new is None:
            raise bad_request(f"Product {body['ref']['id']} is already assigned to category {category_id}.")
        return created({"id": new})

    async def delete_reference(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        category_id = request.path_params["categoryId"]
        with shop.store.write() as db:
            _category(db, category_id)
            db.execute(
                "DELETE FROM emporix_assignments WHERE category_id = ? AND ref_id = ?",
                (category_id, request.path_params["referenceId"]),
            )
        return no_content()

    async def list_assignments(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, CATEGORY_ASSIGNMENTS_PARAMS)
        unpublished = show_unpublished(principal, params)
        accept = accept_languages(request)
        category_id = request.path_params["categoryId"]
        with shop.store.read() as db:
            category = _category(db, category_id)
            if not category.get("published") and not unpublished:
                raise not_found(f"Category with id {category_id} does not exist.")
            wanted = [category_id]
            if params.get("withSubcategories"):
                wanted += [c["id"] for c in CATEGORIES.all(db) if category_id in ancestors(db, c)]
            items: list[dict[str, Any]] = []
            marks = ",".join("?" * len(wanted))
            sql = f"SELECT * FROM emporix_assignments WHERE category_id IN ({marks}) ORDER BY seq"
            for row in db.execute(sql, wanted):
                product = PRODUCTS.get(db, row["ref_id"]) or {}
                if params.get("hideUnpublishedProducts") and not product.get("published"):
                    continue
                name = filtered(product.get("name"), accept, shop.languages)
                items.append(
                    {
                        "id": row["id"],
                        "categoryId": row["category_id"],
                        "ref": {"id": row["ref_id"], "type": row["ref_type"], "localizedName": name},
                    }
                )
        if "ref.id" in params:
            items = [i for i in items if i["ref"]["id"] == params["ref.id"]]
        if "ref.localizedName" in params:
            needle = params["ref.localizedName"].lower()
            items = [i for i in items if any(needle in t.lower() for t in i["ref"]["localizedName"].values())]
        sort_items(items, params.get("sort"), dotted)
        return list_response(request, items, params)

    async def by_reference(request: Request, principal: Principal | None) -> Response:
        params = read_params(request, BY_REFERENCE_PARAMS)
        unpublished = show_unpublished(principal, params)
        reference = request.path_params["referenceId"]
        with shop.store.read() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT category_id FROM emporix_assignments WHERE ref_id = ? ORDER BY seq", (reference,)
                )
            ]
            if not ids and PRODUCTS.get(db, reference) is None:
                raise not_found(f"Reference with id {reference} does not exist.")
            docs = [d for d in (CATEGORIES.get(db, i) for i in ids) if d is not None]
            if not unpublished:
                docs = [d for d in docs if d.get("published")]
            sort_items(docs, params.get("sort"), dotted)
            view = CategoryView(shop, db, request)
            answer = [view(d, supercategories=params.get("expandSupercategoriesIds", False)) for d in docs]
        return list_response(request, answer, params)

    async def delete_by_reference(request: Request, principal: Principal | None) -> Response:
        read_params(request, params_schema())
        reference = request.path_params["referenceId"]
        with shop.store.write() as db:
            gone = db.execute("DELETE FROM emporix_assignments WHERE ref_id = ?", (reference,)).rowcount
        if not gone:
            raise not_found(f"Assignment with referenceId {reference} does not exist.")
        return no_content()

    one = BASE + "/{categoryId}/assignments"
    reference = "/category/{tenant}/assignments/references/{referenceId}"
    return [
        Endpoint("GET", one, list_assignments),
        Endpoint("POST", one, scoped(post_assignment, MANAGE)),
        Endpoint("PUT", one + "/references/bulk", scoped(put_references, MANAGE)),
        Endpoint("PUT", one + "/references/{referenceId}", scoped(put_reference, MANAGE)),
        Endpoint("DELETE", one + "/references/{referenceId}", scoped(delete_reference, MANAGE)),
        Endpoint("GET", reference, by_reference),
        Endpoint("DELETE", reference, scoped(delete_by_reference, MANAGE)),
    ]


def _bulk_result(db: sqlite3.Connection, category_id: str, index: int, product_id: str) -> Doc:
    entry: Doc = {"index": index, "productId": product_id}
    try:
        new = _assign(db, category_id, product_id)
    except EmporixError as exc:
        message = f"product {product_id} does not exist"
        return {**entry, "code": exc.status, "status": _status(exc.status), "message": message}
    if new is None:
        return {**entry, "code": 204, "status": _status(204)}
    return {**entry, "assignmentId": new, "code": 201, "status": _status(201)}


def _status(code: int) -> str:
    return phrase(code).upper().replace(" ", "_")
