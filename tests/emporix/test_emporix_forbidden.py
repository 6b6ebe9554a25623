"""A missing scope, as each Emporix service documents its 403 and as shelf explains it.

The sandbox answers the 403 body each vendor file gives (most name no scope); ``engine.http`` keeps a
body's ``details``; the provider names the scope when the body holds it and otherwise the operation and
the scopes the vendor file lists for it. The table of those scopes is checked against the vendor files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from engine.errors import AuthError
from engine.http import BearerAuth, HttpClient
from engine.platforms.emporix.api import EmporixApi
from engine.platforms.emporix.scopes import OPERATIONS, operation_of
from engine.secrets import Secret

from emporix_sandbox_support import ASSETS, CATEGORIES, COUPONS, PRICES, PRODUCTS, client, scoped_app

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "platforms" / "emporix" / "openapi"
FILES = {
    "product": "product-service",
    "category": "category-tree",
    "price": "price-service",
    "media": "media",
    "coupon": "coupon",
    "schema": "schema",
    "availability": "availability",
}


@functools.cache
def _spec(service: str) -> dict[str, Any]:
    path = SPECS / f"{FILES[service]}.api.yml"
    assert path.is_file(), f"the vendor file {path} is missing: ../shared must sit beside the repository"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    result: dict[str, Any] = yaml.load(path.read_text(), Loader=loader)
    return result


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _documented_403(service: str, method: str, template: str) -> list[Any]:
    spec = _spec(service)
    op = spec["paths"][template][method.lower()]
    response = _resolve(spec, op["responses"]["403"])
    examples = response["content"]["application/json"].get("examples") or {}
    return [_resolve(spec, example)["value"] for example in examples.values()]


def _without(scopes: list[str]) -> list[str]:
    from engine.sandbox.emporix.app import SCOPES

    return [s for s in SCOPES if s not in scopes]


@pytest.mark.parametrize(
    ("service", "method", "path", "template", "missing"),
    [
        ("product", "POST", PRODUCTS, "/product/{tenant}/products", "product.product_manage"),
        ("price", "POST", PRICES, "/price/{tenant}/prices", "price.price_manage"),
        ("coupon", "POST", COUPONS, "/coupon/{tenant}/coupons", "coupon.coupon_manage"),
        ("category", "POST", CATEGORIES, "/category/{tenant}/categories", "category.category_manage"),
        ("media", "GET", ASSETS, "/media/{tenant}/assets", "media.asset_"),
        ("schema", "POST", "/schema/acme/schemas", "/schema/{tenant}/schemas", "schema.schema_manage"),
        (
            "availability",
            "GET",
            "/availability/acme/availability/site/main",
            "/availability/{tenant}/availability/site/{site}",
            "availability.availability_view",
        ),
    ],
)
async def test_the_sandbox_answers_each_services_documented_403(
    tmp_path: Path, service: str, method: str, path: str, template: str, missing: str
) -> None:
    app = scoped_app(tmp_path / "shop.sqlite", [s for s in _without([]) if not s.startswith(missing)])
    async with client(app, token="limited") as c:
        answer = await c.request(method, path, json={})
    assert answer.status_code == 403
    body = answer.json()
    documented = _documented_403(service, method, template)
    if service == "category":
        assert body == {**documented[0], "details": [f"Required scope(s): {missing}"]}
    elif service == "schema":
        assert body == {**documented[0], "details": [{"message": f"Required scope(s): {missing}"}]}
    elif service == "media":
        assert body == {**documented[0], "status": "Forbidden"}
    elif service == "coupon":
        assert body["type"] == "insufficient_permissions" and body["status"] == 403
        assert "scope" not in str(body)
    else:
        assert body in documented


async def test_details_of_a_403_are_kept_in_the_error() -> None:
    body = {"code": 403, "status": "Forbidden", "message": "You need a scope.", "details": ["Required: x"]}
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json=body))
    http = HttpClient("http://shop", transport=transport, where="shop")
    with pytest.raises(AuthError) as caught:
        await http.request("GET", "/things")
    assert "You need a scope. [Required: x]" in caught.value.message
    await http.aclose()


async def _refused(tmp_path: Path, scopes: list[str], method: str, path: str) -> AuthError:
    app = scoped_app(tmp_path / "shop.sqlite", scopes)
    transport = httpx.ASGITransport(app=app)
    http = HttpClient(
        "http://emporix.test", auth=BearerAuth(Secret("limited")), transport=transport, where="shop"
    )
    api = EmporixApi(http, "acme")
    try:
        with pytest.raises(AuthError) as caught:
            await api.call(method, api.path(*path.split("/", 1)), body={"localizedName": {"en": "A"}})
    finally:
        await http.aclose()
    return caught.value


async def test_a_scope_named_in_the_answer_is_named_in_the_error(tmp_path: Path) -> None:
    error = await _refused(tmp_path, _without(["category.category_manage"]), "PUT", "category/categories/c1")
    assert "PUT /category/acme/categories/c1: the credentials lack the scope category.category_manage" in (
        error.message
    )
    assert error.hint and "add category.category_manage to the scopes" in error.hint


async def test_without_a_scope_in_the_answer_the_operation_and_its_listed_scopes_are_named(
    tmp_path: Path,
) -> None:
    error = await _refused(tmp_path, _without(["product.product_manage"]), "DELETE", "product/products/p1")
    assert error.message == (
        "DELETE /product/acme/products/p1 (Deleting a product): the credentials lack a scope this operation"
        " needs (403: The access to the requested resource has been forbidden by the server.); Emporix's"
        " reference lists product.product_manage for it"
    )
    assert error.hint and "(product.product_manage)" in error.hint


def test_the_scope_table_matches_the_vendor_files() -> None:
    for op in OPERATIONS:
        service = op.template.strip("/").split("/")[0]
        spec = _spec(service)
        documented = spec["paths"][op.template][op.method.lower()]
        listed = {
            s
            for need in documented.get("security") or spec.get("security") or []
            for v in need.values()
            for s in v
        }
        text = str(documented.get("description") or "")
        schemes = spec["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]["scopes"]
        vendor_only = all("by_vendor" in s or "by vendor" in s for s in listed)
        for scope in op.scopes:
            assert scope in listed or f"`{scope}`" in text or (vendor_only and scope in schemes), (op, scope)
        own = {s for s in listed if "_by_vendor" not in s and "by vendor" not in s}
        if not any(s.endswith("_read_unpublished") or s == "coupon.coupon_redeem_on_behalf" for s in own):
            assert own <= set(op.scopes), (op, own)
        assert documented.get("summary") == op.summary


def test_a_concrete_path_finds_its_most_specific_operation() -> None:
    bulk = operation_of("PUT", "/product/acme/products/bulk")
    assert bulk is not None and bulk.summary == "Upserting multiple products"
    one = operation_of("PUT", "/product/acme/products/p1")
    assert one is not None and one.summary == "Upserting a product"
    assert operation_of("PATCH", "/product/acme/products/p1") is None


def test_without_the_vendor_files_the_spec_checks_fail_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import test_sandbox_emporix_spec as spec

    monkeypatch.setattr(spec, "SPECS", Path("no-such-folder") / "openapi")
    with pytest.raises(pytest.fail.Exception, match="the vendor's OpenAPI files are not at"):
        spec._apis()
