"""Images and digital files on xPage through the core and the real provider, against the in-process
sandbox: what rides in a create request, what is uploaded after it, what is deleted, and that every
upload happens once."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from engine.apply import Report
from engine.config import Config, default_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.errors import PlanErrors
from engine.plan.model import Plan
from engine.platforms.xpage.assets import name_marker, stored_name
from engine.recipes import load_catalog
from engine.sandbox.xpage.app import create_app

from pictures import png, write_png
from xpage_sandbox import PDF

HEADER = "categories:\n  - {key: home, name: Home}\nproducts:\n"


@dataclass
class Shop:
    """A catalog folder and the sandbox shop it goes to."""

    root: Path
    app: Starlette

    @property
    def config(self) -> Config:
        return default_config(self.root)

    def recipe(self, text: str) -> None:
        (self.root / "recipes").mkdir(exist_ok=True)
        (self.root / "recipes" / "r.yaml").write_text(HEADER + textwrap.indent(textwrap.dedent(text), "  "))

    def image(self, name: str, seed: int) -> bytes:
        return write_png(self.root / "recipes" / "images" / name, seed=seed, size=12)

    async def plan(self) -> Plan:
        async with open_session(self.config, None, transport=self.transport()) as session:
            plan, _ = await read_and_plan(session)
            return plan

    async def apply(self) -> Report:
        async with open_session(self.config, None, transport=self.transport()) as session:
            plan, _ = await read_and_plan(session)
            return await apply_plan(session, plan)

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(transport=self.transport(), base_url="http://sandbox") as client:
            response = await client.request(method, path, json=body)
            assert response.status_code < 300, response.text
            return response.json() if response.content else None

    async def stats(self) -> dict[str, Any]:
        """Request counts since the last call."""
        found: dict[str, Any] = await self.control("GET", "/_sandbox/stats")
        await self.control("POST", "/_sandbox/stats/reset")
        return found

    async def api(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(
            transport=self.transport(),
            base_url="http://sandbox/api/apps/v1",
            headers={"Authorization": "Bearer sandbox"},
        ) as client:
            response = await client.request(method, path, **kwargs)
            assert response.status_code < 300, response.text
            return response.json()["data"]

    async def product(self, slug: str) -> dict[str, Any]:
        products = (await self.api("GET", "/product", params={"search": slug}))["products"]
        [found] = [p for p in products if p["slug"] == slug]
        return dict(found)


LENIENT = {"file_links": "gallery", "updates": "replace", "search": "substring"}
"""The other reading of every switch: a link shows the file, a list sent is the whole set, search is a
substring match. The default is the strict reading of each."""


@pytest.fixture(params=["strict", "lenient"])
def shop(tmp_path: Path, request: pytest.FixtureRequest) -> Shop:
    readings = LENIENT if request.param == "lenient" else None
    return Shop(tmp_path, create_app(tmp_path / "shop.sqlite", readings=readings))


TOTE = """
- key: tote
  title: Tote
  category: home
  price: 18.00
  images:
    - images/front.png
    - images/side.png
    - {file: images/inside.png, alt: The inside pocket}
    - images/strap.png
