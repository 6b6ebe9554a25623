"""The xPage emulator holds clients to ``apps-api.md`` and to nothing else: it refuses what the document
forbids, accepts what it allows, and its readings of what the document leaves open can be switched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from engine.sandbox.forms import Upload
from engine.sandbox.xpage.app import create_app
from engine.sandbox.xpage.file_store import MAX_FILE_BYTES, upload_problems

from xpage_sandbox import PNG, api_client, create, root_client, tee, update, upload


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return create_app(tmp_path / "shop.sqlite")


async def test_an_update_without_its_metadata_part_is_refused(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(client, {"title": "Mug", "default": {"price": 1}})
        bare = await client.post(
            f"/product/{product['id']}/update", files={"images[]": ("a.png", PNG, "image/png")}
        )
        empty = await update(client, product["id"], {})
    assert bare.status_code == 422 and bare.json()["errors"] == {"metadata": ["required"]}
    assert empty.status_code == 200  # every field inside metadata is optional


@pytest.mark.parametrize("path", ["/product", "/file"])
async def test_order_direction_is_asc_or_desc_as_written(app: Starlette, path: str) -> None:
    async with api_client(app) as client:
        lower = await client.get(path, params={"order_direction": "asc"})
        upper = await client.get(path, params={"order_direction": "ASC"})
    assert lower.status_code == 422 and list(lower.json()["errors"]) == ["order_direction"]
    assert upper.status_code == 200


async def test_a_role_needs_an_owner(app: Starlette) -> None:
    async with api_client(app) as client:
        refused = await upload(client, "a.png", PNG, role="product_images")
        unlinked = await upload(client, "a.png", PNG)
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["role"]
    assert unlinked.status_code == 201


async def test_slugs_titles_and_skus_of_the_shops_own_making_are_accepted(app: Starlette) -> None:
    long = "x" * 300
    async with api_client(app) as client:
        made = await create(
            client,
            {"title": long, "slug": "Sommer_T-Shirt 2024", "default": {"price": 1, "sku": long}},
        )
    assert made["slug"] == "Sommer_T-Shirt 2024" and made["title"] == long
    assert made["default"]["sku"] == long


def test_the_file_size_limit_is_named_as_the_sandboxs_own() -> None:
    big = Upload("file", "movie.mp4", "video/mp4", bytes(MAX_FILE_BYTES + 1))
    [problem] = upload_problems(big, image=False)
    assert "the sandbox's own limit; the API document states none" in problem


async def test_readings_are_switched_through_the_control_api_and_kept_by_the_shop(tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    app = create_app(db)
    async with root_client(app) as root:
        first = (await root.get("/_sandbox/readings")).json()
        switched = await root.post("/_sandbox/readings", json={"updates": "replace"})
        wrong = await root.post("/_sandbox/readings", json={"updates": "merge", "colour": "red"})
        await root.post("/_sandbox/reset")
    async with root_client(create_app(db)) as root:
        later = (await root.get("/_sandbox/readings")).json()
    assert first == {"file_links": "reference", "updates": "strict", "search": "fulltext"}
    assert switched.status_code == 200 and switched.json()["updates"] == "replace"
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"updates", "colour"}
    assert later == {"file_links": "reference", "updates": "replace", "search": "fulltext"}
    with pytest.raises(ValueError):
        create_app(db, readings={"search": "regex"})


async def _slugs(client: Any, term: str) -> list[str]:
    response = await client.get("/product", params={"search": term, "order_direction": "ASC"})
    assert response.status_code == 200, response.text
    return [p["slug"] for p in response.json()["data"]["products"]]


async def test_full_text_search_cuts_words_and_ranks(tmp_path: Path) -> None:
    app = create_app(tmp_path / "shop.sqlite")
    async with api_client(app) as client:
        await create(client, tee(title="Linen shirt", slug="linen-shirt"))
        await create(client, tee(title="Classic Tee", slug="classic-tee"))
        await create(client, tee(title="Classic Tee, long", slug="classic-tee-long"))
        words = await _slugs(client, "classic-tee")
        ranked = await _slugs(client, "tee classic shirt")
        short = await _slugs(client, "xl")
        part = await _slugs(client, "lass")
    assert words == ["classic-tee", "classic-tee-long"]
    assert ranked[:2] == ["classic-tee", "classic-tee-long"] and ranked[2] == "linen-shirt"
    assert short == [] and part == []


async def test_substring_search_is_the_other_reading(tmp_path: Path) -> None:
    app = create_app(tmp_path / "shop.sqlite", readings={"search": "substring"})
    async with api_client(app) as client:
        await create(client, tee(title="Classic Tee", slug="classic-tee"))
        part = await _slugs(client, "lass")
    assert part == ["classic-tee"]
