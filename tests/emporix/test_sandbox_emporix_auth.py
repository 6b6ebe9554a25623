"""Service access tokens, the gateway's 401, tenants and scopes in the Emporix sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from engine.sandbox.emporix.errors import GATEWAY_FAULT

from emporix_sandbox_support import (
    CATEGORIES,
    PRODUCTS,
    TENANT,
    basic,
    client,
    issue,
    make_app,
    scoped_app,
)


@pytest.fixture
def clock() -> list[float]:
    return [1_800_000_000.0]


@pytest.fixture
def app(tmp_path: Path, clock: list[float]) -> Starlette:
    return make_app(
        tmp_path / "shop.sqlite",
        clients={"sandbox": ("sandbox", None), "reader": ("r3ad", ["category.category_read_unpublished"])},
        clock=lambda: clock[0],
    )


async def test_token_is_issued_with_every_scope_and_the_tenant(app: Starlette) -> None:
    async with client(app, token=None) as c:
        response = await issue(c)
        body = response.json()
        listed = await c.get(PRODUCTS, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 14399
    assert body["refresh_token"] == "" and body["refresh_token_expires_in"] == 0
    assert body["scope"].endswith(f" tenant={TENANT}")
    assert "product.product_manage" in body["scope"].split()
    assert listed.status_code == 200


async def test_token_with_asked_scopes_only(app: Starlette) -> None:
    async with client(app, token=None) as c:
        response = await issue(c, scope=f"category.category_manage tenant={TENANT}")
        token = response.json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        allowed = await c.post(CATEGORIES, json={"localizedName": {"en": "A"}, "published": False})
        refused = await c.post(PRODUCTS, json={"code": "X", "name": "X"})
    assert response.json()["scope"] == f"category.category_manage tenant={TENANT}"
    assert allowed.status_code == 201
    assert refused.status_code == 403
    assert refused.json()["code"] == 403 and "product.product_manage" in refused.json()["message"]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "price.price_manage tenant=other"}, 400, "invalid_scope"),
        ({"scope": "no.such_scope"}, 400, "invalid_scope"),
        ({"extra": "1"}, 400, "invalid_request"),
    ],
)
async def test_token_request_errors_follow_oauth(
    app: Starlette, form: dict[str, str], status: int, error: str
) -> None:
    fields = {"grant_type": "client_credentials", "client_id": "sandbox", "client_secret": "sandbox", **form}
    async with client(app, token=None) as c:
        response = await c.post("/oauth/token", data=fields)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]


async def test_client_scopes_bound_what_a_token_can_ask(app: Starlette) -> None:
    async with client(app, token=None) as c:
        narrow = await issue(c, "reader", "r3ad")
        wide = await issue(c, "reader", "r3ad", scope="product.product_manage")
        json_body = await c.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert narrow.json()["scope"] == f"category.category_read_unpublished tenant={TENANT}"
    assert wide.status_code == 400
    assert json_body.status_code == 400 and json_body.json()["error"] == "invalid_request"


async def test_missing_unknown_and_expired_tokens_get_the_gateway_fault(
    app: Starlette, clock: list[float]
) -> None:
    async with client(app, token=None) as c:
        token = (await issue(c)).json()["access_token"]
        missing = await c.get(PRODUCTS)
        unknown = await c.get(PRODUCTS, headers={"Authorization": "Bearer nope"})
        basic_auth = await c.get(PRODUCTS, headers={"Authorization": "Basic c2FuZGJveA=="})
        fresh = await c.get(PRODUCTS, headers={"Authorization": f"Bearer {token}"})
        clock[0] += 14399
        expired = await c.get(PRODUCTS, headers={"Authorization": f"Bearer {token}"})
    assert fresh.status_code == 200
    for response in (missing, unknown, basic_auth, expired):
        assert response.status_code == 401
        assert response.json() == GATEWAY_FAULT


async def test_control_clock_lets_tokens_expire(tmp_path: Path) -> None:
    app = make_app(tmp_path / "shop.sqlite")
    async with client(app, token=None) as c:
        token = (await issue(c)).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        before = await c.get(PRODUCTS)
        moved = await c.post("/_sandbox/clock", json={"advance": 14400})
        after = await c.get(PRODUCTS)
        state = await c.get("/_sandbox/clock")
        bad = await c.post("/_sandbox/clock", json={"advance": "soon"})
    assert before.status_code == 200
    assert moved.status_code == 200 and moved.json()["offset"] == 14400
    assert after.status_code == 401
    assert state.json()["offset"] == 14400
    assert bad.status_code == 422


async def test_another_tenant_in_the_path_is_403(app: Starlette) -> None:
    async with client(app) as c:
        response = await c.get("/product/othershop/products")
    assert response.status_code == 403
    assert response.json()["message"] == "The access token is not valid for tenant othershop."


async def test_publishing_needs_the_publish_scope(tmp_path: Path) -> None:
    app = scoped_app(tmp_path / "shop.sqlite", ["product.product_manage", "product.product_read_unpublished"])
    async with client(app, token="limited") as c:
        draft = await c.post(PRODUCTS, json={"id": "p1", "code": "P1", "name": "Draft"})
        published = await c.post(PRODUCTS, json={"id": "p2", "code": "P2", "name": "Live", "published": True})
    assert draft.status_code == 201
    assert published.status_code == 403
    assert "product.product_publish" in published.json()["message"]


async def test_unpublished_products_need_read_unpublished(tmp_path: Path) -> None:
    app = scoped_app(tmp_path / "shop.sqlite", ["product.product_manage"])
    async with client(app) as c:
        await basic(c, "live", "LIVE")
        await basic(c, "draft", "DRAFT", published=False)
    async with client(app, token="limited") as c:
        listed = await c.get(PRODUCTS)
        draft = await c.get(f"{PRODUCTS}/draft")
        live = await c.get(f"{PRODUCTS}/live")
    assert [p["id"] for p in listed.json()] == ["live"]
    assert draft.status_code == 403
    assert live.status_code == 200


async def test_show_unpublished_categories_needs_the_scope(tmp_path: Path) -> None:
    app = scoped_app(tmp_path / "shop.sqlite", ["category.category_manage"])
    async with client(app, token="limited") as c:
        response = await c.get(CATEGORIES, params={"showUnpublished": "true"})
    assert response.status_code == 403
    assert set(response.json()) == {"code", "status", "message", "details"}
