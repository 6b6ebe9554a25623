"""The xPage sandbox's product images and digital files: parts of a create, images placed and ordered
through ``metadata.images`` (``{id, order}``, alt set only by uploads), and variant images and files as
file objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from engine.sandbox.xpage.app import create_app

from pictures import png
from xpage_sandbox import PDF, api_client, create, root_client, tee, update, upload


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return create_app(tmp_path / "shop.sqlite")


async def _create_with_parts(client: httpx.AsyncClient, meta: dict[str, Any], *parts: tuple[str, Any]) -> Any:
    body = [("metadata", (None, json.dumps(meta), "application/json")), *parts]
    response = await client.post("/product", files=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["product"]


async def test_image_parts_are_linked_in_part_order(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await _create_with_parts(
            client,
            {"title": "Mug", "default": {"price": 16}},
            *[("images[]", (f"view-{n}.png", png(n), "image/png")) for n in (3, 1, 2)],
        )
    assert [i["name"] for i in product["images"]] == ["view-3.png", "view-1.png", "view-2.png"]
    assert product["image"]["name"] == "view-3.png"
    async with root_client(app) as root:
        served = await root.get(product["images"][1]["url"])
    assert served.content == png(1)
    async with root_client(app) as root:
        stats = (await root.get("/_sandbox/stats")).json()
    assert stats["upload_bytes"] == sum(len(png(n)) for n in (1, 2, 3))


async def test_a_file_part_becomes_the_default_variants_file(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await _create_with_parts(
            client,
            {"title": "Guide", "is_digital": True, "default": {"price": 12}},
            ("files[]", ("guide.pdf", PDF, "application/pdf")),
        )
        listed = (await client.get("/file", params={"fileable_id": product["id"]})).json()["data"]["files"]
    assert product["default"]["file"]["name"] == "guide.pdf"
    assert product["default"]["file"]["mime_type"] == "application/pdf"
    assert [f["name"] for f in listed] == ["guide.pdf"]


async def test_images_items_set_the_order_and_alt_is_not_theirs_to_set(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await _create_with_parts(
            client,
            {"title": "Tote", "default": {"price": 18}},
            ("images[]", ("front.png", png(1), "image/png")),
            ("images[]", ("back.png", png(2), "image/png")),
        )
        front, back = (i["id"] for i in product["images"])
        response = await update(
            client,
            product["id"],
            {
                "images": [{"id": back, "order": 0}, {"id": front, "order": 1}]
            },
        )
        assert response.status_code == 200, response.text
        images = response.json()["data"]["product"]["images"]
        with_alt = await update(client, product["id"], {"images": [{"id": back, "alt": "Back view"}]})
    assert [i["name"] for i in images] == ["back.png", "front.png"]
    assert with_alt.status_code == 422
    assert with_alt.json()["errors"] == {"metadata.images.0.alt": ["unknown field"]}


async def test_variant_images_and_files_are_file_objects(app: Starlette) -> None:
    async with api_client(app) as client:
        black = (await upload(client, "black.png", png(5))).json()["data"]["file"]
        guide = (await upload(client, "guide.pdf", PDF)).json()["data"]["file"]
        product = await create(client, tee(is_digital=True))
        variants = [
            {"id": v["id"], "image": black["id"] if n == 0 else None, "file": guide["id"]}
            for n, v in enumerate(product["variants"])
        ]
        response = await update(client, product["id"], {"variants": variants})
        assert response.status_code == 200, response.text
        updated = response.json()["data"]["product"]
        wrong = await update(
            client, product["id"], {"variants": [{"id": variants[0]["id"], "image": guide["id"]}]}
        )
    first, second, _ = updated["variants"]
    assert first["image"]["id"] == black["id"] and first["image"]["url"] == black["url"]
    assert second["image"] is None
    assert {v["file"]["id"] for v in updated["variants"]} == {guide["id"]}
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["metadata.variants.0.image"] == [
        "must be an image file; this one is application/pdf"
    ]
