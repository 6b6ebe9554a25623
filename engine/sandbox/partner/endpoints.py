"""The Partner API routes the emulator serves, under ``/v2/chains/{chain_id}``.

Readings where the documents are silent:

* Error bodies use the shared ``{"code", "message", "errors": {field: [...]}}`` shape; a body that is not
  what the sketch shows (unknown field, wrong type, missing SKU) is a 400 for the whole request.
* The list answers ``{page_number, page_size, total_pages, total_count, products}``; ``page_size`` has no
  published maximum and the emulator accepts any; products come in the order they were added. Prices
  are JSON numbers.
* An unknown vendor is 404 on every per-vendor route, and on a create that names it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.sandbox.api import Endpoint
from engine.sandbox.auth import Principal
from engine.sandbox.partner.catalog_work import chain_vendors
from engine.sandbox.partner.jobs import Jobs
from engine.sandbox.partner.schemas import CATEGORIES, CREATE, LIST, PROMOTION, UPDATE
from engine.sandbox.query import read_query
from engine.sandbox.responses import ApiError, not_found
from engine.sandbox.store import Store
from engine.sandbox.validation import SchemaValidator, parse_json


def _money(value: str) -> float | int:
    """A stored price as a JSON number with the same digits (at most 3 decimals round-trip exactly)."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


async def _body(request: Request, validate: SchemaValidator) -> tuple[Any, str]:
    raw = await request.body()
    try:
        body = parse_json(raw)
    except ValueError as exc:
        raise ApiError(400, str(exc), errors={"body": [str(exc)]}) from None
    errors = validate(body)
    if errors:
        raise ApiError(400, "the request body is invalid", errors=errors)
    return body, raw.decode()


def partner_endpoints(store: Store, jobs: Jobs) -> list[Endpoint]:
    def vendor_of(request: Request) -> tuple[str, str]:
        chain = request.path_params["chain_id"]
        vendor = request.path_params["vendor_id"]
        jobs.run_due(chain)
        if vendor not in chain_vendors_of(chain):
            raise not_found(f"vendor {vendor} of chain {chain}")
        return chain, vendor

    def chain_vendors_of(chain: str) -> list[str]:
        with store.read() as db:
            return chain_vendors(db, chain)

    async def list_catalog(request: Request, principal: Principal | None) -> Response:
        chain, vendor = vendor_of(request)
        params = read_query(request, LIST)
        page, size = params.get("page", 1), params.get("page_size", 20)
        filtered = any(params.get(k) for k in ("query_term", "category_global_ids")) or "is_active" in params
        if filtered:
            rows = store.query(
                "SELECT item FROM partner_products WHERE chain_id = ? AND vendor_id = ? ORDER BY seq",
                (chain, vendor),
            )
            items = _filter([json.loads(r["item"]) for r in rows], params)
            total = len(items)
            shown = items[(page - 1) * size : page * size]
        else:
            total = store.query(
                "SELECT COUNT(*) AS n FROM partner_products WHERE chain_id = ? AND vendor_id = ?",
                (chain, vendor),
            )[0]["n"]
            rows = store.query(
                "SELECT item FROM partner_products WHERE chain_id = ? AND vendor_id = ?"
                " ORDER BY seq LIMIT ? OFFSET ?",
                (chain, vendor, size, (page - 1) * size),
            )
            shown = [json.loads(r["item"]) for r in rows]
        for item in shown:
            item["price"] = _money(item["price"])
        return JSONResponse(
            {
                "page_number": page,
                "page_size": size,
                "total_pages": max(1, -(-total // size)),
                "total_count": total,
                "products": shown,
            }
        )

    async def update_catalog(request: Request, principal: Principal | None) -> Response:
        chain, vendor = vendor_of(request)
        _, raw = await _body(request, UPDATE)
        payload = f'{{"vendor": {json.dumps(vendor)}, "body": {raw}}}'
        return JSONResponse(jobs.queue(chain, "catalog_update", payload), status_code=202)

    async def create_catalog(request: Request, principal: Principal | None) -> Response:
        chain = request.path_params["chain_id"]
        jobs.run_due(chain)
        body, raw = await _body(request, CREATE)
        known = chain_vendors_of(chain)
        unknown = [v for v in body["vendors"] if v != "*" and v not in known]
        if unknown:
            raise not_found(f"vendor(s) {', '.join(unknown)} of chain {chain}")
        return JSONResponse(jobs.queue(chain, "catalog_create", raw), status_code=202)

    async def categories(request: Request, principal: Principal | None) -> Response:
        chain, _ = vendor_of(request)
        read_query(request, CATEGORIES)
        rows = store.query("SELECT * FROM partner_categories WHERE chain_id = ? ORDER BY global_id", (chain,))
        return JSONResponse(
            {
                "categories": [
                    {
                        "global_id": r["global_id"],
                        "details": {"name": json.loads(r["name"])},
                        "parent_global_id": r["parent_global_id"],
                        "active": True,
                    }
                    for r in rows
                ]
            }
        )

    async def put_promotion(request: Request, principal: Principal | None) -> Response:
        chain = request.path_params["chain_id"]
        jobs.run_due(chain)
        _, raw = await _body(request, PROMOTION)
        return JSONResponse(jobs.queue(chain, "promotion", raw), status_code=202)

    def job_route(kinds: tuple[Any, ...]) -> Any:
        async def job(request: Request, principal: Principal | None) -> Response:
            chain = request.path_params["chain_id"]
            found = jobs.status(chain, request.path_params["job_id"], kinds)
            if found is None:
                raise not_found(f"job {request.path_params['job_id']}")
            return JSONResponse(found)

        return job

    base = "/v2/chains/{chain_id}"
    vendor = base + "/vendors/{vendor_id}"
    return [
        Endpoint("GET", vendor + "/catalog", list_catalog),
        Endpoint("PUT", vendor + "/catalog", update_catalog),
        Endpoint("POST", base + "/catalog", create_catalog),
        Endpoint("GET", base + "/catalog/jobs/{job_id}", job_route(("catalog_create", "catalog_update"))),
        Endpoint("GET", vendor + "/categories", categories),
        Endpoint("PUT", base + "/promotion", put_promotion),
        Endpoint("GET", base + "/promotion/jobs/{job_id}", job_route(("promotion",))),
    ]


def _filter(items: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    if "is_active" in params:
        items = [i for i in items if i["active"] is params["is_active"]]
    if params.get("query_term"):
        term = params["query_term"].casefold()
        items = [i for i in items if _matches(i, term)]
    if params.get("category_global_ids"):
        wanted = set(params["category_global_ids"].split(","))
        items = [i for i in items if wanted & set(i["category_global_ids"])]
    return items


def _matches(item: dict[str, Any], term: str) -> bool:
    if term in item["sku"].casefold() or any(term in b.casefold() for b in item["barcodes"]):
        return True
    return any(term in text.casefold() for text in item["title"].values())
