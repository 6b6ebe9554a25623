"""The control API on the Emporix sandbox: stats, faults, reset, persistence, the registry, rate limits."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from engine.sandbox import reset_sandbox, sandbox_app, sandbox_base_path, serving
from engine.sandbox.emporix.app import reset_database
from engine.sandbox.registry import SANDBOX_PLATFORMS

from emporix_sandbox_support import CATEGORIES, COUPONS, PRICES, PRODUCTS, basic, client, issue, make_app

PUT_PRODUCT = "PUT /product/{tenant}/products/{productId}"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "shop.sqlite"


@pytest.fixture
def app(db: Path) -> Starlette:
    return make_app(db)


async def test_stats_count_requests_by_template_and_writes(app: Starlette) -> None:
    async with client(app) as c:
        await issue(c)
        await basic(c)
        await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug"})
        await c.get(f"{PRODUCTS}/mug")
        await c.get(f"{PRODUCTS}/ghost")
        await c.get("/product/acme/unknown-route")
        stats = (await c.get("/_sandbox/stats")).json()
        reset = await c.post("/_sandbox/stats/reset")
        after = (await c.get("/_sandbox/stats")).json()
    assert stats["requests"] == {
        "GET /product/{tenant}/products/{productId}": 2,
        "POST /oauth/token": 1,
        "POST /product/{tenant}/products": 1,
        PUT_PRODUCT: 1,
    }
    assert stats["writes"] == 2 and stats["upload_bytes"] == 0
    assert reset.status_code == 204 and after == {"requests": {}, "writes": 0, "upload_bytes": 0}


async def test_fault_before_commit_writes_nothing(app: Starlette) -> None:
    async with client(app) as c:
        queued = await c.post(
            "/_sandbox/faults", json={"route": PUT_PRODUCT, "status": 503, "retry_after": 1.5}
        )
        failed = await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug"})
        missing = await c.get(f"{PRODUCTS}/mug")
        retried = await c.put(f"{PRODUCTS}/mug", json={"code": "MUG", "name": "Mug"})
        pending = await c.get("/_sandbox/faults")
    assert queued.status_code == 201 and queued.json()["route"] == PUT_PRODUCT
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "2"
    assert failed.json() == {
        "code": 503,
        "status": "Service Unavailable",
        "message": f"injected fault on {PUT_PRODUCT}",
    }
    assert missing.status_code == 404
    assert retried.status_code == 201 and pending.json() == []


async def test_fault_after_commit_loses_the_answer_but_keeps_the_write(app: Starlette) -> None:
    async with client(app) as c:
        await c.post(
            "/_sandbox/faults",
            json={"route": "POST /coupon/{tenant}/coupons", "status": 502, "after_commit": True},
        )
        refused = await c.post(COUPONS, json={"code": "X"})
        lost = await c.post(
            COUPONS, json={"code": "X", "name": "X", "discountPercentage": 5, "discountType": "PERCENT"}
        )
        kept = await c.get(f"{COUPONS}/X")
    assert refused.status_code == 400
    assert lost.status_code == 502 and lost.json()["type"] == "internal_service_error"
    assert kept.status_code == 200


async def test_faults_on_token_route_and_unknown_routes(app: Starlette) -> None:
    async with client(app, token=None) as c:
        await c.post("/_sandbox/faults", json={"route": "POST /oauth/token", "status": 500, "times": 2})
        first = await issue(c)
        second = await issue(c)
        third = await issue(c)
        bad = await c.post("/_sandbox/faults", json={"route": "GET /nowhere", "status": 500})
        cleared = await c.delete("/_sandbox/faults")
    assert first.status_code == second.status_code == 500
    assert first.json()["error"] == "invalid_request"
    assert third.status_code == 200
    assert bad.status_code == 422 and cleared.status_code == 204


async def test_reset_empties_the_shop_but_keeps_tokens(app: Starlette, db: Path) -> None:
    async with client(app, token=None) as c:
        token = (await issue(c)).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        await basic(c)
        await c.post(CATEGORIES, json={"localizedName": {"en": "A"}, "published": True})
        reset = await c.post("/_sandbox/reset")
        products = await c.get(PRODUCTS)
        categories = await c.get(CATEGORIES)
        models = await c.get("/price/acme/priceModels")
    assert reset.status_code == 204
    assert products.json() == [] and categories.json() == []
    assert len(models.json()) == 1
    reset_database(db)


async def test_state_persists_across_apps_on_the_same_file(db: Path) -> None:
    async with client(make_app(db), token=None) as c:
        token = (await issue(c)).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        await basic(c)
        await c.post(
            PRICES,
            json={
                "itemId": {"itemType": "PRODUCT", "id": "mug"},
                "currency": "EUR",
                "location": {"countryCode": "DE"},
                "tierValues": [{"priceValue": 3}],
            },
        )
        await c.post("/_sandbox/clock", json={"advance": 60})
    async with client(make_app(db), token=token) as c:
        product = await c.get(f"{PRODUCTS}/mug")
        prices = await c.get(PRICES)
        clock = (await c.get("/_sandbox/clock")).json()
        stats = (await c.get("/_sandbox/stats")).json()
    assert product.status_code == 200 and len(prices.json()) == 1
    assert clock["offset"] == 60
    assert stats["requests"]["POST /product/{tenant}/products"] == 1


def test_registry_knows_emporix(db: Path) -> None:
    assert "emporix" in SANDBOX_PLATFORMS
    assert sandbox_base_path("emporix") == ""
    app = sandbox_app("emporix", db, tokens=["cli-token"])
    reset_sandbox("emporix", db)
    with serving(app) as url:
        listed = httpx.get(f"{url}/product/sandbox/products", headers={"Authorization": "Bearer cli-token"})
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "sandbox", "client_secret": "sandbox"},
        )
    assert listed.status_code == 200 and listed.json() == []
    assert token.status_code == 200 and token.json()["scope"].endswith("tenant=sandbox")


async def test_rate_limit_answers_429(db: Path) -> None:
    app = make_app(db, rate_limit=2)
    async with client(app) as c:
        answers = [await c.get(PRODUCTS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "1" and answers[2].json()["code"] == 429
