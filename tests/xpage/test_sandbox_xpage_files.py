"""The xPage sandbox's files endpoints and downloads, through in-process HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from engine.sandbox.xpage.app import create_app
from engine.sandbox.xpage.file_store import MAX_IMAGE_BYTES

from xpage_sandbox import GIF, JPEG, PDF, PNG, WEBP, api_client, create, root_client, tee, update, upload


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return create_app(tmp_path / "shop.sqlite")


@pytest.fixture
def gallery(tmp_path: Path) -> Starlette:
    """A shop where a link made by an upload also shows the file on its owner."""
    return create_app(tmp_path / "shop.sqlite", readings={"file_links": "gallery"})


@pytest.mark.parametrize(
    ("content", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")]
)
async def test_upload_sniffs_images_and_serves_the_bytes(app: Starlette, content: bytes, mime: str) -> None:
    async with api_client(app) as client:
        response = await upload(client, "My Photo (1).bin", content, alt="Front view")
    assert response.status_code == 201
    file = response.json()["data"]["file"]
    assert file["name"] == "My Photo (1).bin" and file["mime_type"] == mime
    assert file["size"] == len(content) and file["alt"] == "Front view"
    assert file["url"] == file["permanent_url"] == file["thumbnail"]
    assert file["url"].startswith("http://shop.test/_sandbox/files/")
    async with root_client(app) as root:
        served = await root.get(file["url"])
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"] == mime


async def test_images_are_checked_by_content_and_size(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(client, {"title": "Mug", "default": {"price": 1}})
        owner = {"fileable_type": "product", "fileable_id": product["id"]}
        images = {**owner, "role": "product_images"}
        disguised = await upload(client, "photo.png", b"<html>not a png</html>", **images)
        linked = await upload(client, "photo.png", b"GIF8 nearly", **images)
        too_big = await upload(client, "big.png", PNG + bytes(MAX_IMAGE_BYTES), **images)
        just_fits = await upload(client, "fits.png", PNG + bytes(MAX_IMAGE_BYTES - len(PNG)), **images)
        document = await upload(client, "manual.pdf", PDF, **owner, role="digital_product")
    assert disguised.status_code == 422
    assert disguised.json()["errors"] == {
        "file": ["must be a JPEG, PNG, WebP or GIF image (judged by its content)"]
    }
    assert linked.status_code == 422
    assert too_big.status_code == 422 and "at most 5 MB" in too_big.json()["errors"]["file"][0]
    assert just_fits.status_code == 201
    assert document.status_code == 201 and document.json()["data"]["file"]["thumbnail"] is None
    assert document.json()["data"]["file"]["mime_type"] == "application/pdf"


async def test_upload_field_rules(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(client, {"title": "Mug", "default": {"price": 1}})
        no_file = await client.post("/file", data={"alt": "x"}, files={"other": ("a", b"a")})
        only_type = await upload(client, "a.png", PNG, fileable_type="product")
        bad_enum = await upload(client, "a.png", PNG, fileable_type="shelf", fileable_id=product["id"])
        bad_order = await upload(
            client, "a.png", PNG, fileable_type="product", fileable_id=product["id"], order="x"
        )
        wrong_role = await upload(
            client, "a.png", PNG, fileable_type="product", fileable_id=product["id"], role="variant_image"
        )
        missing = await upload(
            client, "a.png", PNG, fileable_type="product", fileable_id="00000000-0000-4000-8000-000000000000"
        )
        empty = await client.post("/file", data={"alt": "x"})
        ownerless_role = await upload(client, "a.png", PNG, role="product_images")
    assert ownerless_role.status_code == 422
    assert list(ownerless_role.json()["errors"]) == ["role"]
    assert no_file.json()["errors"] == {"other": ["unknown file part"]}
    assert only_type.json()["errors"] == {"fileable_id": ["required with fileable_type"]}
    assert bad_enum.json()["errors"] == {
        "fileable_type": ["must be one of: product, variant, landing_page, review"]
    }
    assert bad_order.json()["errors"] == {"order": ["must be an integer"]}
    assert "role" in wrong_role.json()["errors"]
    assert missing.json()["errors"] == {"fileable_id": ["no product with this id"]}
    assert empty.status_code == 422


async def test_linking_by_upload_orders_product_images_and_sets_variant_images(gallery: Starlette) -> None:
    async with api_client(gallery) as client:
        product = await create(client, tee())
        pid = product["id"]
        second = (
            await upload(client, "2.png", PNG, fileable_type="product", fileable_id=pid, order=2)
        ).json()
        first = (await upload(client, "1.png", PNG, fileable_type="product", fileable_id=pid, order=1)).json()
        appended = (await upload(client, "3.jpg", JPEG, fileable_type="product", fileable_id=pid)).json()
        variant = product["variants"][0]
        await upload(client, "old.png", PNG, fileable_type="variant", fileable_id=variant["id"])
        newer = (
            await upload(client, "new.png", PNG, fileable_type="variant", fileable_id=variant["id"])
        ).json()
        got = (await client.get(f"/product/{pid}")).json()["data"]["product"]
    ids = [f["data"]["file"]["id"] for f in (first, second, appended)]
    assert [i["id"] for i in got["images"]] == ids
    assert got["image"]["id"] == ids[0]
    assert got["variants"][0]["image"]["id"] == newer["data"]["file"]["id"]


async def test_unlink_and_delete(gallery: Starlette) -> None:
    async with api_client(gallery) as client:
        product = await create(client, tee())
        pid = product["id"]
        a = (await upload(client, "a.png", PNG, fileable_type="product", fileable_id=pid)).json()["data"][
            "file"
        ]
        b = (await upload(client, "b.png", PNG, fileable_type="product", fileable_id=pid)).json()["data"][
            "file"
        ]
        unlinked = await client.delete(f"/file/{a['id']}/link/product/{pid}")
        again = await client.delete(f"/file/{a['id']}/link/product/{pid}")
        bad_type = await client.delete(f"/file/{a['id']}/link/shelf/{pid}")
        after_unlink = (await client.get(f"/product/{pid}")).json()["data"]["product"]
        kept = await client.get(f"/file/{a['id']}")
        deleted = await client.post(f"/file/{b['id']}")
        after_delete = (await client.get(f"/product/{pid}")).json()["data"]["product"]
        gone = await client.get(f"/file/{b['id']}")
        delete_again = await client.post(f"/file/{b['id']}")
    assert unlinked.status_code == 200 and unlinked.json()["data"]["file"]["id"] == a["id"]
    assert again.status_code == 200
    assert bad_type.status_code == 422
    assert [i["id"] for i in after_unlink["images"]] == [b["id"]]
    assert kept.status_code == 200
    assert deleted.status_code == 200 and deleted.json() == {"data": {}}
    assert after_delete["images"] == [] and after_delete["image"] is None
    assert gone.status_code == 404 and gone.json()["code"] == "NOT_FOUND"
    assert delete_again.status_code == 404
    async with root_client(gallery) as root:
        assert (await root.get(b["url"])).status_code == 404


async def test_list_files_with_filters_and_pagination(tmp_path: Path) -> None:
    clock = [1_700_000_000.0]  # 2023-11-14T22:13:20Z
    app = create_app(tmp_path / "shop.sqlite", clock=lambda: clock[0])
    async with api_client(app) as client:
        product = await create(client, {"title": "Mug", "default": {"price": 1}})
        await upload(client, "a.png", PNG, fileable_type="product", fileable_id=product["id"])
        clock[0] += 86400
        await upload(client, "b.gif", GIF)
        clock[0] += 86400
        await upload(client, "c.pdf", PDF)

        async def names(**params: str) -> list[str]:
            response = await client.get("/file", params=params)
            assert response.status_code == 200, response.text
            return [f["name"] for f in response.json()["data"]["files"]]

        assert await names() == ["c.pdf", "b.gif", "a.png"]
        assert await names(order_by="created_at", order_direction="ASC") == ["a.png", "b.gif", "c.pdf"]
        assert await names(mime_type="image/*") == ["b.gif", "a.png"]
        assert await names(mime_type="application/pdf,image/gif") == ["c.pdf", "b.gif"]
        assert await names(fileable_type="product", fileable_id=product["id"]) == ["a.png"]
        assert await names(**{"from": "2023-11-15"}) == ["c.pdf", "b.gif"]
        assert await names(to=str(1_700_000_000 + 86400)) == ["b.gif", "a.png"]
        assert await names(**{"from": "2023-11-15T22:13:20Z", "to": "2023-11-15T22:13:20+00:00"}) == ["b.gif"]
        page = (await client.get("/file", params={"page_size": 1, "page": 3})).json()["data"]
        bad_type = await client.get("/file", params={"fileable_type": "shelf"})
        bad_date = await client.get("/file", params={"from": "yesterday"})
    assert [f["name"] for f in page["files"]] == ["a.png"]
    assert page["pagination"] == {"total": 3, "per_page": 1, "current_page": 3, "last_page": 3}
    assert bad_type.status_code == 422 and set(bad_type.json()["errors"]) == {"fileable_type"}
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"] == {
        "from": ["must be an ISO date, an ISO date-time or a Unix timestamp"]
    }


async def test_a_link_made_by_an_upload_only_associates_by_default(app: Starlette) -> None:
    """The document has images "reference file UUIDs": an upload's link alone puts nothing on show."""
    async with api_client(app) as client:
        product = await create(client, tee())
        pid, variant = product["id"], product["variants"][0]["id"]
        image = (
            await upload(
                client, "1.png", PNG, fileable_type="product", fileable_id=pid, role="product_images"
            )
        ).json()["data"]["file"]
        own = (await upload(client, "v.png", PNG, fileable_type="variant", fileable_id=variant)).json()
        shown = (await client.get(f"/product/{pid}")).json()["data"]["product"]
        listed = (await client.get("/file", params={"fileable_id": pid})).json()["data"]["files"]
        placed = await update(client, pid, {"images": [{"id": image["id"], "order": 0}]})
    assert shown["images"] == [] and shown["variants"][0]["image"] is None
    assert [f["id"] for f in listed] == [image["id"]]
    assert own["data"]["file"]["name"] == "v.png"
    assert [i["id"] for i in placed.json()["data"]["product"]["images"]] == [image["id"]]
