"""The Emporix media writes where the sandbox cannot go: a public asset's download served by another host."""

from __future__ import annotations

import httpx
import pytest

from engine.errors import PlatformError
from engine.http import BearerAuth, HttpClient
from engine.platforms.emporix.api import EmporixApi
from engine.platforms.emporix.media_writes import MediaWrites
from engine.secrets import Secret

CDN = "https://cdn.example.com/acme/a1/front.png"


def _api(handler: httpx.MockTransport) -> EmporixApi:
    http = HttpClient("https://api.emporix.io", auth=BearerAuth(Secret("tok")), transport=handler)
    return EmporixApi(http, "acme")


async def test_a_public_download_follows_its_redirect_without_the_token() -> None:
    seen: list[tuple[str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("Authorization")))
        if request.url.host == "api.emporix.io":
            return httpx.Response(301, headers={"Location": CDN})
        return httpx.Response(200, content=b"PNG!")

    api = _api(httpx.MockTransport(answer))
    data = await api.download("/media/acme/assets/a1/download")
    await api.http.aclose()
    assert data == b"PNG!"
    assert seen == [
        ("https://api.emporix.io/media/acme/assets/a1/download", "Bearer tok"),
        (CDN, None),
    ]


async def test_a_blob_rewritten_without_a_local_file_sends_the_downloaded_bytes() -> None:
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/download"):
            return httpx.Response(200, content=b"%PDF-1.7", headers={"Content-Type": "text/plain"})
        assert request.method == "PUT"
        sent.append(request.read())
        return httpx.Response(204)

    api = _api(httpx.MockTransport(answer))
    live = {
        "id": "a1",
        "type": "BLOB",
        "access": "PRIVATE",
        "details": {"filename": "guide.pdf", "mimeType": "application/pdf", "bytes": 8},
        "metadata": {"version": 3},
    }
    await MediaWrites(api).remove([live], {"p1"}, "p1")
    await api.http.aclose()
    assert len(sent) == 1
    assert b'filename="guide.pdf"' in sent[0] and b"application/pdf" in sent[0] and b"%PDF-1.7" in sent[0]


async def test_a_download_of_another_size_than_the_asset_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/download"):
            return httpx.Response(200, content=b"cut")
        raise AssertionError(f"nothing is written after a short download: {request.method} {request.url}")

    api = _api(httpx.MockTransport(answer))
    live = {"id": "a1", "type": "BLOB", "access": "PUBLIC", "details": {"filename": "x.png", "bytes": 99}}
    with pytest.raises(PlatformError, match="gave 3 bytes where the asset has 99"):
        await MediaWrites(api).remove([live], {"p1"}, "p1")
    await api.http.aclose()
