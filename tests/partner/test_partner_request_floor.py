"""The Partner API gets the fewest requests its API allows in every phase (counts per route, not times)."""

from __future__ import annotations

from pathlib import Path

import httpx
from request_floor import catalog, minimum, sync

from engine.config import load_config
from engine.sandbox.partner import create_app

from pictures import write_png

SHAPE = minimum.Shape(products=40, variants=12, images=1, categories=2, vendors=2)
TARGET = (
    "recipes: [recipes]\n"
    "default_target: stores\n"
    "targets:\n"
    "  stores:\n"
    "    platform: partner\n"
    "    sandbox: true\n"
    "    vendors: [vendor-marina, vendor-downtown]\n"
    "    image_base_url: https://cdn.example.com/catalog/\n"
    "    rate_limit: 100000\n"
)


async def test_partner_every_phase_is_at_the_api_minimum(tmp_path: Path) -> None:
    catalog.write_catalog(tmp_path, SHAPE.products, images=SHAPE.images, categories=SHAPE.categories)
    (tmp_path / "shelf.yaml").write_text(TARGET)
    config = load_config(None, tmp_path)
    transport = httpx.ASGITransport(app=create_app(tmp_path / "partner.sqlite", rate_limit=None))

    first = await sync(config, transport, apply=True)
    assert first.ok, first.failed
    assert first.requests == minimum.partner(minimum.FIRST_APPLY, SHAPE)

    noop = await sync(config, transport, apply=False)
    assert noop.plan.empty, noop.plan.changes
    assert noop.requests == minimum.partner(minimum.NOOP_PLAN, SHAPE)

    recipe = tmp_path / "recipes" / "products-0000.yaml"
    recipe.write_text(recipe.read_text().replace("price: 11.50", "price: 11.75", 1))
    price = await sync(config, transport, apply=True)
    assert price.ok, price.failed
    assert [c.address for c in price.plan.changes] == ["product.item-000001"]
    assert price.requests == minimum.partner(minimum.ONE_CHANGE, SHAPE)

    # Pictures cannot change after creation: a plan note, and only the plan's reads.
    write_png(tmp_path / "recipes" / "images" / "item-000002" / "view-0.png", seed=10**6, size=8)
    image = await sync(config, transport, apply=True)
    assert image.plan.empty
    assert image.writes == 0
    assert image.requests == minimum.partner(minimum.ONE_IMAGE, SHAPE)

    again = await sync(config, transport, apply=False)
    assert again.plan.empty, again.plan.changes
    assert again.requests == minimum.partner(minimum.NOOP_PLAN, SHAPE)
