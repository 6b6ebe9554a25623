"""The xPage product endpoints of the sandbox: list, get, create, update.

Writes are multipart: ``metadata`` (JSON text, required: the update has "the same request structure as
create", where the document marks it required; every field inside it is optional to update),
``images[]`` and ``files[]`` parts. A create answers 201, an update 200, both with the product as
``GET`` shows it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.forms import Form, read_form
from engine.sandbox.query import Page, paginated, read_query
from engine.sandbox.responses import FieldErrors, data, invalid, not_found
from engine.sandbox.validation import SchemaValidator, parse_json
from engine.sandbox.xpage.context import Shop, origin
from engine.sandbox.xpage.file_store import upload_problems
from engine.sandbox.xpage.product_read import list_products, product_json, product_row
from engine.sandbox.xpage.product_write import ProductWrite
from engine.sandbox.xpage.schemas import CREATE_METADATA, PRODUCT_QUERY, UPDATE_METADATA


def _metadata(form: Form, validate: SchemaValidator, *, required: bool) -> tuple[dict[str, Any], FieldErrors]:
    text = form.text.get("metadata")
    if text is None:
        return {}, ({"metadata": ["required"]} if required else {})
    try:
        meta = parse_json(text)
    except ValueError as exc:
        return {}, {"metadata": [str(exc)]}
    return meta, validate(meta)


def _part_errors(form: Form) -> FieldErrors:
    errors: FieldErrors = {}
    for name, image in (("images[]", True), ("files[]", False)):
        for i, upload in enumerate(form.files.get(name, [])):
            problems = upload_problems(upload, image=image)
            if problems:
                errors[f"{name[:-2]}.{i}"] = problems
    return errors


def product_endpoints(shop: Shop) -> list[Endpoint]:
    async def read_write_body(
        request: Request, validate: SchemaValidator, *, required: bool
    ) -> tuple[Any, Form]:
        form = await read_form(
            request, text=("metadata",), files=("images[]", "files[]"), stats=shop.sandbox.stats
        )
        meta, errors = _metadata(form, validate, required=required)
        errors.update(_part_errors(form))
        if errors:
            raise invalid(errors)
        return meta, form

    async def list_all(request: Request, principal: Principal | None) -> Response:
        params = read_query(request, PRODUCT_QUERY)
        page = Page.of(params)
        with shop.store.read() as db:
            fulltext = shop.readings(db).fulltext
            items, total = list_products(db, params, page, origin(request), fulltext=fulltext)
        return data(paginated("products", items, total, page))

    async def get_one(request: Request, principal: Principal | None) -> Response:
        with shop.store.read() as db:
            row = product_row(db, request.path_params["id"])
            if row is None:
                raise not_found(f"product {request.path_params['id']}")
            return data({"product": product_json(db, row, origin(request))})

    async def create(request: Request, principal: Principal | None) -> Response:
        meta, form = await read_write_body(request, CREATE_METADATA, required=True)
        with shop.store.write() as db:
            writer = ProductWrite(
                db,
                meta,
                images=form.files.get("images[]", []),
                digital=form.files.get("files[]", []),
                now=shop.now(),
                readings=shop.readings(db),
            )
            row = product_row(db, writer.create())
            assert row is not None
            body = product_json(db, row, origin(request))
        return data({"product": body}, status=201)

    async def update(request: Request, principal: Principal | None) -> Response:
        product_id = request.path_params["id"]
        if not shop.store.query("SELECT 1 FROM xpage_products WHERE id = ?", (product_id,)):
            raise not_found(f"product {product_id}")
        meta, form = await read_write_body(request, UPDATE_METADATA, required=True)
        with shop.store.write() as db:
            writer = ProductWrite(
                db,
                meta,
                images=form.files.get("images[]", []),
                digital=form.files.get("files[]", []),
                now=shop.now(),
                readings=shop.readings(db),
            )
            writer.update(product_id)
            row = product_row(db, product_id)
            if row is None:
                raise not_found(f"product {product_id}")
            body = product_json(db, row, origin(request))
        return data({"product": body})

    return [
        Endpoint("GET", "/product", list_all, permission="product:view"),
        Endpoint("GET", "/product/{id}", get_one, permission="product:view"),
        Endpoint("POST", "/product", create, permission="product:create"),
        Endpoint("POST", "/product/{id}/update", update, permission="product:update"),
    ]
