"""shelf's mixin schemas live in Emporix's Schema service and are referenced by their hosted URL.

The sandbox hosts the schemas it is given and refuses mixin URLs it does not host (or, under the reading
that a schema may be hosted anywhere, takes any URL); the provider makes its schemas, extends the product
schema when a recipe brings a new property name, and writes products, assets and coupons with the
hosted URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emporix_e2e_support import TENANT, call, db_of, listing, reset_stats, stats, write_config
from emporix_sandbox_support import PRODUCTS, client, make_app
from support import shelf

SCHEMAS = "/schema/acme/schemas"
PUBLISHED = "https://res.cloudinary.com/saas-ag/raw/upload/emporix-docs/mediaCustomAttributesMixIn-v1.json"


def _schema(types: list[str], keys: list[str]) -> dict[str, Any]:
    attributes = [{"key": k, "name": {"en": k}, "type": "TEXT", "metadata": {}} for k in keys]
    return {"name": {"en": "Custom"}, "types": types, "attributes": attributes}


def _product(url: str, mixin: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "mug",
        "code": "MUG",
        "name": {"en": "Mug"},
        "mixins": {"custom": mixin},
        "metadata": {"mixins": {"custom": url}},
    }


async def test_the_sandbox_takes_only_mixin_urls_its_schema_service_hosts(tmp_path: Path) -> None:
    app = make_app(tmp_path / "shop.sqlite")
    async with client(app, **{"Content-Language": "*"}) as c:
        made = await c.post(SCHEMAS, json={**_schema(["PRODUCT"], ["weight"]), "id": "custom"})
        media_only = await c.post(SCHEMAS, json={**_schema(["MEDIA"], ["weight"]), "id": "media"})
        hosted = (await c.get(f"{SCHEMAS}/custom")).json()["metadata"]["url"]
        other = (await c.get(f"{SCHEMAS}/media")).json()["metadata"]["url"]
        data_url = await c.put(
            f"{PRODUCTS}/mug", json=_product("data:application/schema+json,{}", {"weight": "1"})
        )
        foreign = await c.put(f"{PRODUCTS}/mug", json=_product("https://example.com/s.json", {"weight": "1"}))
        wrong_type = await c.put(f"{PRODUCTS}/mug", json=_product(other, {"weight": "1"}))
        unknown_key = await c.put(f"{PRODUCTS}/mug", json=_product(hosted, {"height": "1"}))
        accepted = await c.put(f"{PRODUCTS}/mug", json=_product(hosted, {"weight": "1"}))
        published = await c.put(f"{PRODUCTS}/mug", json=_product(PUBLISHED, {"anything": "1"}))
    assert made.status_code == 201 and media_only.status_code == 201
    assert hosted == "https://res.cloudinary.com/saas-ag/raw/upload/schemata/acme/custom_v1.json"
    for refused in (data_url, foreign, wrong_type):
        assert refused.status_code == 400
        assert refused.json()["details"][0]["field"] == "metadata.mixins.custom"
    assert unknown_key.status_code == 400 and "height" in unknown_key.json()["details"][0]["message"]
    assert accepted.status_code == 201 and published.status_code == 204


async def test_under_the_any_host_reading_the_sandbox_takes_any_url(tmp_path: Path) -> None:
    app = make_app(tmp_path / "shop.sqlite", mixin_schemas="any")
    async with client(app) as c:
        foreign = await c.put(f"{PRODUCTS}/mug", json=_product("https://example.com/s.json", {"x": 1}))
    assert foreign.status_code == 201


async def test_every_version_of_a_schema_stays_hosted_and_a_stale_update_is_a_conflict(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path / "shop.sqlite")
    async with client(app) as c:
        await c.post(SCHEMAS, json={**_schema(["PRODUCT"], ["weight"]), "id": "custom"})
        first = (await c.get(f"{SCHEMAS}/custom")).json()["metadata"]["url"]
        updated = await c.put(
            f"{SCHEMAS}/custom", json={**_schema(["PRODUCT"], ["weight", "size"]), "metadata": {"version": 1}}
        )
        stale = await c.put(
            f"{SCHEMAS}/custom", json={**_schema(["PRODUCT"], []), "metadata": {"version": 1}}
        )
        second = (await c.get(f"{SCHEMAS}/custom")).json()
        old_one = await c.get(f"{SCHEMAS}/custom", params={"version": "1"})
        by_old = await c.put(f"{PRODUCTS}/mug", json=_product(first, {"weight": "1"}))
    assert updated.status_code == 204 and stale.status_code == 409
    assert second["metadata"]["version"] == 2 and second["metadata"]["url"].endswith("custom_v2.json")
    assert [a["key"] for a in old_one.json()["attributes"]] == ["weight"]
    assert by_old.status_code == 201


def _apply() -> None:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output


def test_the_provider_writes_hosted_schema_urls_and_extends_the_product_schema(repo: Path) -> None:
    write_config(repo)
    _apply()
    db = db_of(repo)
    schemas = {s["id"]: s for s in listing(db, "schema/{t}/schemas")}
    assert set(schemas) == {"shelf-product", "shelf-media"}, "the demo catalog has no Emporix coupons"
    product_url = schemas["shelf-product"]["metadata"]["url"]
    assert product_url.startswith(f"https://res.cloudinary.com/saas-ag/raw/upload/schemata/{TENANT}/")
    tote = call(db, "GET", f"/product/{TENANT}/products/canvas-tote").json()
    assert tote["metadata"]["mixins"]["shelf"] == product_url
    assets = listing(db, "media/{t}/assets")
    assert {a["metadata"]["mixins"]["shelf"] for a in assets} == {schemas["shelf-media"]["metadata"]["url"]}
    assert {"Material", "Capacity (l)"} <= {
        a["key"]
        for a in schemas["shelf-product"]["attributes"]
        if a["key"] == "properties"
        for a in a["attributes"]
    }

    accessories = repo / "recipes" / "accessories.yaml"
    accessories.write_text(
        accessories.read_text().replace("Capacity (l): 18", "Capacity (l): 18\n      Lining: none", 1)
    )
    planned = shelf("plan")
    assert "the mixin schema shelf-product gains the property Lining" in planned.output
    reset_stats(db)
    _apply()
    counts = stats(db)["requests"]
    assert counts.get("PUT /schema/{tenant}/schemas/{id}") == 1
    assert counts.get("GET /schema/{tenant}/schemas/{id}") == 1
    assert "POST /schema/{tenant}/schemas" not in counts
    extended = call(db, "GET", "/schema/sandbox/schemas/shelf-product").json()
    assert extended["metadata"]["version"] == 2
    tote = call(db, "GET", f"/product/{TENANT}/products/canvas-tote").json()
    assert tote["metadata"]["mixins"]["shelf"] == extended["metadata"]["url"]
    assert tote["mixins"]["shelf"]["properties"]["Lining"] == "none"

    reset_stats(db)
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "mixin schema" not in again.output
    counts = stats(db)["requests"]
    assert {
        route: n for route, n in counts.items() if route.startswith(("POST /schema", "PUT /schema"))
    } == {}
    assert counts["GET /schema/{tenant}/schemas"] == 1


@pytest.mark.parametrize("first_plan_note", ["created in Emporix's Schema service"])
def test_a_first_plan_says_the_schemas_will_be_made(repo: Path, first_plan_note: str) -> None:
    write_config(repo)
    planned = shelf("plan")
    assert planned.exit_code in (0, 2), planned.output
    for schema_id in ("shelf-product", "shelf-media"):
        assert f"the mixin schema {schema_id} is {first_plan_note}" in planned.output
    assert "shelf-coupon" not in planned.output, "no promotion goes to this target"
