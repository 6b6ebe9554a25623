"""Builders shared by the Emporix sandbox tests: clients over in-process HTTP, templates, products.

Nothing here is a test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from engine.sandbox.emporix.app import create_app

ROOT = "http://emporix.test"
TENANT = "acme"
FULL = "full-token"
PRODUCTS = f"/product/{TENANT}/products"
TEMPLATES = f"/product/{TENANT}/product-templates"
CATEGORIES = f"/category/{TENANT}/categories"
PRICES = f"/price/{TENANT}/prices"
MODELS = f"/price/{TENANT}/priceModels"
ASSETS = f"/media/{TENANT}/assets"
COUPONS = f"/coupon/{TENANT}/coupons"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def make_app(db: Path, **options: Any) -> Starlette:
    """An app for tenant ``acme`` accepting the configured token ``full-token`` (every scope)."""
    options.setdefault("tenant", TENANT)
    options.setdefault("tokens", {FULL: None})
    return create_app(db, **options)


@asynccontextmanager
async def client(app: Any, token: str | None = FULL, **headers: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app's root, authenticated with ``token`` unless None."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ROOT, headers=headers) as c:
        yield c


async def issue(
    c: httpx.AsyncClient, client_id: str = "sandbox", secret: str = "sandbox", **form: str
) -> httpx.Response:
    return await c.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **form},
    )


def scoped_app(db: Path, scopes: Collection[str]) -> Starlette:
    """An app whose configured token ``limited`` holds only ``scopes``."""
    return make_app(db, tokens={FULL: None, "limited": scopes})


def template_body(**extra: Any) -> dict[str, Any]:
    """A T-shirt template: size and color are variant attributes, material a plain one."""
    return {
        "name": {"en": "T-shirt"},
        "attributes": [
            {
                "key": "size",
                "name": {"en": "Size"},
                "type": "TEXT",
                "metadata": {"mandatory": False, "variantAttribute": True},
                "values": [{"key": "S"}, {"key": "M"}, {"key": "L"}],
            },
            {
                "key": "color",
                "name": {"en": "Color", "de": "Farbe"},
                "type": "TEXT",
                "metadata": {"mandatory": False, "variantAttribute": True},
                "values": [{"key": "RED"}, {"key": "BLUE"}],
            },
        ],
        **extra,
    }


async def make_template(c: httpx.AsyncClient, **extra: Any) -> str:
    response = await c.post(TEMPLATES, json=template_body(**extra))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def parent_body(template_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "tee",
        "code": "TEE",
        "name": {"en": "Classic Tee", "de": "Klassisches T-Shirt"},
        "productType": "PARENT_VARIANT",
        "published": True,
        "template": {"id": template_id, "version": 1},
        "variantAttributes": {
            "size": [{"key": "S"}, {"key": "M"}],
            "color": [{"key": "RED"}, {"key": "BLUE"}],
        },
        **extra,
    }


async def make_product(c: httpx.AsyncClient, body: Mapping[str, Any], **params: str) -> str:
    response = await c.post(PRODUCTS, json=dict(body), params=params, headers={"Content-Language": "*"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def basic(c: httpx.AsyncClient, product_id: str = "mug", code: str = "MUG", **extra: Any) -> str:
    body = {"id": product_id, "code": code, "name": {"en": "Mug"}, "published": True, **extra}
    return await make_product(c, body)


async def variants_of(c: httpx.AsyncClient, parent_id: str) -> list[dict[str, Any]]:
    response = await c.get(PRODUCTS, params={"q": f"parentVariantId:{parent_id}", "pageSize": "200"})
    assert response.status_code == 200, response.text
    return list(response.json())
