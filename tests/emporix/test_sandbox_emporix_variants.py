"""Product templates, parent variants, generated and explicit variants, inheritance, forced deletes."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from engine.sandbox.emporix.app import generated_id

from emporix_sandbox_support import (
    CATEGORIES,
    PRODUCTS,
    TEMPLATES,
    basic,
    client,
    make_app,
    make_product,
    make_template,
    parent_body,
    template_body,
    variants_of,
)


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite")


async def test_templates_are_versioned(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        stale = await c.put(f"{TEMPLATES}/{template_id}", json=template_body(metadata={"version": 2}))
        no_version = await c.put(f"{TEMPLATES}/{template_id}", json=template_body())
        updated = await c.put(
            f"{TEMPLATES}/{template_id}", json=template_body(name={"en": "Tee v2"}, metadata={"version": 1})
        )
        latest = (await c.get(f"{TEMPLATES}/{template_id}")).json()
        first = (await c.get(f"{TEMPLATES}/{template_id}", params={"version": "1"})).json()
        listed = await c.get(TEMPLATES, headers={"X-Total-Count": "true"})
        german = (await c.get(f"{TEMPLATES}/{template_id}", headers={"Accept-Language": "de"})).json()
        missing = await c.get(f"{TEMPLATES}/ghost")
    assert stale.status_code == 409
    assert no_version.status_code == 400
    assert updated.status_code == 204
    assert latest["metadata"]["version"] == 2 and latest["name"] == {"en": "Tee v2"}
    assert first["metadata"]["version"] == 1 and first["name"] == {"en": "T-shirt"}
    assert listed.headers["X-Total-Count"] == "1" and listed.json()[0]["metadata"]["version"] == 2
    assert german["attributes"][1]["name"] == {"de": "Farbe"}
    assert missing.status_code == 404


async def test_template_attributes_are_checked(app: Starlette) -> None:
    bad = template_body()
    bad["attributes"][0]["values"] = []
    bad["attributes"][1]["key"] = "col-or"
    number = {
        "key": "weight",
        "name": {"en": "Weight"},
        "type": "NUMBER",
        "metadata": {"defaultValue": "heavy"},
        "values": [{"key": "one"}],
    }
    async with client(app) as c:
        invalid = await c.post(TEMPLATES, json=bad)
        typed = await c.post(TEMPLATES, json={"name": {"en": "W"}, "attributes": [number]})
    assert invalid.status_code == 400
    assert {d["field"] for d in invalid.json()["details"]} == {"attributes.1.key"}
    assert {d["field"] for d in typed.json()["details"]} == {
        "attributes.0.values.0.key",
        "attributes.0.metadata.defaultValue",
    }


async def test_parent_generates_every_combination(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id))
        children = await variants_of(c, "tee")
    assert [v["code"] for v in children] == ["TEE-S-RED", "TEE-S-BLUE", "TEE-M-RED", "TEE-M-BLUE"]
    first = children[0]
    assert first["id"] == generated_id("tee", {"size": "S", "color": "RED"})
    assert first["id"].startswith("tee--") and len(first["id"]) == len("tee--") + 24
    assert first["productType"] == "VARIANT" and first["parentVariantId"] == "tee"
    assert first["mixins"]["productVariantAttributes"] == {"size": "S", "color": "RED"}
    assert first["name"] == "Classic Tee" and first["published"] is True


async def test_skip_variant_generation_and_explicit_variants(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id), skipVariantGeneration="true")
        none = await variants_of(c, "tee")
        variant = {
            "id": "tee-s-red",
            "code": "TEE-S-RED",
            "name": "ignored",
            "productType": "VARIANT",
            "parentVariantId": "tee",
            "mixins": {"productVariantAttributes": {"size": "S", "color": "RED"}},
        }
        created = await c.post(PRODUCTS, json=variant)
        twin = await c.post(PRODUCTS, json={**variant, "id": "twin", "code": "TWIN"})
        outside = await c.post(
            PRODUCTS,
            json={
                **variant,
                "id": "x",
                "code": "X",
                "mixins": {"productVariantAttributes": {"size": "L", "color": "RED"}},
            },
        )
        orphan = await c.post(PRODUCTS, json={**variant, "id": "o", "code": "O", "parentVariantId": "ghost"})
        without_id = {k: v for k, v in variant.items() if k != "id"}
        m_red = {"productVariantAttributes": {"size": "M", "color": "RED"}}
        id_less = await c.post(PRODUCTS, json={**without_id, "code": "TEE-M-RED", "mixins": m_red})
        read = (await c.get(f"{PRODUCTS}/tee-s-red")).json()
    assert none == []
    assert created.status_code == 201
    assert twin.status_code == 409
    assert (
        outside.status_code == 400
        and outside.json()["details"][0]["field"] == "mixins.productVariantAttributes.size"
    )
    assert orphan.status_code == 400
    assert id_less.status_code == 201 and id_less.json()["id"].startswith("tee--")
    assert read["name"] == "Classic Tee" and read["metadata"]["overridden"] == []


async def test_variants_inherit_unless_overridden(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id))
        child = (await variants_of(c, "tee"))[0]
        override = {
            "code": child["code"],
            "name": "Red S special",
            "published": False,
            "productType": "VARIANT",
            "metadata": {"version": 1, "overridden": ["published"]},
        }
        overridden = await c.put(f"{PRODUCTS}/{child['id']}", json=override)
        await c.patch(
            "/product/acme/products/tee", json={"name": {"en": "Tee v2"}}, headers={"Content-Language": "*"}
        )
        after = (await c.get(f"{PRODUCTS}/{child['id']}")).json()
        sibling = (await variants_of(c, "tee"))[1]
        forbidden = await c.put(
            f"{PRODUCTS}/{child['id']}",
            json={**override, "metadata": {"overridden": ["code"]}},
        )
    assert overridden.status_code == 204
    assert after["name"] == "Tee v2" and after["published"] is False
    assert after["metadata"]["version"] == 3
    assert sibling["name"] == "Tee v2" and sibling["published"] is True
    assert forbidden.status_code == 400


async def test_changing_values_regenerates(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id))
        await basic(c)
        category = (await c.post(CATEGORIES, json={"localizedName": {"en": "T"}, "published": True})).json()[
            "id"
        ]
        blue_s = generated_id("tee", {"size": "S", "color": "BLUE"})
        await c.put(f"{CATEGORIES}/{category}/assignments/references/{blue_s}")
        patched = await c.patch(
            f"{PRODUCTS}/tee",
            json={"variantAttributes": {"size": [{"key": "S"}, {"key": "L"}], "color": [{"key": "RED"}]}},
        )
        codes = [v["code"] for v in await variants_of(c, "tee")]
        assigned = await c.get(f"/category/acme/categories/{category}/assignments")
        bad_value = await c.patch(f"{PRODUCTS}/tee", json={"variantAttributes": {"size": [{"key": "XXL"}]}})
        not_variant = await c.patch(f"{PRODUCTS}/tee", json={"variantAttributes": {"weight": [{"key": "1"}]}})
    assert patched.status_code == 204
    assert codes == ["TEE-S-RED", "TEE-L-RED"]
    assert assigned.json() == []
    assert bad_value.status_code == 400 and not_variant.status_code == 400


async def test_parent_rules(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        no_template = await c.post(PRODUCTS, json={**parent_body(template_id), "template": None})
        unknown_template = await c.post(PRODUCTS, json=parent_body("ghost"))
        upsert_unknown = await c.put(f"{PRODUCTS}/tee", json=parent_body("ghost"))
        basic_with_variant_template = await c.post(
            PRODUCTS, json={"code": "B", "name": "B", "template": {"id": template_id, "version": "1"}}
        )
    assert no_template.status_code == 400
    assert unknown_template.status_code == 400
    assert upsert_unknown.status_code == 404
    assert basic_with_variant_template.status_code == 400


async def test_template_attributes_on_products(app: Starlette) -> None:
    material = {
        "key": "material",
        "name": {"en": "Material"},
        "type": "TEXT",
        "metadata": {"mandatory": True},
        "values": [{"key": "cotton"}, {"key": "wool"}],
    }
    async with client(app) as c:
        response = await c.post(TEMPLATES, json={"name": {"en": "Plain"}, "attributes": [material]})
        template = {"id": response.json()["id"], "version": 1}
        good = await c.post(
            PRODUCTS,
            json={
                "code": "G",
                "name": "G",
                "template": template,
                "mixins": {"productTemplateAttributes": {"material": "wool"}},
            },
        )
        missing = await c.post(PRODUCTS, json={"code": "M", "name": "M", "template": template})
        wrong = await c.post(
            PRODUCTS,
            json={
                "code": "W",
                "name": "W",
                "template": template,
                "mixins": {"productTemplateAttributes": {"material": "silk"}},
            },
        )
        used = await c.delete(f"{TEMPLATES}/{template['id']}")
        read = (await c.get(f"{PRODUCTS}/{good.json()['id']}", params={"expand": "template"})).json()
    assert good.status_code == 201
    assert missing.status_code == 400 and wrong.status_code == 400
    assert used.status_code == 400
    assert read["template"]["version"] == "1" and read["template"]["attributes"][0]["key"] == "material"


async def test_deleting_a_parent_needs_force(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id))
        refused = await c.delete(f"{PRODUCTS}/tee")
        forced = await c.delete(f"{PRODUCTS}/tee", params={"force": "true"})
        left = await c.get(PRODUCTS)
        template_gone = await c.delete(f"{TEMPLATES}/{template_id}")
    assert refused.status_code == 400
    assert forced.status_code == 204
    assert left.json() == []
    assert template_gone.status_code == 204


async def test_expand_parent_and_raw_value(app: Starlette) -> None:
    async with client(app) as c:
        template_id = await make_template(c)
        await make_product(c, parent_body(template_id))
        child = (await variants_of(c, "tee"))[0]
        read = (
            await c.get(f"{PRODUCTS}/{child['id']}", params={"expand": "parentVariant", "rawValue": "true"})
        ).json()
        bad = await c.get(f"{PRODUCTS}/{child['id']}", params={"expand": "cousins"})
    assert read["parentVariant"]["id"] == "tee" and read["parentVariant"]["code"] == "TEE"
    assert bad.status_code == 400
