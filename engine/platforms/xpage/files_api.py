"""The xPage files endpoints shelf uses: upload, list, delete, unlink, and downloads of URL images.

Readings where the API document is silent:

* ``POST /file`` is multipart: the ``file`` part plus text fields ``fileable_type``, ``fileable_id``,
  ``role``, ``order`` and ``alt``. Its answer can be lost like any create's, so it is never sent twice
  blindly: the owner's files (or, for a file linked to nothing, the newest files) are searched for the
  stored name (and alt text) first, and that name carries the content hash, so a match is the same bytes;
  the alt text tells a new upload of the same bytes from the file it replaces.
* ``POST /file/{id}`` (delete) of a file that is already gone answers 404, which is the wanted outcome;
  ``DELETE /file/{id}/link/...`` is idempotent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from engine.errors import PlatformError
from engine.http import HttpClient
from engine.platforms.xpage.api import PAGE_SIZE, Part, response_data

RawFile = dict[str, Any]
Files = list[RawFile]


class XPageFilesApi:
    """The files of one shop, over the provider's :class:`HttpClient`."""

    def __init__(self, http: HttpClient):
        self.http = http

    async def upload(self, part: Part, fields: Mapping[str, str | int | None]) -> RawFile:
        """``POST /file`` once: after a lost answer the file is looked up by its name before any resend."""
        form = {k: str(v) for k, v in fields.items() if v is not None}

        async def send() -> RawFile:
            response = await self.http.request(
                "POST", "/file", data=form, files={"file": part}, idempotent=False
            )
            return dict(response_data(response, self.http.where)["file"])

        async def lookup() -> RawFile | None:
            owner = {k: form[k] for k in ("fileable_type", "fileable_id") if k in form}
            for found in await self.list(**owner):
                if found.get("name") == part[0] and (found.get("alt") or None) == (form.get("alt") or None):
                    return found
            return None

        return await self.http.create_once(send, lookup)

    async def list(self, **filters: str) -> list[RawFile]:
        """The first page of files matching ``filters``, newest first."""
        params = {"page_size": PAGE_SIZE, "order_by": "created_at", "order_direction": "DESC", **filters}
        response = await self.http.request("GET", "/file", params=params, collection=True)
        body = response_data(response, self.http.where)
        return [dict(f) for f in body.get("files") or [] if isinstance(f, Mapping)]

    async def list_all(self, **filters: str) -> Files | None:
        """Every file matching ``filters``, all pages (the rest concurrently once the first tells how many);
        None when the token may not browse files (403), which a plan survives without them."""

        async def page(number: int) -> tuple[Files, int]:
            params = {"page_size": PAGE_SIZE, "page": number, **filters}
            response = await self.http.request("GET", "/file", params=params, collection=True)
            body = response_data(response, self.http.where)
            pagination = body.get("pagination") or {}
            files = [dict(f) for f in body.get("files") or [] if isinstance(f, Mapping)]
            return files, int(pagination.get("last_page") or 1)

        try:
            first, last = await page(1)
            rest = await asyncio.gather(*(page(n) for n in range(2, last + 1)))
        except PlatformError as exc:
            if exc.status == 403:
                return None
            raise
        seen: dict[str, RawFile] = {}
        for files in [first, *(found for found, _ in rest)]:
            for found in files:
                seen.setdefault(str(found.get("id")), found)
        return list(seen.values())

    async def delete(self, file_id: str) -> None:
        """``POST /file/{id}``: the file and every link to it; a file already gone is fine."""
        try:
            await self.http.request("POST", f"/file/{file_id}", idempotent=True)
        except PlatformError as exc:
            if exc.status != 404:
                raise

    async def unlink(self, file_id: str, fileable_type: str, fileable_id: str) -> None:
        """``DELETE /file/{id}/link/{type}/{owner}``: the file stays, the link goes."""
        try:
            await self.http.request("DELETE", f"/file/{file_id}/link/{fileable_type}/{fileable_id}")
        except PlatformError as exc:
            if exc.status != 404:
                raise

    async def download(self, url: str) -> bytes:
        """The bytes at ``url``: through this client (its transport and credentials) when the URL is on the
        shop's own host, else through a plain client without credentials."""
        ours = httpx.URL(self.http.base_url)
        wanted = httpx.URL(url)
        if (wanted.scheme, wanted.host, wanted.port) == (ours.scheme, ours.host, ours.port):
            return (await self.http.request("GET", url)).content
        async with HttpClient(str(wanted.copy_with(path="/", query=None, fragment=None))) as plain:
            return (await plain.request("GET", url)).content
