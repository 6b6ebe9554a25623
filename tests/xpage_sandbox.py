"""Builders shared by the sandbox tests: clients over in-process HTTP, metadata parts, image bytes.

Nothing here is a test.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

API = "http://shop.test/api/apps/v1"
ROOT = "http://shop.test"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
GIF = b"GIF89a" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)
PDF = b"%PDF-1.7\n" + bytes(64)


@asynccontextmanager
async def api_client(
    app: Any, token: str | None = "sandbox", **headers: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app's xPage API, authenticated with ``token`` unless None."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=API, headers=headers
    ) as client:
        yield client


@asynccontextmanager
async def root_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app's root: the control API and downloads."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ROOT) as client:
        yield client


def metadata(meta: Mapping[str, Any] | str, **parts: Any) -> dict[str, Any]:
    """multipart ``files=`` for a product write: the metadata text part plus file parts."""
    text = meta if isinstance(meta, str) else json.dumps(meta)
    return {"metadata": (None, text, "application/json"), **parts}


def tee(**extra: Any) -> dict[str, Any]:
    """A product with two options and three variants."""
    return {
        "title": "Classic Tee",
        "options": [
            {"name": "Size", "order": 0, "values": [{"value": "S"}, {"value": "M"}]},
            {"name": "Color", "order": 1, "values": [{"value": "Black"}, {"value": "White"}]},
        ],
        "variants": [
            {"sku": "TEE-S-BLACK", "price": 25, "quantity": 5, "values": [_v(0, "S"), _v(1, "Black")]},
            {"sku": "TEE-M-BLACK", "price": 27.5, "values": [_v(0, "M"), _v(1, "Black")]},
            {
                "sku": "TEE-M-WHITE",
                "price": 29.99,
                "compare_price": 35,
                "values": [_v(0, "M"), _v(1, "White")],
            },
        ],
        **extra,
    }


def _v(order: int, value: str) -> dict[str, Any]:
    return {"order": order, "value": value}


async def create(client: httpx.AsyncClient, meta: Mapping[str, Any], **parts: Any) -> dict[str, Any]:
    response = await client.post("/product", files=metadata(meta, **parts))
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()["data"]["product"]
    return product


async def update(
    client: httpx.AsyncClient, product_id: str, meta: Mapping[str, Any], **parts: Any
) -> httpx.Response:
    return await client.post(f"/product/{product_id}/update", files=metadata(meta, **parts))


async def upload(client: httpx.AsyncClient, name: str, content: bytes, **fields: Any) -> httpx.Response:
    return await client.post(
        "/file",
        files={"file": (name, content, "application/octet-stream")},
        data={k: str(v) for k, v in fields.items()},
    )
