"""Products in the Emporix sandbox: create, upsert, versions, codes, languages, lists, bulk, delete."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from engine.sandbox.emporix.exact_json import loads

from emporix_sandbox_support import PRODUCTS, TENANT, basic, client, make_app


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    return make_app(tmp_path / "shop.sqlite")


async def test_create_then_read(app: Starlette) -> None:
    async with client(app) as c:
        created = await c.post(
            PRODUCTS, json={"code": "MUG", "name": "Mug", "description": "Big", "published": True}
        )
        product_id = created.json()["id"]
        read = await c.get(f"{PRODUCTS}/{product_id}")
    assert created.status_code == 201
    assert created.json()["yrn"] == f"urn:yaas:saasag:caasproduct:product:{TENANT};{product_id}"
    body = read.json()
    assert body["code"] == "MUG" and body["name"] == "Mug" and body["description"] == "Big"
    assert body["productType"] == "BASIC" and body["published"] is True
    assert body["metadata"]["version"] == 1 and body["metadata"]["createdAt"].endswith("Z")
    assert body["media"] == [] and body["categoryIds"] == []


async def test_put_upserts_201_then_204_and_versions_rise(app: Starlette) -> None:
    async with client(app) as c:
        first = await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug"})
        second = await c.put(
            f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug 2", "metadata": {"version": 1}}
        )
        stale = await c.put(
            f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug 3", "metadata": {"version": 1}}
        )
        unconditional = await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug 4"})
        read = await c.get(f"{PRODUCTS}/mug", headers={"Authorization": c.headers["Authorization"]})
    assert first.status_code == 201 and first.json()["id"] == "mug"
    assert second.status_code == 204 and second.content == b""
    assert stale.status_code == 409
    assert stale.json()["message"].startswith("The resource that was requested for update has changed")
    assert unconditional.status_code == 204
    assert read.json()["name"] == "Mug 4" and read.json()["metadata"]["version"] == 3


async def test_full_put_drops_fields_partial_keeps_them(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c, description={"en": "Big"}, taxClasses={"DE": "STANDARD"})
        await c.put(f"{PRODUCTS}/mug", params={"partial": "true"}, json={"name": "Mug+"})
        partial = (await c.get(f"{PRODUCTS}/mug")).json()
        await c.patch(f"{PRODUCTS}/mug", json={"mixins": {"extra": {"a": 1}}})
        patched = (await c.get(f"{PRODUCTS}/mug")).json()
        await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug"})
        full = (await c.get(f"{PRODUCTS}/mug", headers={"Accept-Language": "*"})).json()
    assert partial["name"] == "Mug+" and partial["description"] == "Big" and partial["published"] is True
    assert patched["mixins"] == {"extra": {"a": 1}} and patched["taxClasses"] == {"DE": "STANDARD"}
    assert "description" not in full and "taxClasses" not in full and full["published"] is False
    assert full["name"] == {"en": "Mug"}


async def test_patch_of_an_unknown_product_is_404_with_product_id(app: Starlette) -> None:
    async with client(app) as c:
        response = await c.patch(f"{PRODUCTS}/ghost", json={"name": "X"})
        read = await c.get(f"{PRODUCTS}/ghost")
    assert response.status_code == 404
    assert read.json() == {
        "code": 404,
        "status": "Not Found",
        "message": "The product with id ghost has not been found.",
        "productId": "ghost",
    }


async def test_codes_are_unique(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        duplicate = await c.post(PRODUCTS, json={"code": "MUG", "name": "Other"})
        same_id = await c.post(PRODUCTS, json={"id": "mug", "code": "MUG2", "name": "Other"})
        renamed = await c.put(f"{PRODUCTS}/cup", json={"code": "MUG", "name": "Cup"})
    assert duplicate.status_code == 409 and "MUG" in duplicate.json()["message"]
    assert same_id.status_code == 409
    assert renamed.status_code == 409


async def test_languages_in_and_out(app: Starlette) -> None:
    async with client(app) as c:
        await c.post(
            PRODUCTS,
            json={"id": "p", "code": "P", "name": {"en": "Cup", "de": "Tasse"}},
            headers={"Content-Language": "*"},
        )
        await c.patch(f"{PRODUCTS}/p", json={"name": "Tazza"}, headers={"Content-Language": "it"})
        all_languages = (await c.get(f"{PRODUCTS}/p", headers={"Accept-Language": "*"})).json()
        german = (await c.get(f"{PRODUCTS}/p", headers={"Accept-Language": "fr;q=0.9, de;q=0.8"})).json()
        default = (await c.get(f"{PRODUCTS}/p")).json()
        string_with_star = await c.post(
            PRODUCTS, json={"code": "Q", "name": "Q"}, headers={"Content-Language": "*"}
        )
        map_with_language = await c.post(
            PRODUCTS, json={"code": "Q", "name": {"en": "Q"}}, headers={"Content-Language": "en"}
        )
        unknown_language = await c.post(PRODUCTS, json={"code": "Q", "name": {"xx": "Q"}})
    assert all_languages["name"] == {"en": "Cup", "de": "Tasse", "it": "Tazza"}
    assert german["name"] == "Tasse"
    assert default["name"] == "Cup"
    for response in (string_with_star, map_with_language, unknown_language):
        assert response.status_code == 400
        assert response.json()["details"][0]["field"] == "name"


async def test_bodies_and_parameters_are_validated(app: Starlette) -> None:
    async with client(app) as c:
        missing = await c.post(PRODUCTS, json={"name": "No code"})
        unknown = await c.post(PRODUCTS, json={"code": "X", "name": "X", "colour": "red"})
        wrong = await c.post(
            PRODUCTS, json={"code": "X", "name": "X", "published": "yes", "productType": "KIT"}
        )
        long_id = await c.post(PRODUCTS, json={"id": "x" * 33, "code": "X", "name": "X"})
        bad_param = await c.get(PRODUCTS, params={"pageSize": "many"})
        unknown_param = await c.get(PRODUCTS, params={"limit": "5"})
        bad_header = await c.get(PRODUCTS, headers={"X-Total-Count": "maybe"})
        malformed = await c.post(PRODUCTS, content=b"{", headers={"Content-Type": "application/json"})
    assert missing.status_code == 400 and missing.json()["details"] == [
        {"field": "code", "type": "missing_value", "message": "required"}
    ]
    assert unknown.json()["details"] == [
        {"field": "colour", "type": "unknown_field", "message": "unknown field"}
    ]
    fields = {d["field"] for d in wrong.json()["details"]}
    assert fields == {"published", "productType"}
    assert long_id.status_code == 400
    for response in (bad_param, unknown_param, bad_header, malformed):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == 400 and response.json()["status"] == "Bad Request"


async def test_lists_page_count_filter_and_sort(app: Starlette) -> None:
    async with client(app) as c:
        for i in range(5):
            await basic(c, f"p{i}", f"CODE-{i}", mixins={"productCustomAttributes": {"weight": i}})
        page = await c.get(
            PRODUCTS, params={"pageNumber": "2", "pageSize": "2"}, headers={"X-Total-Count": "true"}
        )
        no_count = await c.get(PRODUCTS)
        by_code = await c.get(PRODUCTS, params={"q": "code:CODE-3"})
        by_ids = await c.get(PRODUCTS, params={"q": "id:(p1,p4)"})
        heavy = await c.get(PRODUCTS, params={"q": "mixins.productCustomAttributes.weight:>=3"})
        regex = await c.get(PRODUCTS, params={"q": "code:~[12]$"})
        either = await c.get(PRODUCTS, params={"q": "compoundLogicalQuery:((code:CODE-0) OR (id:p2))"})
        sorted_desc = await c.get(PRODUCTS, params={"sort": "code:desc", "pageSize": "2"})
        bad_q = await c.get(PRODUCTS, params={"q": "code"})
        fields = await c.get(PRODUCTS, params={"fields": "code", "pageSize": "1"})
    assert [p["id"] for p in page.json()] == ["p2", "p3"] and page.headers["X-Total-Count"] == "5"
    assert "X-Total-Count" not in no_count.headers and len(no_count.json()) == 5
    assert [p["id"] for p in by_code.json()] == ["p3"]
    assert [p["id"] for p in by_ids.json()] == ["p1", "p4"]
    assert [p["id"] for p in heavy.json()] == ["p3", "p4"]
    assert [p["id"] for p in regex.json()] == ["p1", "p2"]
    assert [p["id"] for p in either.json()] == ["p0", "p2"]
    assert [p["code"] for p in sorted_desc.json()] == ["CODE-4", "CODE-3"]
    assert bad_q.status_code == 400
    assert fields.json() == [
        {"id": "p0", "code": "CODE-0", "yrn": f"urn:yaas:saasag:caasproduct:product:{TENANT};p0"}
    ]


async def test_bulk_create_and_upsert_answer_per_index(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        created = await c.post(
            f"{PRODUCTS}/bulk",
            json=[
                {"id": "a", "code": "A", "name": "A"},
                {"id": "b", "code": "MUG", "name": "B"},
                {"code": "C"},
            ],
        )
        upserted = await c.put(
            f"{PRODUCTS}/bulk",
            json=[
                {"id": "a", "code": "A", "name": "A2", "metadata": {"version": 1}},
                {"id": "n", "code": "N", "name": "N"},
                {"id": "a", "code": "A", "name": "A3", "metadata": {"version": 1}},
                {"code": "NO-ID", "name": "x"},
            ],
        )
    assert created.status_code == 207
    assert created.json()[0] == {"index": 0, "id": "a", "code": 201, "status": "CREATED"}
    assert created.json()[1]["code"] == 409 and created.json()[1]["status"] == "CONFLICT"
    assert created.json()[2]["code"] == 400 and created.json()[2]["details"] == ["name: required"]
    results = upserted.json()
    assert [r["code"] for r in results] == [204, 201, 409, 400]
    assert results[0] == {"index": 0, "id": "a", "code": 204, "status": "NO_CONTENT"}


async def test_bulk_takes_at_most_200(app: Starlette) -> None:
    items = [{"id": f"p{i}", "code": f"P{i}", "name": "X"} for i in range(201)]
    async with client(app) as c:
        too_many = await c.post(f"{PRODUCTS}/bulk", json=items)
        exactly = await c.post(f"{PRODUCTS}/bulk", json=items[:200])
        listed = await c.get(PRODUCTS, params={"pageSize": "500"}, headers={"X-Total-Count": "true"})
    assert too_many.status_code == 400
    assert too_many.json()["details"] == [
        {"field": "body", "type": "invalid_value", "message": "Maximum size of the payload array is 200."}
    ]
    assert exactly.status_code == 207 and {r["code"] for r in exactly.json()} == {201}
    assert listed.headers["X-Total-Count"] == "200"


async def test_delete_is_idempotent(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        first = await c.delete(f"{PRODUCTS}/mug")
        again = await c.delete(f"{PRODUCTS}/mug")
        gone = await c.get(f"{PRODUCTS}/mug")
    assert first.status_code == again.status_code == 204
    assert gone.status_code == 404


async def test_read_only_fields_are_accepted_back(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        read = (await c.get(f"{PRODUCTS}/mug", headers={"Accept-Language": "*"})).json()
        read["name"] = {"en": "Mug v2"}
        sent_back = await c.put(f"{PRODUCTS}/mug", json=read, headers={"Content-Language": "*"})
        wrong_id = await c.put(
            f"{PRODUCTS}/mug", json={**read, "id": "other"}, headers={"Content-Language": "*"}
        )
    assert sent_back.status_code == 204, sent_back.text
    assert wrong_id.status_code == 400


async def test_related_items_and_bundles_need_existing_products(app: Starlette) -> None:
    async with client(app) as c:
        await basic(c)
        related = await c.post(
            PRODUCTS, json={"code": "R", "name": "R", "relatedItems": [{"refId": "mug", "type": "ACCESSORY"}]}
        )
        bad_related = await c.post(
            PRODUCTS, json={"code": "S", "name": "S", "relatedItems": [{"refId": "ghost", "type": "FRIEND"}]}
        )
        bundle = await c.post(
            PRODUCTS,
            json={
                "code": "B",
                "name": "B",
                "productType": "BUNDLE",
                "bundledProducts": [{"productId": "mug", "amount": 2}],
            },
        )
        empty_bundle = await c.post(PRODUCTS, json={"code": "E", "name": "E", "productType": "BUNDLE"})
        dynamic = await c.post(PRODUCTS, json={"code": "D", "name": "D", "productType": "DYNAMIC_VARIANT"})
    assert related.status_code == 201 and bundle.status_code == 201
    fields = {d["field"] for d in bad_related.json()["details"]}
    assert fields == {"relatedItems.0.refId", "relatedItems.0.type"}
    assert empty_bundle.status_code == 400 and dynamic.status_code == 400


async def test_numbers_keep_their_digits(app: Starlette) -> None:
    mixins: dict[str, Any] = {"productCustomAttributes": {"pricingMeasurePrice": Decimal("13.10")}}
    async with client(app) as c:
        await c.post(
            PRODUCTS,
            content=b'{"id": "m", "code": "M", "name": "M",'
            b' "mixins": {"productCustomAttributes": {"pricingMeasurePrice": 13.10}}}',
            headers={"Content-Type": "application/json"},
        )
        read = await c.get(f"{PRODUCTS}/m", headers={"Accept-Language": "*"})
    assert b'"pricingMeasurePrice":13.10' in read.content
    assert loads(read.content)["mixins"] == mixins


async def test_unknown_routes_and_methods_answer_in_the_core_shape(app: Starlette) -> None:
    async with client(app) as c:
        missing = await c.get(f"/product/{TENANT}/nothing")
        method = await c.post(f"{PRODUCTS}/mug")
    assert missing.status_code == 404 and missing.json()["code"] == 404
    assert method.status_code == 405 and method.json()["status"] == "Method Not Allowed"
