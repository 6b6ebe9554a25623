"""The xPage apps API endpoints shelf uses, as plain calls returning the platform's JSON.

Nothing here knows the canonical model: payloads in, raw products out. Readings where the API document
is silent:

* ``POST /auth/get-token`` takes JSON ``{client_id, client_secret, install_id?, ttl?}`` and answers
  ``{"data": {"token", "expires_in"}}``.
* Writes are multipart with one ``metadata`` part holding the JSON text, for updates as for creates
  ("same request structure as create").
* The product list has no slug filter, so finding one product by its slug searches (``search=<slug>``,
  at least 2 characters) and keeps the exact slug match, paging through every result. The document
  calls ``search`` a full-text search, which may cut the slug into words, rank, or leave short words
  out; so when no result has the exact slug, every product is listed page by page and compared too.
* The shop's categories cannot be listed by the apps API. A sandbox target learns them from the
  emulator's control API (``GET /_sandbox/categories``), as a real shop's owner gives category ids in
  ``shelf.yaml``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from engine.errors import AuthError, PlatformError
from engine.http import HttpClient, Token, TokenFetch, decode_json
from engine.secrets import Secret

PAGE_SIZE = 200
MIN_SEARCH = 2

RawProduct = dict[str, Any]
Part = tuple[str, bytes, str]
"""A file part: its name, its bytes and its MIME type."""


class XPageApi:
    """The product endpoints of one shop, over one :class:`HttpClient`."""

    def __init__(self, http: HttpClient):
        self.http = http

    async def list_page(self, page: int, **filters: Any) -> tuple[list[RawProduct], int]:
        """One page of products and the number of the last page."""
        params = {"page_size": PAGE_SIZE, "page": page, **filters}
        body = self._data(await self.http.request("GET", "/product", params=params, collection=True))
        products = body.get("products") or []
        pagination = body.get("pagination") or {}
        last = int(pagination.get("last_page") or 1)
        return list(products), last

    async def list_products(self, **filters: Any) -> list[RawProduct]:
        """Every product: the first page, then the remaining pages concurrently.

        A product seen twice (the list shifted while being paged) is kept once.
        """
        first, last = await self.list_page(1, **filters)
        rest = await asyncio.gather(*(self.list_page(p, **filters) for p in range(2, last + 1)))
        seen: dict[str, RawProduct] = {}
        for page in [first, *(products for products, _ in rest)]:
            for product in page:
                seen.setdefault(str(product.get("id")), product)
        return list(seen.values())

    async def get_product(self, product_id: str) -> RawProduct:
        body = self._data(await self.http.request("GET", f"/product/{product_id}"))
        return dict(body["product"])

    async def find_by_slug(self, slug: str) -> RawProduct | None:
        """The product whose slug is exactly ``slug``, or None: among the search results first, then in the
        whole list (a full-text search need not find a slug it was given)."""
        if len(slug) >= MIN_SEARCH:
            found = _with_slug(await self.list_products(search=slug), slug)
            if found is not None:
                return found
        return _with_slug(await self.list_products(), slug)

    async def create_product(
        self, metadata: str, images: Sequence[Part] = (), files: Sequence[Part] = ()
    ) -> RawProduct:
        """``POST /product``, with new images as ``images[]`` parts and digital files as ``files[]`` parts,
        in order; never retried blindly (see :meth:`HttpClient.create_once`)."""
        parts: list[tuple[str, tuple[str | None, str | bytes, str]]] = list(_metadata_part(metadata).items())
        parts += [("images[]", part) for part in images]
        parts += [("files[]", part) for part in files]
        response = await self.http.request("POST", "/product", files=parts, idempotent=False)
        return dict(self._data(response)["product"])

    async def update_product(self, product_id: str, metadata: str, *, idempotent: bool) -> RawProduct:
        """``POST /product/{id}/update``. ``idempotent`` when sending it twice gives the same product (no item
        without an id, which the platform would create once per request)."""
        response = await self.http.request(
            "POST", f"/product/{product_id}/update", files=_metadata_part(metadata), idempotent=idempotent
        )
        return dict(self._data(response)["product"])

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        return _data(response, self.http.where)

    async def sandbox_categories(self) -> list[dict[str, Any]]:
        """The emulator's categories from its control API (sandbox targets only)."""
        origin = httpx.URL(self.http.base_url).copy_with(path="/", query=None)
        response = await self.http.request("GET", str(origin.join("/_sandbox/categories")))
        body = decode_json(response)
        if isinstance(body, dict):
            body = body.get("data", body)
        if isinstance(body, dict):
            body = body.get("categories", [])
        return [c for c in body if isinstance(c, dict)] if isinstance(body, list) else []


def _with_slug(products: list[RawProduct], slug: str) -> RawProduct | None:
    return next((p for p in products if p.get("slug") == slug), None)


def token_fetcher(client_id: str, client_secret: Secret, install_id: str | None) -> TokenFetch:
    """A :data:`engine.http.TokenFetch` for xPage client credentials."""

    async def fetch(http: HttpClient) -> Token:
        body: dict[str, Any] = {"client_id": client_id, "client_secret": client_secret.reveal()}
        if install_id:
            body["install_id"] = install_id
        try:
            response = await http.request(
                "POST", "/auth/get-token", json=body, idempotent=True, authenticate=False, collection=True
            )
        except AuthError as exc:
            raise AuthError(
                f"the client credentials of client_id {client_id!r} were rejected ({exc.status})",
                where=http.where,
                hint="check client_id, client_secret and install_id of this target",
                status=exc.status,
            ) from None
        data = _data(response, http.where)
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise PlatformError("POST /auth/get-token answered without a token", where=http.where, status=200)
        expires = data.get("expires_in")
        return Token(Secret(token), float(expires) if expires is not None else None)

    return fetch


def _metadata_part(metadata: str) -> Mapping[str, tuple[None, str, str]]:
    return {"metadata": (None, metadata, "application/json")}


def response_data(response: httpx.Response, where: str | None) -> dict[str, Any]:
    """The ``data`` object of an answer; a PlatformError when the answer has none."""
    return _data(response, where)


def _data(response: httpx.Response, where: str | None) -> dict[str, Any]:
    body = decode_json(response)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise PlatformError(
            f"{response.request.method} {response.request.url.path} answered without a data object",
            where=where,
            status=response.status_code,
            hint="the platform's answer is not what its API document describes; report it to the platform",
        )
    return data
