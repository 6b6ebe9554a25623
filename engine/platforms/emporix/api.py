"""The Emporix calls shelf makes, as plain requests returning the services' JSON.

Nothing here knows the canonical model. Readings where the references leave a choice:

* Lists are read ``PAGE_SIZE`` at a time (the references document no maximum page size; 200 is the
  largest batch Emporix documents anywhere). The first page asks for the total (``X-Total-Count: true``,
  for coupons ``totalCount=true`` answered in ``Items-Count``); the remaining pages are then fetched
  concurrently. An object seen on two pages (the list moved while it was read) is kept once.
* Localized fields are sent and read as maps of every language (``Content-Language: *`` and
  ``Accept-Language: *``).
* Bulk writes send at most ``BULK_LIMIT`` items per request and answer 207 with one result per index;
  each index's result is returned to the caller, which turns a failed one into a failed change.
* Every write but a create is a ``PUT`` or ``DELETE`` by id, which the HTTP client sends again after a
  5xx, a 429 or a lost answer. A create is a ``POST`` of an object whose id or code shelf chose
  (:meth:`EmporixApi.create`): it is never sent again blindly, but only after looking the object up by
  that id or code and not finding it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import httpx

from engine.errors import AuthError, PlatformError
from engine.http import HttpClient, decode_json
from engine.platforms.emporix.auth import scope_error
from engine.platforms.emporix.wire import JSON, dumps, encode

PAGE_SIZE = 200
BULK_LIMIT = 200
REFUSALS = (400, 404, 405, 409, 412, 413, 415, 422)
"""Answers that are the platform's definite refusal: never retried, reported with every detail given."""
MESSAGE_LIMIT = 600
REDIRECTS = (301, 302, 303, 307, 308)
T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
ALL_LANGUAGES = "*"
READ_MAPS = {"Accept-Language": ALL_LANGUAGES}
WRITE_MAPS = {"Content-Language": ALL_LANGUAGES}

Doc = dict[str, Any]
FilePart = tuple[str, bytes, str]
"""An uploaded file: its name, its bytes and its MIME type."""


