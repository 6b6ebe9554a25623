"""The Partner API endpoints shelf uses, as plain calls returning the platform's JSON.

Nothing here knows the canonical model. Readings where the documents are silent:

* Lists are paged with ``page`` (from 1) and ``page_size``; no maximum is published, so shelf asks for
  100 and follows ``total_pages``.
* Write answers are ``202 {"job_id", "job_status"}``; the job's result holds ``item_level_feedback`` (catalog)
  or ``invalid_vendors``/``missing_skus``/``invalid_discounted_skus`` (promotions).
* There is no endpoint listing a chain's vendors, so ``vendors: ["*"]`` cannot be read and is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import PlatformError
from engine.http import HttpClient, decode_json
from engine.platforms.partner.wire import encode

PAGE_SIZE = 100
JSON = {"Content-Type": "application/json"}

Row = dict[str, Any]


class PartnerApi:
    def __init__(self, http: HttpClient, chain: str):
        self.http = http
        self.chain = chain
        self.base = f"/v2/chains/{chain}"
        self.pages: dict[str, int] = {}  # pages of each vendor's last listing

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        body = decode_json(response)
        if not isinstance(body, dict):
            raise PlatformError(
                f"{method} {path} answered without a JSON object", where=self.http.where, status=200
            )
        return body

    async def catalog_page(self, vendor: str, page: int, **search: str) -> tuple[list[Row], int]:
        params = {"page": page, "page_size": PAGE_SIZE, **search}
        body = await self._json("GET", f"{self.base}/vendors/{vendor}/catalog", params=params)
        products = [p for p in body.get("products") or [] if isinstance(p, dict)]
        return products, int(body.get("total_pages") or 1)

    async def catalog(self, vendor: str, **search: str) -> list[Row]:
        """Every product of one vendor (matching ``query_term``, if given): the first page, then the
        others concurrently; a SKU seen twice (the list moved while paged) is kept once."""
        first, pages = await self.catalog_page(vendor, 1, **search)
        self.pages[vendor] = pages
        rest = await asyncio.gather(*(self.catalog_page(vendor, p, **search) for p in range(2, pages + 1)))
        seen: dict[str, Row] = {}
        for page in [first, *(rows for rows, _ in rest)]:
            for row in page:
                seen.setdefault(str(row.get("sku")), row)
        return list(seen.values())

    async def find(self, vendor: str, sku: str) -> Row | None:
        """One SKU of one vendor, by ``query_term`` (a search by name, SKU or barcode: the exact SKU is
        kept from what it finds)."""
        for row in await self.catalog(vendor, query_term=sku):
            if str(row.get("sku")) == sku:
                return row
        return None

    async def categories(self, vendor: str) -> list[Row]:
        body = await self._json(
            "GET", f"{self.base}/vendors/{vendor}/categories", params={"only_leaves": "false"}
        )
        return [c for c in body.get("categories") or [] if isinstance(c, dict)]

    async def create(self, vendors: Sequence[str], products: Sequence[Mapping[str, Any]]) -> str:
        """``POST .../catalog``: never retried blindly (the caller looks the SKUs up first)."""
        body = {"vendors": list(vendors), "products": list(products)}
        answer = await self._json(
            "POST",
            f"{self.base}/catalog",
            content=encode(body).encode(),
            headers=JSON,
            idempotent=False,
            expect=(200, 201, 202),
        )
        return _job_id(answer, self.http.where)

    async def update(self, vendor: str, products: Sequence[Mapping[str, Any]]) -> str:
        """``PUT .../vendors/{vendor}/catalog``: setting values is idempotent, so it may be retried."""
        answer = await self._json(
            "PUT",
            f"{self.base}/vendors/{vendor}/catalog",
            content=encode({"products": list(products)}).encode(),
            headers=JSON,
            expect=(200, 202),
        )
        return _job_id(answer, self.http.where)

    async def promotion(self, body: Mapping[str, Any]) -> str:
        """``PUT .../promotion``: an upsert by the promotion's identity, so it may be retried."""
        answer = await self._json(
            "PUT", f"{self.base}/promotion", content=encode(body).encode(), headers=JSON, expect=(200, 202)
        )
        return _job_id(answer, self.http.where)

    async def job(self, kind: str, job_id: str) -> Row:
        """A job's status: ``kind`` is ``catalog`` or ``promotion``."""
        result: Row = await self._json("GET", f"{self.base}/{kind}/jobs/{job_id}")
        return result


def _job_id(answer: Mapping[str, Any], where: str | None) -> str:
    job_id = answer.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        raise PlatformError("the platform accepted a write without a job id", where=where, status=202)
    return job_id
