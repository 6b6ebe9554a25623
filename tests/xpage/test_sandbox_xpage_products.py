"""The xPage sandbox's product endpoints, through in-process HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from engine.sandbox.xpage.app import category_id, create_app

from xpage_sandbox import PNG, api_client, create, metadata, tee, update, upload


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return create_app(tmp_path / "shop.sqlite")


@pytest.fixture(params=["strict", "replace"])
def updates(request: pytest.FixtureRequest) -> str:
    """Each reading of what an update does to list items it leaves out."""
    return str(request.param)


@pytest.fixture
def shop(tmp_path: Path, updates: str) -> Starlette:
    return create_app(tmp_path / "shop.sqlite", readings={"updates": updates})


def _by_sku(product: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["sku"]: v for v in product["variants"]}


async def test_create_with_options_and_variants_then_get(app: Starlette) -> None:
    async with api_client(app) as client:
        created = await create(client, tee(category_id=category_id("T-Shirts"), description="Heavy cotton."))
        got = (await client.get(f"/product/{created['id']}")).json()["data"]["product"]

    assert got == created
    assert got["slug"] == "classic-tee" and got["status"] == "active" and got["is_digital"] is False
    assert got["category"] == {"id": category_id("T-Shirts"), "name": "T-Shirts"}
    assert [o["name"] for o in got["options"]] == ["Size", "Color"]
    assert [v["value"] for v in got["options"][0]["values"]] == ["S", "M"]
    variants = _by_sku(got)
    assert variants["TEE-S-BLACK"]["price"] == 25 and variants["TEE-S-BLACK"]["quantity"] == 5
    assert variants["TEE-M-WHITE"]["price"] == 29.99 and variants["TEE-M-WHITE"]["compare_price"] == 35
    assert variants["TEE-M-BLACK"]["values"] == [{"order": 0, "value": "M"}, {"order": 1, "value": "Black"}]
    assert variants["TEE-M-BLACK"]["title"] == "M / Black"
    assert got["default"] is None and got["image"] is None and got["images"] == []
    assert set(got) == {
        "id", "slug", "title", "description", "page_title", "meta_description", "is_digital", "status",
        "stock_tracked", "allow_order_when_oos", "created_at", "image", "images", "ugc_videos", "options",
        "variants", "category", "default", "properties",
    }  # fmt: skip


async def test_simple_product_has_a_default_variant(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(
            client, {"title": "Gift Card", "is_digital": True, "default": {"price": 50, "sku": "GIFT-50"}}
        )
    assert product["variants"] == [] and product["options"] == []
    assert product["default"]["sku"] == "GIFT-50" and product["default"]["price"] == 50
    assert product["default"]["title"] == "Default" and product["default"]["values"] == []


async def test_slug_is_generated_unique_and_an_explicit_duplicate_is_refused(app: Starlette) -> None:
    async with api_client(app) as client:
        first = await create(client, {"title": "Café Crème!", "default": {"price": 1}})
        second = await create(client, {"title": "Cafe Creme", "default": {"price": 1}})
        clash = await client.post("/product", files=metadata({"title": "Other", "slug": "cafe-creme"}))
    assert first["slug"] == "cafe-creme" and second["slug"] == "cafe-creme-2"
    assert clash.status_code == 422
    assert clash.json()["errors"] == {
        "metadata.slug": ["the slug 'cafe-creme' is already taken by another product"]
    }


async def test_update_changes_only_what_is_sent(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(
            client, tee(description="Keep me", properties=[{"name": "Material", "value": "Cotton"}])
        )
        response = await update(client, product["id"], {"title": "Classic Tee 2", "status": "inactive"})
    assert response.status_code == 200
    updated = response.json()["data"]["product"]
    assert updated["title"] == "Classic Tee 2" and updated["status"] == "inactive"
    assert updated["slug"] == product["slug"] and updated["description"] == "Keep me"
    assert updated["variants"] == product["variants"] and updated["properties"] == product["properties"]
    assert updated["created_at"] == product["created_at"]


async def test_variants_left_out_stay_or_go_by_the_reading(shop: Starlette, updates: str) -> None:
    async with api_client(shop) as client:
        product = await create(client, tee())
        keep = _by_sku(product)["TEE-S-BLACK"]
        new_set = [
            {"id": keep["id"], "price": 26},
            {
                "sku": "TEE-S-WHITE",
                "price": 25,
                "values": [{"order": 0, "value": "S"}, {"order": 1, "value": "White"}],
            },
        ]
        response = await update(client, product["id"], {"variants": new_set})
    assert response.status_code == 200, response.text
    variants = _by_sku(response.json()["data"]["product"])
    left_out = {"TEE-M-BLACK", "TEE-M-WHITE"} if updates == "strict" else set()
    assert set(variants) == {"TEE-S-BLACK", "TEE-S-WHITE", *left_out}
    assert variants["TEE-S-BLACK"]["id"] == keep["id"] and variants["TEE-S-BLACK"]["price"] == 26
    assert variants["TEE-S-BLACK"]["quantity"] == 5  # not sent, so kept


async def test_options_update_by_id_and_values_by_text(shop: Starlette, updates: str) -> None:
    async with api_client(shop) as client:
        product = await create(client, tee())
        size, color = product["options"]
        small = size["values"][0]
        options = [
            {"id": size["id"], "name": "Größe", "values": [{"value": "S"}, {"value": "M"}, {"value": "L"}]},
            {"id": color["id"]},
        ]
        response = await update(client, product["id"], {"options": options})
        value_id = await update(
            client,
            product["id"],
            {"options": [{"id": size["id"], "values": [{"id": small["id"], "value": "S"}]}]},
        )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]["product"]
    assert updated["options"][0]["name"] == "Größe"
    assert [(v["value"], v["id"] == small["id"]) for v in updated["options"][0]["values"][:1]] == [
        ("S", True)
    ]
    assert [v["value"] for v in updated["options"][0]["values"]] == ["S", "M", "L"]
    assert _by_sku(updated)["TEE-S-BLACK"]["title"] == "S / Black"
    assert value_id.status_code == 422  # the document gives option values no id to write
    assert value_id.json()["errors"] == {"metadata.options.0.values.0.id": ["unknown field"]}


async def test_removing_an_option_value_in_use_needs_the_variants_too(tmp_path: Path) -> None:
    replacing = create_app(tmp_path / "shop.sqlite", readings={"updates": "replace"})
    async with api_client(replacing) as client:
        product = await create(client, tee())
        size, color = product["options"]
        only_m = [{"id": size["id"], "values": [{"value": "M"}]}, {"id": color["id"]}]
        refused = await update(client, product["id"], {"options": only_m})
        still = (await client.get(f"/product/{product['id']}")).json()["data"]["product"]
        variants = [{"id": v["id"]} for v in product["variants"] if v["values"][0]["value"] == "M"]
        accepted = await update(client, product["id"], {"options": only_m, "variants": variants})
    assert refused.status_code == 422
    assert "needs exactly one value of each option" in refused.json()["errors"]["metadata.options"][0]
    assert still == product  # nothing of the refused update was written
    assert accepted.status_code == 200, accepted.text
    assert set(_by_sku(accepted.json()["data"]["product"])) == {"TEE-M-BLACK", "TEE-M-WHITE"}


async def test_under_the_strict_reading_option_values_left_out_stay(app: Starlette) -> None:
    async with api_client(app) as client:
        product = await create(client, tee())
        size, color = product["options"]
        only_m = [{"id": size["id"], "values": [{"value": "M"}]}, {"id": color["id"]}]
        response = await update(client, product["id"], {"options": only_m})
    assert response.status_code == 200, response.text
    after = response.json()["data"]["product"]
    assert sorted(v["value"] for v in after["options"][0]["values"]) == ["M", "S"]
    assert after["variants"] == product["variants"]


async def test_default_and_variants_are_exclusive(app: Starlette) -> None:
    async with api_client(app) as client:
        both = await client.post("/product", files=metadata({**tee(), "default": {"price": 1}}))
        no_options = await client.post(
            "/product", files=metadata({"title": "X", "variants": [{"price": 1, "values": []}]})
        )
        simple = await create(client, {"title": "Mug", "default": {"price": 9}})
        to_options = await update(client, simple["id"], {k: v for k, v in tee().items() if k != "title"})
    assert both.status_code == 422 and "metadata.default" in both.json()["errors"]
    assert no_options.status_code == 422 and "metadata.variants" in no_options.json()["errors"]
    assert to_options.status_code == 200, to_options.text
    converted = to_options.json()["data"]["product"]
    assert converted["default"] is None and len(converted["variants"]) == 3


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ([{"order": 0, "value": "XL"}, {"order": 1, "value": "Black"}], "metadata.variants.0.values.0.value"),
        ([{"order": 5, "value": "S"}, {"order": 1, "value": "Black"}], "metadata.variants.0.values.0.order"),
        ([{"order": 0, "value": "S"}], "metadata.variants.0.values"),
    ],
)
async def test_variant_values_must_name_one_value_of_each_option(
    app: Starlette, values: Any, key: str
) -> None:
    meta = tee()
    meta["variants"] = [{"price": 1, "values": values}]
    async with api_client(app) as client:
        response = await client.post("/product", files=metadata(meta))
    assert response.status_code == 422
    assert key in response.json()["errors"]


async def test_duplicate_variant_combination_is_refused(app: Starlette) -> None:
    meta = tee()
    meta["variants"].append({**meta["variants"][0], "sku": "AGAIN"})
    async with api_client(app) as client:
        response = await client.post("/product", files=metadata(meta))
    assert response.status_code == 422
    assert "repeats the values" in response.json()["errors"]["metadata.variants.3.values"][0]


@pytest.mark.parametrize(
    ("meta", "errors"),
    [
        ({"title": "X", "foo": 1}, {"metadata.foo": ["unknown field"]}),
        (
            {"title": "X", "default": {"price": 1, "colour": "red"}},
            {"metadata.default.colour": ["unknown field"]},
        ),
        ({"title": 5}, {"metadata.title": ["must be a string"]}),
        ({"title": "X", "status": "archived"}, {"metadata.status": ["must be one of: active, inactive"]}),
        ({"title": "X", "is_digital": "yes"}, {"metadata.is_digital": ["must be true or false"]}),
        ({"title": "X", "default": {"price": -1}}, {"metadata.default.price": ["must be at least 0"]}),
        (
            {"title": "X", "default": {"price": 1.005}},
            {"metadata.default.price": ["must have at most 2 decimal places"]},
        ),
        ({"title": "X", "default": {"price": "9.99"}}, {"metadata.default.price": ["must be a number"]}),
        ({"title": "X", "slug": ""}, {"metadata.slug": ["must be at least 1 character(s) long"]}),
        (
            {
                "title": "X",
                "properties": [{"id": "3f9d0f3e-0000-4000-8000-000000000000", "name": "A", "value": "B"}],
            },
            {"metadata.properties.0.id": ["unknown field"]},
        ),
        ({"title": "X", "category_id": "nope"}, {"metadata.category_id": ["must be a UUID"]}),
        ({"description": "no title"}, {"metadata.title": ["required"]}),
        ([1, 2], {"metadata": ["must be an object"]}),
    ],
)
async def test_invalid_metadata_is_a_422_naming_the_field(
    app: Starlette, meta: Any, errors: dict[str, Any]
) -> None:
    async with api_client(app) as client:
        response = await client.post("/product", files=metadata(meta))
    assert response.status_code == 422
    assert response.json() == {
        "code": "VALIDATION_ERROR",
        "message": "The given data was invalid.",
        "errors": errors,
    }


async def test_malformed_bodies_are_422(app: Starlette) -> None:
    async with api_client(app) as client:
        bad_json = await client.post("/product", files=metadata('{"title": "X",'))
        as_json = await client.post("/product", json={"title": "X"})
        no_metadata = await client.post("/product", files={"images[]": ("a.png", PNG, "image/png")})
        stray_part = await client.post("/product", files=metadata({"title": "X"}, extra=(None, "1")))
        unknown_category = await client.post(
            "/product", files=metadata({"title": "X", "category_id": "00000000-0000-0000-0000-000000000000"})
        )
    assert bad_json.status_code == 422 and bad_json.json()["errors"]["metadata"][0].startswith(
        "malformed JSON"
    )
    assert as_json.status_code == 422 and as_json.json()["errors"] == {
        "body": ["must be multipart/form-data"]
    }
    assert no_metadata.json()["errors"] == {"metadata": ["required"]}
    assert stray_part.json()["errors"] == {"extra": ["unknown field"]}
    assert unknown_category.json()["errors"] == {"metadata.category_id": ["no category with this id"]}


async def test_unknown_product_is_404(app: Starlette) -> None:
    async with api_client(app) as client:
        got = await client.get("/product/3f9d0f3e-0000-4000-8000-000000000000")
        updated = await update(client, "3f9d0f3e-0000-4000-8000-000000000000", {"title": "X"})
    assert got.status_code == 404 and got.json()["code"] == "NOT_FOUND" and got.json()["errors"] == {}
    assert updated.status_code == 404


async def test_images_by_part_and_by_reference_in_link_order(shop: Starlette, updates: str) -> None:
    async with api_client(shop) as client:
        product = await create(
            client,
            {"title": "Poster", "default": {"price": 5}},
            **{"images[]": ("front.png", PNG, "image/png")},
        )
        back = (await upload(client, "back.png", PNG)).json()["data"]["file"]
        front = product["images"][0]
        response = await update(client, product["id"], {"images": [{"id": back["id"]}, {"id": front["id"]}]})
        reordered = response.json()["data"]["product"]
        dropped = (await update(client, product["id"], {"images": [{"id": back["id"]}]})).json()["data"][
            "product"
        ]
        still_there = await client.get(f"/file/{front['id']}")
    assert front["name"] == "front.png" and product["image"] == front
    assert [i["id"] for i in reordered["images"]] == [back["id"], front["id"]]
    assert reordered["image"]["id"] == back["id"]
    left_out = [front["id"]] if updates == "strict" else []
    assert [i["id"] for i in dropped["images"]] == [back["id"], *left_out]
    assert still_there.status_code == 200  # left out of images: at most unlinked, never deleted


async def test_image_parts_are_checked(app: Starlette) -> None:
    async with api_client(app) as client:
        response = await client.post(
            "/product",
            files=[
                ("metadata", (None, '{"title": "X"}', "application/json")),
                ("images[]", ("ok.png", PNG, "image/png")),
                ("images[]", ("fake.jpg", b"not an image at all", "image/jpeg")),
            ],
        )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "images.1": ["must be a JPEG, PNG, WebP or GIF image (judged by its content)"]
    }


async def test_variant_image_and_digital_file(app: Starlette) -> None:
    async with api_client(app) as client:
        image = (await upload(client, "black.png", PNG)).json()["data"]["file"]
        meta = tee()
        meta["variants"][0]["image"] = image["id"]
        product = await create(client, meta)
        gift = await create(
            client,
            {"title": "E-book", "is_digital": True, "default": {"price": 3}},
            **{"files[]": ("book.pdf", b"%PDF-1.4 x")},
        )
        not_image = await client.post(
            "/product", files=metadata({**tee(), "images": [{"id": gift["default"]["file"]["id"]}]})
        )
    assert _by_sku(product)["TEE-S-BLACK"]["image"]["id"] == image["id"]
    assert gift["default"]["file"]["name"] == "book.pdf"
    assert gift["default"]["file"]["mime_type"] == "application/pdf"
    assert not_image.json()["errors"] == {
        "metadata.images.0.id": ["must be an image file; this one is application/pdf"]
    }


async def test_properties_are_matched_by_name(shop: Starlette, updates: str) -> None:
    async with api_client(shop) as client:
        product = await create(
            client,
            {
                "title": "Mug",
                "properties": [{"name": "Material", "value": "Clay"}, {"name": "Volume", "value": "300 ml"}],
            },
        )
        material = product["properties"][0]
        response = await update(
            client,
            product["id"],
            {"properties": [{"name": "Material", "value": "Porcelain"}]},
        )
    left_out = [product["properties"][1]] if updates == "strict" else []
    assert response.json()["data"]["product"]["properties"] == [
        {"id": material["id"], "name": "Material", "value": "Porcelain"},
        *left_out,
    ]


async def _seed_list(client: Any) -> dict[str, dict[str, Any]]:
    made = {}
    seeds: list[tuple[str, dict[str, Any]]] = [
        ("Alpha Tee", {"category_id": category_id("T-Shirts"), "default": {"price": 1, "quantity": 3}}),
        ("Beta Hoodie", {"category_id": category_id("Hoodies"), "default": {"price": 1, "quantity": 0}}),
        (
            "Gamma Guide",
            {"is_digital": True, "status": "inactive", "description": "A tee guide", "default": {"price": 1}},
        ),
    ]
    for title, extra in seeds:
        made[title] = await create(client, {"title": title, **extra})
    return made


async def test_list_filters_and_order(app: Starlette) -> None:
    async with api_client(app) as client:
        await _seed_list(client)

        async def titles(**params: Any) -> list[str]:
            response = await client.get("/product", params=params)
            assert response.status_code == 200, response.text
            return [p["title"] for p in response.json()["data"]["products"]]

        assert await titles() == ["Gamma Guide", "Beta Hoodie", "Alpha Tee"]  # created_at DESC
        assert await titles(order_by="title", order_direction="ASC") == [
            "Alpha Tee",
            "Beta Hoodie",
            "Gamma Guide",
        ]
        assert await titles(search="tee") == ["Gamma Guide", "Alpha Tee"]  # title or description
        assert await titles(title="Beta Hoodie") == ["Beta Hoodie"]
        assert await titles(status="inactive") == ["Gamma Guide"]
        assert await titles(is_digital="true") == ["Gamma Guide"]
        assert await titles(is_digital="false", order_direction="ASC") == ["Alpha Tee", "Beta Hoodie"]
        assert await titles(out_of_stock="true") == ["Gamma Guide", "Beta Hoodie"]
        assert await titles(out_of_stock="false") == ["Alpha Tee"]
        assert await titles(category=category_id("Hoodies")) == ["Beta Hoodie"]
        assert await titles(order_by="category", order_direction="DESC") == [
            "Alpha Tee",
            "Beta Hoodie",
            "Gamma Guide",
        ]


async def test_pagination_envelope_and_limits(app: Starlette) -> None:
    async with api_client(app) as client:
        for n in range(5):
            await create(client, {"title": f"P{n}", "default": {"price": 1}})
        page2 = (
            await client.get("/product", params={"page": 2, "page_size": 2, "order_direction": "ASC"})
        ).json()
        beyond = (await client.get("/product", params={"page": 9})).json()["data"]
        too_big = await client.get("/product", params={"page_size": 201})
        biggest = await client.get("/product", params={"page_size": 200})
        short = await client.get("/product", params={"search": "P"})
        bad = await client.get("/product", params={"page": "two", "order_by": "price", "is_digital": "maybe"})
    assert [p["title"] for p in page2["data"]["products"]] == ["P2", "P3"]
    assert page2["data"]["pagination"] == {"total": 5, "per_page": 2, "current_page": 2, "last_page": 3}
    assert beyond["products"] == [] and beyond["pagination"]["per_page"] == 20
    assert too_big.status_code == 422 and too_big.json()["errors"] == {"page_size": ["must be at most 200"]}
    assert biggest.status_code == 200
    assert short.status_code == 422 and list(short.json()["errors"]) == ["search"]
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"page", "order_by", "is_digital"}