class EmporixApi:
    """One tenant's services over one :class:`HttpClient`."""

    def __init__(self, http: HttpClient, tenant: str, page_size: int = PAGE_SIZE):
        self.http = http
        self.tenant = tenant
        self.page_size = page_size

    def path(self, service: str, rest: str) -> str:
        return f"/{service}/{self.tenant}/{rest}"

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: Sequence[int] = (200, 201, 204),
        idempotent: bool | None = None,
        collection: bool = False,
    ) -> httpx.Response:
        """One request; a 403 becomes an error naming the missing scope, and a 404 on a list
        (``collection``) one saying the address is wrong."""
        sent = dict(headers or {})
        content = None
        if body is not None:
            content = encode(body)
            sent["Content-Type"] = JSON
        try:
            response = await self.http.request(
                method,
                path,
                params=params,
                content=content,
                files=files,
                headers=sent,
                expect=(*expect, *REFUSALS),
                idempotent=idempotent,
            )
        except AuthError as exc:
            if exc.status == 403:
                raise scope_error(exc, method, path, self.tenant) from None
            raise
        if response.status_code in expect:
            return response
        if response.status_code == 404 and collection:
            raise self.http.wrong_address(f"{method} {path}", path)
        raise refusal(response, f"{method} {path}", self.http)

    async def get(
        self, path: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        """The JSON at ``path``, or None when it is not there (404)."""
        response = await self.call("GET", path, params=params, headers=headers, expect=(200, 404))
        if response.status_code == 404:
            return None
        return decode_json(response)

    async def list_all(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        coupons: bool = False,
        ask_total: bool = True,
        key: Callable[[Doc], str] = lambda doc: str(doc.get("id")),
    ) -> list[Doc]:
        """Every item of a list: the first page with the total, then the other pages concurrently (one
        after another, until a page is not full, when the service answers no total). A service that
        answers fewer items than asked per page (a cap of its own) is paged at its size. ``ask_total``
        False: the route does not document the ``X-Total-Count`` request header, so it is not sent
        (a total the service answers anyway is still used)."""
        base = dict(params or {})
        base["pageSize"] = self.page_size
        asked = dict(headers or {})
        if coupons:
            base["totalCount"] = "true"
        elif ask_total:
            asked["X-Total-Count"] = "true"
        first = await self.call(
            "GET", path, params={**base, "pageNumber": 1}, headers=asked, collection=True
        )
        items = _items(first, path)
        header = first.headers.get("Items-Count" if coupons else "X-Total-Count")
        pages: list[list[Doc]] = [items]
        if header is None:
            size = len(items) if 0 < len(items) < self.page_size else self.page_size
            base["pageSize"] = size
            while len(pages[-1]) >= size:
                params_n = {**base, "pageNumber": len(pages) + 1}
                pages.append(_items(await self.call("GET", path, params=params_n, headers=asked), path))
        else:
            total = _total(header, len(items))
            size = len(items) if 0 < len(items) < min(self.page_size, total) else self.page_size
            if size != self.page_size:
                base["pageSize"] = size
            count = -(-total // size)
            rest = await all_of(
                *(
                    self.call("GET", path, params={**base, "pageNumber": n}, headers=asked)
                    for n in range(2, count + 1)
                )
            )
            pages += [_items(r, path) for r in rest]
        seen: dict[str, Doc] = {}
        for page in pages:
            for doc in page:
                seen.setdefault(key(doc), doc)
        return list(seen.values())

    async def put(
        self,
        path: str,
        body: Any,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return await self.call("PUT", path, params=params, body=body, headers=headers)

    async def post(
        self,
        path: str,
        body: Any,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return await self.call("POST", path, params=params, body=body, headers=headers, idempotent=False)

    async def create(
        self, send: Callable[[], Awaitable[object]], lookup: Callable[[], Awaitable[Doc | None]]
    ) -> Doc | None:
        """Create an object whose id or code shelf chose, exactly once: None when ``send`` was answered,
        else the object ``lookup`` found by that id or code.

        After a 5xx, a timeout or a dropped connection the create may or may not have happened, so the
        object is looked up first and ``send`` repeated only when it is not there (as many times in all
        as the client retries other requests). A 409 says the id or code is taken: the object found is
        the answer (the caller decides whether it may be adopted). Any other 4xx is the service's
        refusal, raised at once."""

        async def once() -> Doc | None:
            try:
                await send()
            except PlatformError as exc:
                if exc.status != 409:
                    raise
                found = await lookup()
                if found is None:
                    raise
                return found
            return None

        return await self.http.create_once(once, lookup)

    async def delete(self, path: str, *, params: Mapping[str, Any] | None = None) -> bool:
        """Delete; False when the object was not there (404)."""
        response = await self.call("DELETE", path, params=params, expect=(200, 204, 404))
        return response.status_code != 404

    async def bulk(
        self,
        path: str,
        items: Sequence[Doc],
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> list[Doc]:
        """``PUT`` ``items`` in batches of at most ``BULK_LIMIT``; one result per item, in order, each
        with the item's ``index`` in ``items``."""
        batches = [items[i : i + BULK_LIMIT] for i in range(0, len(items), BULK_LIMIT)]
        answers = await all_of(
            *(
                self.call("PUT", path, params=params, body=list(batch), headers=headers, expect=(207,))
                for batch in batches
            )
        )
        results: list[Doc] = []
        for offset, (batch, answer) in enumerate(zip(batches, answers, strict=True)):
            body = decode_json(answer)
            by_index = {int(r.get("index", -1)): r for r in body if isinstance(r, dict)}
            for i in range(len(batch)):
                result = dict(by_index.get(i) or {"code": 0, "message": "no result for this item"})
                result["index"] = offset * BULK_LIMIT + i
                results.append(result)
        return results

    async def download(self, path: str) -> bytes:
        """The bytes of an asset's ``.../download``: a private blob's answer itself, or the file at the
        address a public one redirects to, fetched without the token (it is served publicly, often by
        another host)."""
        response = await self.call("GET", path, expect=(200, *REDIRECTS))
        if response.status_code == 200:
            return response.content
        location = response.headers.get("Location")
        if not location:
            raise PlatformError(
                f"GET {path} answered {response.status_code} without a Location",
                status=response.status_code,
                hint="the platform's answer is not what its reference describes; report it to the platform",
            )
        target = str(response.url.join(location))
        served = await self.http.request("GET", target, authenticate=False, expect=(200,))
        return served.content

    async def multipart(
        self,
        method: str,
        path: str,
        body: Doc,
        file: FilePart,
        *,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """A blob's media request: the ``file`` part and the JSON ``body`` part, which the reference
        requires together on creates and updates alike."""
        parts: list[tuple[str, tuple[str | None, str | bytes, str]]] = [
            ("file", file),
            ("body", (None, dumps(body), JSON)),
        ]
        return await self.call(method, path, files=parts, idempotent=idempotent)


def bulk_failures(results: Sequence[Doc], names: Sequence[str]) -> list[str]:
    """A line per failed bulk item: the item's name and the platform's message."""
    failed = []
    for result in results:
        code = int(result.get("code") or 0)
        if code in (200, 201, 204):
            continue
        index = int(result.get("index", -1))
        name = names[index] if 0 <= index < len(names) else f"item {index}"
        message = str(result.get("message") or result.get("status") or "refused")
        details = result.get("details")
        if isinstance(details, list) and details:
            message += " (" + "; ".join(str(d) for d in details) + ")"
        failed.append(f"{name}: {code} {message}")
    return failed


def refusal(response: httpx.Response, label: str, http: HttpClient) -> PlatformError:
    """A refusal in any of the services' error shapes: the message, then each detail (field: message)."""
    try:
        body = decode_json(response)
    except ValueError:
        body = None
    message = response.reason_phrase
    details: list[str] = []
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error_description") or message)
        for detail in body.get("details") or []:
            if isinstance(detail, dict):
                field = detail.get("field")
                text = str(detail.get("message") or detail.get("type") or "")
                details.append(f"{field}: {text}" if field else text)
            else:
                details.append(str(detail))
    text = f"{label} failed with {response.status_code}: {message}"
    if details:
        text += " [" + "; ".join(details) + "]"
    status = response.status_code
    if status == 404:
        hint = "the object is no longer in the shop; plan again"
    elif status == 409:
        hint = "the object changed in the shop meanwhile, or its code is taken; plan again"
    else:
        hint = "fix the values named above in the recipe, then plan again"
    return PlatformError(http.redact(text)[:MESSAGE_LIMIT], where=http.where, hint=hint, status=status)


def _items(response: httpx.Response, path: str) -> list[Doc]:
    body = decode_json(response)
    if not isinstance(body, list):
        raise PlatformError(
            f"GET {path} answered {type(body).__name__} where a list was expected",
            status=response.status_code,
            hint="the platform's answer is not what its reference describes; report it to the platform",
        )
    return [item for item in body if isinstance(item, dict)]


def _total(header: str | None, seen: int) -> int:
    try:
        return max(int(header or ""), seen)
    except ValueError:
        return seen


async def all_of(*work: Awaitable[T]) -> list[T]:
    """Run ``work`` concurrently and wait for every part to finish, then raise the first failure: no
    request is left cut off halfway, as cancelling the others would leave them."""
    results = await asyncio.gather(*work, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return cast(list[T], results)


async def pair(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two differently typed parts of work, as :func:`all_of` runs them."""
    done: list[Any] = await all_of(first, second)
    return done[0], done[1]
