"""Finding a product whose create answer was lost, whichever way the shop's full-text search works.

The document calls the product list's ``search`` a full-text search; the emulator's default reading cuts
texts into words of at least 3 characters and ranks, its other reading matches substrings. The lookup
must find the exact slug under both, or a lost answer turns into a second create.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.config import Config, Target
from engine.model import Catalog, Product, Variant
from engine.plan.model import Action, Change
from engine.platforms.xpage.provider import XPageProvider, create_xpage_provider
from engine.sandbox.xpage.app import create_app

BASE = "http://sandbox/api/apps/v1"


@pytest.fixture(params=["fulltext", "substring"])
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    return create_app(tmp_path / "shop.sqlite", readings={"search": request.param})


@pytest.fixture
async def provider(app: Any, tmp_path: Path) -> AsyncIterator[XPageProvider]:
    config = Config(root=tmp_path, path=None, recipes=(), targets={}, default_target="sandbox")
    made = create_xpage_provider(
        Target(name="sandbox", platform="xpage", sandbox=True),
        config,
        base_url=BASE,
        transport=httpx.ASGITransport(app=app),
        backoff=0.001,
    )
    yield made
    await made.aclose()


async def control(app: Any, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        response = await client.request(method, f"/_sandbox{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def product(key: str, title: str) -> Product:
    return Product(key=key, title={"*": title}, variants=(Variant(sku=key.upper(), price=Decimal("5")),))


async def create(provider: XPageProvider, *products: Product) -> None:
    desired = Catalog(products={p.key: p for p in products})
    prepared = provider.prepare(desired, await provider.read(desired))
    for key, made in prepared.products.items():
        await provider.apply(Change(f"product.{key}", Action.CREATE, desired=made))


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("xl-2", "Poster"),  # no word long enough for a full-text index: search finds nothing
        ("classic-tee", "Tee"),  # search also finds classic-tee-long, listed before it
    ],
)
async def test_a_lost_create_is_found_by_its_exact_slug(
    app: Any, provider: XPageProvider, key: str, title: str
) -> None:
    await create(provider, product("classic-tee-long", "Classic tee, long sleeves"))
    await control(app, "POST", "/faults", {"route": "POST /product", "status": 503, "after_commit": True})
    await control(app, "POST", "/stats/reset")
    await create(provider, product(key, title))
    stats = await control(app, "GET", "/stats")
    assert stats["requests"]["POST /product"] == 1  # found, not sent again
    live = await provider.read(Catalog())
    assert sorted(live.catalog.products) == sorted(["classic-tee-long", key])
