"""Media assets in the Emporix sandbox: blob uploads, links, metadata updates, serving, downloads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from emporix_sandbox_support import ASSETS, PNG, PRODUCTS, basic, client, make_app


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite")


def blob(body: dict[str, Any], data: bytes = PNG, name: str = "front.png") -> dict[str, Any]:
    return {"file": (name, data, "image/png"), "body": (None, json.dumps(body), "application/json")}


PUBLIC = {"type": "BLOB", "access": "PUBLIC", "refIds": [{"id": "mug", "type": "PRODUCT"}]}
HASH_MIXIN = {
    "mixins": {"shelf": {"sha256": "abc"}},
    "metadata": {"mixins": {"shelf": "https://example.com/shelf.json"}},
}


async def upload(c: httpx.AsyncClient, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return await c.post(ASSETS, files=blob(body, **kw))


async def test_blob_upload_is_stored_served_and_counted(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        await c.post("/_sandbox/stats/reset")
        created = await upload(
            c, {**PUBLIC, **HASH_MIXIN, "details": {"filename": "front", "mimeType": "image/png"}}
        )
        asset = (await c.get(f"{ASSETS}/{created.json()['id']}")).json()
        served = await c.get(asset["url"])
        product = (await c.get(f"{PRODUCTS}/mug")).json()
        stats = (await c.get("/_sandbox/stats")).json()
        download = await c.get(f"{ASSETS}/{asset['id']}/download")
    assert created.status_code == 201
    assert asset["details"] == {
        "filename": "front",
        "mimeType": "image/png",
        "bytes": len(PNG),
        "etag": hashlib.md5(PNG).hexdigest(),
    }
    assert asset["mixins"] == {"shelf": {"sha256": "abc"}} and asset["metadata"]["version"] == 1
    assert (
        served.status_code == 200 and served.content == PNG and served.headers["content-type"] == "image/png"
    )
    assert product["media"] == [
        {
            "id": asset["id"],
            "url": asset["url"],
            "contentType": "image/png",
            "createdAt": asset["metadata"]["createdAt"],
        }
    ]
    assert stats["upload_bytes"] == len(PNG) and stats["requests"]["POST /media/{tenant}/assets"] == 1
    assert download.status_code == 301 and download.headers["location"] == asset["url"]


async def test_link_assets(app: Starlette) -> None:
    link = {
        "type": "LINK",
        "access": "PUBLIC",
        "url": "https://cdn.example.com/side.jpg",
        "refIds": [{"id": "mug", "type": "PRODUCT"}],
    }
    async with client(app) as c:
        await basic(c)
        created = await c.post(ASSETS, json={**link, "id": "side"})
        again = await c.post(ASSETS, json={**link, "id": "side"})
        read = (await c.get(f"{ASSETS}/side")).json()
        moved = await c.put(
            f"{ASSETS}/side",
            json={**link, "url": "https://cdn.example.com/new.jpg", "metadata": {"version": 1}},
        )
        stale = await c.put(f"{ASSETS}/side", json={**link, "metadata": {"version": 1}})
        no_url = await c.post(ASSETS, json={"type": "LINK", "access": "PUBLIC"})
        after = (await c.get(f"{ASSETS}/side")).json()
    assert created.status_code == 201 and created.json() == {"id": "side"}
    assert again.status_code == 409
    assert read["url"] == "https://cdn.example.com/side.jpg" and "details" not in read
    assert moved.status_code == 204 and stale.status_code == 409
    assert no_url.status_code == 400
    assert after["url"] == "https://cdn.example.com/new.jpg" and after["metadata"]["version"] == 2


async def test_a_blob_update_needs_its_file_part_as_the_reference_says(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        asset_id = (await upload(c, PUBLIC)).json()["id"]
        await c.post("/_sandbox/stats/reset")
        body = {
            **PUBLIC,
            **HASH_MIXIN,
            "metadata": {"version": 1, "mixins": HASH_MIXIN["metadata"]["mixins"]},
        }
        body_only = await c.put(
            f"{ASSETS}/{asset_id}", files={"body": (None, json.dumps(body), "application/json")}
        )
        unchanged = (await c.get(f"{ASSETS}/{asset_id}")).json()
        updated = await c.put(f"{ASSETS}/{asset_id}", files=blob(body))
        read = (await c.get(f"{ASSETS}/{asset_id}")).json()
        served = await c.get(read["url"])
        stats = (await c.get("/_sandbox/stats")).json()
        replaced = await c.put(
            f"{ASSETS}/{asset_id}",
            files=blob({**PUBLIC, "metadata": {"version": 2}}, data=b"GIF89a..", name="x.gif"),
        )
        new_bytes = await c.get((await c.get(f"{ASSETS}/{asset_id}")).json()["url"])
        private = await c.put(f"{ASSETS}/{asset_id}", files=blob({**PUBLIC, "access": "PRIVATE"}))
        unknown = await c.put(f"{ASSETS}/ghost", files=blob(PUBLIC))
    assert body_only.status_code == 400
    assert body_only.json() == {
        "code": 400,
        "status": "Bad Request",
        "message": "Validation problem with request body.",
        "details": ["file: one file part is required"],
    }
    assert unchanged["metadata"]["version"] == 1 and "mixins" not in unchanged
    assert updated.status_code == 204
    assert read["mixins"] == {"shelf": {"sha256": "abc"}} and read["details"]["bytes"] == len(PNG)
    assert read["metadata"]["version"] == 2
    assert served.content == PNG and stats["upload_bytes"] == len(PNG)
    assert replaced.status_code == 204 and new_bytes.content == b"GIF89a.."
    assert private.status_code == 400 and unknown.status_code == 404


async def test_private_assets_and_references(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        private_product = await upload(c, {**PUBLIC, "access": "PRIVATE"})
        missing_product = await upload(c, {**PUBLIC, "refIds": [{"id": "ghost", "type": "PRODUCT"}]})
        contract = await upload(
            c,
            {"type": "BLOB", "access": "PRIVATE", "refIds": [{"id": "d1", "type": "DOCUMENT"}]},
            data=b"%PDF",
            name="c.pdf",
        )
        asset = (await c.get(f"{ASSETS}/{contract.json()['id']}")).json()
        download = await c.get(f"{ASSETS}/{asset['id']}/download")
        lone_schema = await upload(
            c, {**PUBLIC, "metadata": {"mixins": {"shelf": "https://example.com/s.json"}}}
        )
    assert private_product.status_code == 400 and missing_product.status_code == 400
    assert "url" not in asset
    assert download.status_code == 200 and download.content == b"%PDF"
    assert download.headers["etag"] == hashlib.md5(b"%PDF").hexdigest()
    assert lone_schema.status_code == 400 and lone_schema.json()["details"] == [
        "mixins.shelf: required with metadata.mixins.shelf"
    ]


async def test_multipart_shape_and_size(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        no_file = await c.post(ASSETS, files={"body": (None, json.dumps(PUBLIC), "application/json")})
        extra = await c.post(ASSETS, files={**blob(PUBLIC), "alt": (None, "x")})
        bad_json = await c.post(
            ASSETS, files={"file": ("a.png", PNG), "body": (None, "{", "application/json")}
        )
        bad_body = await upload(c, {"type": "BLOB"})
        too_big = await upload(c, PUBLIC, data=bytes(10 * 1024 * 1024 + 1))
        form = await c.post(ASSETS, data={"x": "1"})
    assert no_file.status_code == 400 and extra.status_code == 400 and bad_json.status_code == 400
    assert bad_body.status_code == 400 and bad_body.json()["details"] == ["body.access: required"]
    assert too_big.status_code == 413 and too_big.json()["code"] == 413
    assert form.status_code == 400


async def test_list_filter_and_delete(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        await basic(c, "cup", "CUP")
        first = (await upload(c, PUBLIC)).json()["id"]
        await upload(c, {**PUBLIC, "refIds": [{"id": "cup", "type": "PRODUCT"}]})
        of_mug = await c.get(ASSETS, params={"q": "refIds.id:mug"}, headers={"X-Total-Count": "true"})
        everything = await c.get(ASSETS)
        deleted = await c.delete(f"{ASSETS}/{first}")
        deleted_again = await c.delete(f"{ASSETS}/{first}")
        gone = await c.get(f"{ASSETS}/{first}")
        product = (await c.get(f"{PRODUCTS}/mug")).json()
    assert [a["id"] for a in of_mug.json()] == [first] and of_mug.headers["X-Total-Count"] == "1"
    assert len(everything.json()) == 2
    assert deleted.status_code == deleted_again.status_code == 204
    assert gone.status_code == 404 and gone.json()["resourceId"] == first
    assert product["media"] == []