"""


async def test_a_new_product_carries_its_leading_images_and_uploads_the_rest(shop: Shop) -> None:
    shop.recipe(TOTE)
    sizes = [
        len(shop.image(name, n))
        for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png"))
    ]
    report = await shop.apply()
    assert report.ok, report
    stats = await shop.stats()
    writes = {k: v for k, v in stats["requests"].items() if not k.startswith("GET")}
    # inside (alt) and strap (after it) are uploaded, then placed by id: a link alone is not relied on
    assert writes == {"POST /product": 1, "POST /file": 2, "POST /product/{id}/update": 1}
    assert stats["upload_bytes"] == sum(sizes)
    tote = await shop.product("tote")
    assert [(i["name"].split(".")[0], i["alt"]) for i in tote["images"]] == [
        ("front", None),
        ("side", None),
        ("inside", "The inside pocket"),
        ("strap", None),
    ]
    assert all(name_marker(i["name"]) for i in tote["images"])
    assert (await shop.plan()).empty


async def test_variant_images_and_an_own_image(shop: Shop) -> None:
    shop.recipe(
        """
        - key: tee
          title: Tee
          category: home
          images: [images/black.png, images/white.png]
          options: {Color: [Black, White, Red]}
          variant_defaults:
            price: 25
            image: "images/{{ Color | lower }}.png"
        """
    )
    for n, name in enumerate(("black.png", "white.png", "red.png")):
        shop.image(name, n)
    assert (await shop.apply()).ok
    writes = {k: v for k, v in (await shop.stats())["requests"].items() if not k.startswith("GET")}
    assert writes == {"POST /product": 1, "POST /file": 1, "POST /product/{id}/update": 1}
    tee = await shop.product("tee")
    images = {i["id"]: i["name"].split(".")[0] for i in tee["images"]}
    shown = [images.get(v["image"]["id"], v["image"]["name"].split(".")[0]) for v in tee["variants"]]
    assert shown == ["black", "white", "red"]
    assert (await shop.plan()).empty


async def test_reorder_and_rename_upload_nothing(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    assert (await shop.apply()).ok
    await shop.stats()
    (shop.root / "recipes/images/side.png").rename(shop.root / "recipes/images/profile.png")
    shop.recipe(
        """
        - key: tote
          title: Tote
          category: home
          price: 18.00
          images:
            - images/profile.png
            - {file: images/inside.png, alt: The inside pocket}
            - images/strap.png
            - images/front.png
        """
    )
    plan = await shop.plan()
    assert [c.address for c in plan.changes] == ["product.tote"]
    assert (await shop.apply()).ok
    stats = await shop.stats()
    assert stats["upload_bytes"] == 0 and stats["writes"] == 1
    tote = await shop.product("tote")
    assert [(i["name"].split(".")[0], i["alt"]) for i in tote["images"]] == [
        ("side", None),
        ("inside", "The inside pocket"),
        ("strap", None),
        ("front", None),
    ]
    assert (await shop.plan()).empty


async def test_a_new_alt_is_a_new_upload_that_takes_the_old_files_place(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    assert (await shop.apply()).ok
    old = (await shop.product("tote"))["images"][2]
    await shop.stats()
    recipe = shop.root / "recipes" / "r.yaml"
    recipe.write_text(recipe.read_text().replace("The inside pocket", "The roomy pocket"))
    plan = await shop.plan()
    assert [(c.address, c.action.value) for c in plan.changes] == [
        ("product.tote", "update"),
        ("image.tote/inside.png", "upload"),
    ]
    assert any(
        n.startswith("image.tote/inside.png: uploaded again to change its alt text") for n in plan.notes
    )
    assert (await shop.apply()).ok
    requests = (await shop.stats())["requests"]
    writes = {k: v for k, v in requests.items() if not k.startswith("GET")}
    assert writes == {"POST /file": 1, "POST /product/{id}/update": 1, "POST /file/{id}": 1}
    tote = await shop.product("tote")
    assert [(i["name"].split(".")[0], i["alt"]) for i in tote["images"]] == [
        ("front", None),
        ("side", None),
        ("inside", "The roomy pocket"),
        ("strap", None),
    ]
    assert tote["images"][2]["id"] != old["id"]
    assert old["id"] not in {f["id"] for f in (await shop.api("GET", "/file"))["files"]}
    assert (await shop.plan()).empty


async def test_changed_bytes_replace_the_file_and_delete_the_old_one(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    assert (await shop.apply()).ok
    old = (await shop.product("tote"))["images"][2]
    await shop.stats()
    new = shop.image("inside.png", 99)
    plan = await shop.plan()
    assert [(c.address, c.action.value) for c in plan.changes] == [
        ("product.tote", "update"),
        ("image.tote/inside.png", "upload"),
    ]
    assert plan.changes[0].depends_on == ["image.tote/inside.png"]
    assert any("is taken off the product and its file deleted" in n for n in plan.notes)
    assert (await shop.apply()).ok
    stats = await shop.stats()
    assert stats["upload_bytes"] == len(new)
    assert stats["requests"]["POST /file"] == 1 and stats["requests"]["POST /file/{id}"] == 1
    now = (await shop.product("tote"))["images"][2]
    assert now["alt"] == "The inside pocket" and now["id"] != old["id"]
    files = (await shop.api("GET", "/file"))["files"]
    assert old["id"] not in {f["id"] for f in files}


async def test_a_file_shelf_did_not_upload_or_that_another_product_uses_is_only_unlinked(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    assert (await shop.apply()).ok
    tote = await shop.product("tote")
    foreign = (
        await shop.api(
            "POST",
            "/file",
            files={"file": ("photo.png", png(50), "image/png")},
            data={"fileable_type": "product", "fileable_id": tote["id"], "role": "product_images"},
        )
    )["file"]
    shared = tote["images"][0]
    meta = json.dumps({"title": "Other", "default": {"price": 1}, "images": [{"id": shared["id"]}]})
    other = await shop.api("POST", "/product", files={"metadata": (None, meta, "application/json")})
    assert other["product"]["images"][0]["id"] == shared["id"]
    recipe = shop.root / "recipes" / "r.yaml"
    recipe.write_text(recipe.read_text().replace("      - images/front.png\n", ""))
    plan = await shop.plan()
    paths = [f.path for f in plan.changes[0].fields]
    # front.png, and photo.png where the sandbox's reading lists a file uploaded for a product in its images
    assert all(p.startswith("images[") for p in paths) and any(p.startswith("images[front.") for p in paths)
    assert not any("deleted" in n for n in plan.notes)
    await shop.stats()
    assert (await shop.apply()).ok
    requests = (await shop.stats())["requests"]
    assert "POST /file/{id}" not in requests
    left = {f["id"] for f in (await shop.api("GET", "/file"))["files"]}
    assert {foreign["id"], shared["id"]} <= left
    assert [i["name"].split(".")[0] for i in (await shop.product("tote"))["images"]] == [
        "side",
        "inside",
        "strap",
    ]


async def test_a_lost_upload_answer_does_not_upload_twice(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    await shop.control(
        "POST", "/_sandbox/faults", {"route": "POST /file", "status": 503, "after_commit": True}
    )
    assert (await shop.apply()).ok
    assert len((await shop.product("tote"))["images"]) == 4
    assert len((await shop.api("GET", "/file"))["files"]) == 4
    assert (await shop.plan()).empty


async def test_an_image_changed_after_the_plan_is_refused(shop: Shop) -> None:
    shop.recipe(TOTE)
    for n, name in enumerate(("front.png", "side.png", "inside.png", "strap.png")):
        shop.image(name, n)
    async with open_session(shop.config, None, transport=shop.transport()) as session:
        plan, _ = await read_and_plan(session)
        shop.image("front.png", 77)
        report = await apply_plan(session, plan, verify=False)
    [failed] = [r for r in report.failed if not r.skipped]
    assert failed.address == "product.tote"
    assert "images/front.png changed since the plan was made" in (failed.error or "")
    assert (await shop.stats())["writes"] == 0


async def test_a_url_image_is_downloaded_once_and_matched_by_its_url(shop: Shop) -> None:
    hosted = (await shop.api("POST", "/file", files={"file": ("model.png", png(9), "image/png")}))["file"]
    shop.recipe(
        f"""
        - key: tote
          title: Tote
          category: home
          price: 18.00
          images:
            - {{url: "{hosted["url"]}", alt: Worn on the shoulder}}
        """
    )
    plan = await shop.plan()
    assert [(c.address, c.size) for c in plan.changes[1:]] == [("image.tote/model.png", None)]
    assert (await shop.apply()).ok
    [image] = (await shop.product("tote"))["images"]
    assert image["name"].startswith("model.u") and image["alt"] == "Worn on the shoulder"
    assert (await shop.plan()).empty


async def test_a_digital_product_with_options_delivers_a_file_per_variant(shop: Shop) -> None:
    (shop.root / "recipes/files").mkdir(parents=True)
    (shop.root / "recipes/files/guide.pdf").write_bytes(PDF)
    (shop.root / "recipes/files/guide.zip").write_bytes(b"PK\x03\x04" + bytes(40))
    shop.recipe(
        """
        - key: guide
          title: Guide
          category: home
          digital: true
          files: [files/guide.pdf, files/guide.zip]
          options: {Format: [PDF, ZIP]}
          variant_defaults:
            price: 9
            file: "files/guide.{{ Format | lower }}"
        """
    )
    assert (await shop.apply()).ok
    guide = await shop.product("guide")
    names = [v["file"]["name"].split(".") for v in guide["variants"]]
    assert [(stem, ext) for stem, _, ext in names] == [("guide", "pdf"), ("guide", "zip")]
    assert (await shop.plan()).empty


async def test_a_simple_digital_product_with_two_files_is_a_plan_error(shop: Shop) -> None:
    (shop.root / "recipes/files").mkdir(parents=True)
    (shop.root / "recipes/files/a.pdf").write_bytes(PDF)
    (shop.root / "recipes/files/b.pdf").write_bytes(PDF + b"b")
    shop.recipe(
        "- {key: guide, title: Guide, category: home, digital: true, price: 5,\n"
        "   files: [files/a.pdf, files/b.pdf]}\n"
    )
    with pytest.raises(PlanErrors) as caught:
        await shop.plan()
    assert "lists 2 files; an xPage product without options delivers one file" in caught.value.render()


async def test_a_new_variant_with_its_own_image_on_an_existing_product(shop: Shop) -> None:
    shop.recipe(
        """
        - key: tee
          title: Tee
          category: home
          options: {Color: [Black]}
          variant_defaults: {price: 25}
        """
    )
    assert (await shop.apply()).ok
    shop.image("red.png", 3)
    shop.recipe(
        """
        - key: tee
          title: Tee
          category: home
          options: {Color: [Black, Red]}
          variant_defaults: {price: 25}
          variants:
            - {Color: Red, image: images/red.png}
        """
    )
    plan = await shop.plan()
    assert [c.address for c in plan.changes] == ["product.tee", "image.tee/red.png"]
    assert (await shop.apply()).ok
    red = (await shop.product("tee"))["variants"][1]
    assert red["image"]["name"].startswith("red.")
    assert (await shop.plan()).empty


def test_stored_names_carry_the_hash() -> None:
    catalog_root = Path(__file__).resolve().parents[2]
    guide = load_catalog(default_config(catalog_root), "sandbox").products["style-guide"]
    [cover] = guide.images
    assert cover.sha256 is not None
    assert stored_name(cover) == f"cover.{cover.sha256[:12]}.png"
    assert name_marker(stored_name(cover)) == cover.sha256[:12]
    assert name_marker("photo.jpg") is None and name_marker("LICENSE.0123456789ab") == "0123456789ab"
