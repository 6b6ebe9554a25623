"""Tokens, installations and permissions in the xPage sandbox."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from starlette.applications import Starlette

from engine.sandbox.xpage.app import INSTALL_HEADER, SANDBOX_INSTALL_ID, create_app

from support import PROJECT
from xpage_sandbox import api_client, metadata

VENDOR_DOC = PROJECT.parent / "shared" / "platforms" / "xpage" / "apps-api.md"
"""The vendor's page, in ``../shared`` beside the repository root; CI always has it, so its absence fails."""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "shop.sqlite"


@pytest.fixture
def app(db: Path) -> Starlette:
    return create_app(db, tokens={"sandbox": None, "viewer": ["product:view"]}, clients={"app-1": "s3cret"})


async def test_missing_unknown_and_malformed_tokens_are_401(app: Starlette) -> None:
    async with api_client(app, token=None) as client:
        missing = await client.get("/product")
        unknown = await client.get("/product", headers={"Authorization": "Bearer nope"})
        basic = await client.get("/product", headers={"Authorization": "Basic c2FuZGJveA=="})
    for response in (missing, unknown, basic):
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHENTICATED" and response.json()["errors"] == {}
        assert response.headers["www-authenticate"] == "Bearer"
    assert unknown.json()["message"] == "invalid token"


async def test_missing_permission_is_403_naming_it(app: Starlette) -> None:
    async with api_client(app, token="viewer") as client:
        listed = await client.get("/product")
        created = await client.post("/product", files=metadata({"title": "X"}))
        updated = await client.post("/product/x/update", files=metadata({"title": "X"}))
        files = await client.get("/file")
    assert listed.status_code == 200
    assert created.status_code == 403
    assert created.json() == {
        "code": "FORBIDDEN",
        "message": "POST /product requires permission product:create",
        "errors": {},
    }
    assert updated.json()["message"].endswith("requires permission product:update")
    assert files.json()["message"].endswith("requires permission file:browse")


async def test_public_endpoints_need_no_token(app: Starlette) -> None:
    async with api_client(app, token=None) as client:
        permissions = await client.get("/permission")
        carriers = await client.get("/shipping-carrier")
    assert VENDOR_DOC.is_file(), f"{VENDOR_DOC} is missing: check out ../shared beside the repository"
    documented = re.search(r'"permissions": (\{.*?\n\})', VENDOR_DOC.read_text(), re.S)
    assert documented is not None, f"no permissions block in {VENDOR_DOC}"
    assert permissions.json() == {"data": {"permissions": json.loads(documented.group(1))}}
    assert permissions.json()["data"]["permissions"]["file"] == ["browse", "upload", "delete"]
    assert carriers.status_code == 200
    assert {c["code"] for c in carriers.json()["data"]["carriers"]} >= {"dhl", "ups"}
    assert set(carriers.json()["data"]["carriers"][0]) == {"id", "name", "code", "status"}


async def test_issued_token_without_installation_needs_the_header(app: Starlette, db: Path) -> None:
    async with api_client(app, token=None) as client:
        issued = await client.post("/auth/get-token", json={"client_id": "app-1", "client_secret": "s3cret"})
    assert issued.status_code == 200
    body = issued.json()["data"]
    assert body["expires_in"] == 3600 and isinstance(body["token"], str)
    async with api_client(app, token=body["token"]) as client:
        without = await client.get("/product")
        other = await client.get("/product", headers={INSTALL_HEADER: "11111111-1111-4111-8111-111111111111"})
        right = await client.get("/product", headers={INSTALL_HEADER: SANDBOX_INSTALL_ID})
    assert without.status_code == 403 and INSTALL_HEADER in without.json()["message"]
    assert other.status_code == 403
    assert right.status_code == 200
    stored = sqlite3.connect(db).execute("SELECT * FROM sandbox_tokens").fetchall()
    assert stored and body["token"] not in repr(stored)


async def test_issued_token_restricted_to_the_installation(app: Starlette) -> None:
    async with api_client(app, token=None) as client:
        issued = await client.post(
            "/auth/get-token",
            json={
                "client_id": "app-1",
                "client_secret": "s3cret",
                "install_id": SANDBOX_INSTALL_ID,
                "ttl": 60,
            },
        )
        elsewhere = await client.post(
            "/auth/get-token",
            json={
                "client_id": "app-1",
                "client_secret": "s3cret",
                "install_id": "11111111-1111-4111-8111-111111111111",
            },
        )
    token = issued.json()["data"]["token"]
    assert issued.json()["data"]["expires_in"] == 60
    assert elsewhere.status_code == 403
    async with api_client(app, token=token) as client:
        assert (await client.get("/product")).status_code == 200
        assert (
            await client.post("/product", files=metadata({"title": "Issued", "default": {"price": 1}}))
        ).status_code == 201
        mismatch = await client.get(
            "/product", headers={INSTALL_HEADER: "11111111-1111-4111-8111-111111111111"}
        )
    assert mismatch.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        ({"client_id": "app-1", "client_secret": "wrong"}, 401, {}),
        ({"client_id": "nobody", "client_secret": "s3cret"}, 401, {}),
        (
            {"client_id": "app-1", "client_secret": "s3cret", "ttl": 86401},
            422,
            {"ttl": ["must be at most 86400"]},
        ),
        (
            {"client_id": "app-1", "client_secret": "s3cret", "scope": "all"},
            422,
            {"scope": ["unknown field"]},
        ),
        ({"client_id": "app-1"}, 422, {"client_secret": ["required"]}),
        (
            {"client_id": "app-1", "client_secret": "s3cret", "install_id": "x"},
            422,
            {"install_id": ["must be a UUID"]},
        ),
    ],
)
async def test_token_request_refusals(app: Starlette, body: object, status: int, errors: object) -> None:
    async with api_client(app, token=None) as client:
        response = await client.post("/auth/get-token", json=body)
    assert response.status_code == status
    assert response.json()["errors"] == errors


async def test_malformed_token_request_is_422(app: Starlette) -> None:
    async with api_client(app, token=None) as client:
        response = await client.post(
            "/auth/get-token", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 422 and response.json()["errors"]["body"][0].startswith("malformed JSON")


async def test_issued_tokens_expire_and_are_shared_by_apps_on_the_file(db: Path) -> None:
    now = [1_000_000.0]
    first = create_app(db, clock=lambda: now[0])
    second = create_app(db, clock=lambda: now[0])
    async with api_client(first, token=None) as client:
        issued = await client.post(
            "/auth/get-token", json={"client_id": "sandbox", "client_secret": "sandbox", "ttl": 10}
        )
    headers = {INSTALL_HEADER: SANDBOX_INSTALL_ID}
    async with api_client(second, token=issued.json()["data"]["token"], **headers) as client:
        valid = await client.get("/product")
        now[0] += 10
        expired = await client.get("/product")
    assert valid.status_code == 200
    assert expired.status_code == 401 and "expired" in expired.json()["message"]


async def test_default_credentials(db: Path) -> None:
    app = create_app(db)
    async with api_client(app) as client:
        assert (await client.get("/product")).status_code == 200
        issued = await client.post(
            "/auth/get-token", json={"client_id": "sandbox", "client_secret": "sandbox"}
        )
    assert issued.status_code == 200
