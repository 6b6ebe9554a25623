"""The sandbox control API on the xPage sandbox: stats, faults, reset, categories; persistence; rate limit."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from starlette.applications import Starlette

from engine.sandbox.xpage.app import SEED_CATEGORIES, category_id, create_app, reset_database
from engine.sandbox.xpage.db import CATEGORY_NAMESPACE

from xpage_sandbox import PNG, api_client, create, metadata, root_client, tee, update, upload


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "shop.sqlite"


@pytest.fixture
def app(db: Path) -> Starlette:
    return create_app(db)


async def test_state_persists_across_apps_on_the_same_file(db: Path) -> None:
    async with api_client(create_app(db)) as client:
        product = await create(client, tee(), **{"images[]": ("front.png", PNG, "image/png")})
    async with api_client(create_app(db)) as client:
        again = (await client.get(f"/product/{product['id']}")).json()["data"]["product"]
    assert again == product


async def test_stats_count_requests_by_route_template_writes_and_upload_bytes(
    app: Starlette, db: Path
) -> None:
    async with api_client(app) as client:
        product = await create(
            client, {"title": "Mug", "default": {"price": 1}}, **{"images[]": ("a.png", PNG)}
        )
        await client.get(f"/product/{product['id']}")
        await client.get("/product")
        await update(client, product["id"], {"title": "Mug 2"})
        await upload(client, "b.png", PNG)
        await client.get("/permission")
        await client.post("/auth/get-token", json={"client_id": "sandbox", "client_secret": "sandbox"})
        await client.get("/nowhere")
    async with root_client(create_app(db)) as root:  # another app on the same file sees the same counts
        stats = (await root.get("/_sandbox/stats")).json()
        reset = await root.post("/_sandbox/stats/reset")
        after = (await root.get("/_sandbox/stats")).json()
    assert stats == {
        "requests": {
            "GET /permission": 1,
            "GET /product": 1,
            "GET /product/{id}": 1,
            "POST /auth/get-token": 1,
            "POST /file": 1,
            "POST /product": 1,
            "POST /product/{id}/update": 1,
        },
        "writes": 3,
        "upload_bytes": 2 * len(PNG),
    }
    assert reset.status_code == 204
    assert after == {"requests": {}, "writes": 0, "upload_bytes": 0}


async def test_fault_before_commit_fails_without_writing(app: Starlette) -> None:
    async with root_client(app) as root:
        added = await root.post(
            "/_sandbox/faults", json={"route": "POST /product", "status": 503, "times": 2, "retry_after": 2}
        )
    async with api_client(app) as client:
        first = await client.post("/product", files=metadata({"title": "A", "default": {"price": 1}}))
        second = await client.post("/product", files=metadata({"title": "A", "default": {"price": 1}}))
        third = await client.post("/product", files=metadata({"title": "A", "default": {"price": 1}}))
        listed = (await client.get("/product")).json()["data"]["products"]
    assert added.status_code == 201 and added.json()["times"] == 2
    assert first.status_code == second.status_code == 503
    assert first.json()["code"] == "SERVICE_UNAVAILABLE" and first.headers["retry-after"] == "2"
    assert third.status_code == 201
    assert [p["title"] for p in listed] == ["A"]


async def test_fault_after_commit_writes_then_loses_the_answer(app: Starlette) -> None:
    async with root_client(app) as root:
        await root.post(
            "/_sandbox/faults", json={"route": "POST /product", "status": 502, "after_commit": True}
        )
    async with api_client(app) as client:
        refused = await client.post("/product", files=metadata({"title": "Lost Answer", "price": 1}))
        lost = await client.post(
            "/product", files=metadata({"title": "Lost Answer", "default": {"price": 1}})
        )
        found = (await client.get("/product", params={"search": "Lost"})).json()["data"]["products"]
        kept = await client.post("/product", files=metadata({"title": "Kept", "default": {"price": 1}}))
    assert refused.status_code == 422  # wrote nothing, so the fault waits for a request that succeeds
    assert lost.status_code == 502 and "retry-after" not in lost.headers
    assert [p["slug"] for p in found] == ["lost-answer"]
    assert kept.status_code == 201


async def test_faults_are_shared_and_listed_and_checked(app: Starlette, db: Path) -> None:
    async with root_client(create_app(db)) as root:
        await root.post("/_sandbox/faults", json={"route": "GET /product/{id}", "status": 500})
        pending = (await root.get("/_sandbox/faults")).json()
        unknown_route = await root.post("/_sandbox/faults", json={"route": "GET /products", "status": 500})
        bad_status = await root.post(
            "/_sandbox/faults", json={"route": "GET /product", "status": 200, "x": 1}
        )
    async with api_client(app) as client:
        failed = await client.get("/product/whatever")
        normal = await client.get("/product/whatever")
    assert [f["route"] for f in pending] == ["GET /product/{id}"]
    assert unknown_route.status_code == 422 and "route" in unknown_route.json()["errors"]
    assert bad_status.json()["errors"] == {"status": ["must be at least 400"], "x": ["unknown field"]}
    assert failed.status_code == 500 and failed.json()["code"] == "INTERNAL_ERROR"
    assert normal.status_code == 404
    async with root_client(app) as root:
        await root.post("/_sandbox/faults", json={"route": "GET /product", "status": 500})
        assert (await root.delete("/_sandbox/faults")).status_code == 204
        assert (await root.get("/_sandbox/faults")).json() == []


async def test_rate_limit_answers_429_with_retry_after(db: Path) -> None:
    app = create_app(db, rate_limit=3)
    async with api_client(app) as client:
        statuses = [(await client.get("/product")).status_code for _ in range(4)]
        limited = await client.get("/product")
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.json()["code"] == "TOO_MANY_REQUESTS" and limited.headers["retry-after"] == "1"


async def test_reset_empties_the_shop_to_its_seed(app: Starlette, db: Path) -> None:
    async with api_client(app) as client:
        await create(client, tee())
        await upload(client, "a.png", PNG)
    async with root_client(app) as root:
        await root.post("/_sandbox/categories", json={"name": "Sale"})
        await root.post("/_sandbox/faults", json={"route": "GET /product", "status": 500})
        assert (await root.post("/_sandbox/reset")).status_code == 204
        categories = (await root.get("/_sandbox/categories")).json()
        stats = (await root.get("/_sandbox/stats")).json()
    async with api_client(app) as client:
        products = (await client.get("/product")).json()["data"]
        files = (await client.get("/file")).json()["data"]
    assert products["products"] == [] and files["files"] == []
    assert sorted(c["name"] for c in categories) == sorted(SEED_CATEGORIES)
    assert stats == {"requests": {}, "writes": 0, "upload_bytes": 0}


async def test_reset_database_without_an_app(db: Path) -> None:
    async with api_client(create_app(db)) as client:
        await create(client, tee())
    reset_database(db)
    async with api_client(create_app(db)) as client:
        assert (await client.get("/product")).json()["data"]["pagination"]["total"] == 0


async def test_categories_are_seeded_with_name_derived_ids_and_can_be_added(app: Starlette) -> None:
    async with root_client(app) as root:
        seeded = (await root.get("/_sandbox/categories")).json()
        added = await root.post("/_sandbox/categories", json={"name": "Sale"})
        again = await root.post("/_sandbox/categories", json={"name": "Sale"})
        invalid = await root.post("/_sandbox/categories", json={"title": "Sale"})
    assert {c["name"]: c["id"] for c in seeded} == {
        name: str(uuid.uuid5(CATEGORY_NAMESPACE, name))
        for name in ("Apparel", "T-Shirts", "Hoodies", "Accessories", "Home", "Digital")
    }
    assert added.status_code == 201 and added.json() == {"id": category_id("Sale"), "name": "Sale"}
    assert again.status_code == 200 and again.json() == added.json()
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == {"name": ["required"], "title": ["unknown field"]}
    async with api_client(app) as client:
        product = await create(client, {"title": "Deal", "category_id": category_id("Sale")})
    assert product["category"] == {"id": category_id("Sale"), "name": "Sale"}


async def test_unknown_routes_and_methods_have_the_error_shape(app: Starlette) -> None:
    async with root_client(app) as root:
        missing = await root.get("/_sandbox/nothing")
        wrong_method = await root.put("/_sandbox/stats")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in wrong_method.headers["allow"]
