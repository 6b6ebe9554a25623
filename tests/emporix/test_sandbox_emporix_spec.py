"""The Emporix sandbox against the vendor's own OpenAPI files: every endpoint it serves is called with a
representative request, and both the request and the sandbox's answer are validated by openapi-core
against the service's reference in ``../shared/platforms/emporix/openapi/``.

The vendor files are read as they are, with these repairs applied before validation, because openapi-core
(like any JSON Schema validator) cannot pass them otherwise:

* ``additionalProperties: false`` is dropped everywhere: the product reference combines it with
  ``allOf`` (``basicProduct`` is ``additionalProperties: false`` plus ``allOf: [productCore, ...]``),
  which in JSON Schema refuses every property, and its metadata schemas of reads and writes contradict
  each other under ``allOf``. The sandbox's own schemas refuse unknown fields; its tests check that.
* ``oneOf`` becomes ``anyOf``: the product alternatives overlap (a BASIC product also satisfies the
  VARIANT and DYNAMIC_VARIANT schemas, which require only ``name`` and ``code``), so a ``oneOf`` can
  never pass for them.

* ``allOf`` members that only say ``type``/``description`` are dropped: the template reference wraps
  the ``values`` array in ``allOf: [values, {type: object, description: ...}]``, which no value passes;
* a ``format: binary`` property is a ``string``: the media reference types the ``file`` part as an
  ``object`` with ``format: binary``, which makes a validator read the uploaded bytes as JSON; and the
  download's ``format: byte`` (base64 text) is read as the raw file it is;
* multipart parts typed by a schema (the media ``body`` part) are declared JSON (``encoding``), as the
  tutorial sends them, since a part without a content type is read as bytes;
* a list whose items are a list schema (the category list's ``items: CategoryList``, itself an array)
  is read as that list, as the schema's own example shows;
* ``204`` answers lose the ``content`` that the category reference gives them: a 204 has no body;
* path parameters that an operation uses but nobody declares (the price reference's ``{priceId}`` on
  ``GET`` and ``PUT``) are declared as required strings, which openapi-core's spec check insists on.

The gateway's OAuth2 security is checked by the sandbox's own tests (openapi-core cannot check OAuth2
schemes). Requests whose answer the reference does not document are not sent here.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.routing import Route
from werkzeug.datastructures import Headers, ImmutableMultiDict

from emporix_sandbox_support import (
    ASSETS,
    CATEGORIES,
    COUPONS,
    FULL,
    MODELS,
    PNG,
    PRICES,
    PRODUCTS,
    TEMPLATES,
    client,
    make_app,
    template_body,
)

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "platforms" / "emporix" / "openapi"


def require_specs() -> None:
    """Fail, never skip, without the vendor files: CI always has ``../shared`` beside the repository."""
    if not SPECS.is_dir():
        pytest.fail(
            f"the vendor's OpenAPI files are not at {SPECS}: check out ../shared beside the repository",
            pytrace=False,
        )


ANNOTATION_KEYS = {"type", "description", "title"}


def relaxed(node: Any) -> Any:
    """The vendor schema with the relaxations of the module docstring."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "additionalProperties" and value is False:
                continue
            if key == "allOf":
                value = [v for v in value if not (isinstance(v, dict) and set(v) <= ANNOTATION_KEYS)] or value
            if node.get("format") in ("binary", "byte") and key == "type":
                value = "string"
            if key == "format" and value == "byte":
                value = "binary"
            if key == "204" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k != "content"}
            out["anyOf" if key == "oneOf" else key] = relaxed(value)
        return out
    if isinstance(node, list):
        return [relaxed(item) for item in node]
    return node


def _schema(spec: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        return spec["components"]["schemas"].get(node["$ref"].rsplit("/", 1)[-1], {})
    return node


def _unnested(spec: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict):
        items = node.get("items")
        nested = isinstance(items, dict) and "$ref" in items and _schema(spec, items).get("type") == "array"
        if node.get("type") == "array" and nested:
            return items
        return {k: _unnested(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unnested(spec, v) for v in node]
    return node


def _encode_parts(spec: dict[str, Any]) -> None:
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            media = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if media is None:
                continue
            properties = _schema(spec, media.get("schema", {})).get("properties", {})
            media["encoding"] = {
                name: {"contentType": "application/json"}
                for name, prop in properties.items()
                if prop.get("format") != "binary"
            }


def declared(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` repaired as the module docstring says: path parameters declared, lists of lists
    unnested, multipart JSON parts declared."""
    import re

    spec = _unnested(spec, spec)
    _encode_parts(spec)
    components = spec.get("components", {}).get("parameters", {})

    def path_names(parameters: list[dict[str, Any]]) -> set[str]:
        resolved = [
            components.get(p["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in p else p for p in parameters
        ]
        return {p.get("name", "") for p in resolved if p.get("in") == "path"}

    for template, item in spec.get("paths", {}).items():
        names = re.findall(r"{([^}]+)}", template)
        shared = path_names(item.get("parameters", []))
        for method, operation in item.items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            own = path_names(operation.get("parameters", []))
            missing = [n for n in names if n not in shared | own]
            operation.setdefault("parameters", []).extend(
                {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in missing
            )
    return spec


@dataclass
class SpecRequest:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: Any


@dataclass
class SpecResponse:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes


def _request(request: httpx.Request) -> SpecRequest:
    from openapi_core.datatypes import RequestParameters

    parameters = RequestParameters(
        query=ImmutableMultiDict(list(request.url.params.multi_items())),
        header=Headers(list(request.headers.items())),
        cookie=ImmutableMultiDict(),
        path={},
    )
    body = request.content or None
    return SpecRequest(
        "https://api.emporix.io",
        request.url.path,
        request.method.lower(),
        body,
        request.headers.get("content-type", ""),
        parameters,
    )


def _response(response: httpx.Response) -> SpecResponse:
    content_type = response.headers.get("content-type", "")
    return SpecResponse(
        response.status_code, content_type, Headers(list(response.headers.items())), response.content
    )


def _text(exc: BaseException) -> str:
    errors = getattr(exc, "schema_errors", None)
    if errors:
        return str([e.message for e in errors])
    try:
        return str(exc)
    except Exception:
        return repr(getattr(exc, "args", ()))


def _explain(exc: BaseException) -> str:
    parts = []
    cause: BaseException | None = exc
    while cause is not None:
        parts.append(f"{type(cause).__name__}: {_text(cause)}")
        cause = cause.__cause__
    return " <- ".join(parts)[:1500]


@dataclass
class Checker:
    """Sends requests and validates them and their answers against the service references."""

    c: httpx.AsyncClient
    apis: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    async def __call__(
        self, service: str, method: str, url: str, status: int, *, valid: bool = True, **kw: Any
    ) -> httpx.Response:
        """Send; check the answer's status, the request (unless it is meant to be ``valid=False``) and the
        answer against the reference."""
        request = self.c.build_request(method, url, **kw)
        request.read()
        response = await self.c.send(request)
        where = f"{method} {url} -> {response.status_code}"
        if response.status_code != status:
            self.problems.append(f"{where}: expected {status}: {response.text[:300]}")
            return response
        api = self.apis[service]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            checks = [("response", lambda: api.validate_response(_request(request), _response(response)))]
            if valid:
                checks.append(("request", lambda: api.validate_request(_request(request))))
            for kind, check in checks:
                try:
                    check()
                except Exception as exc:
                    self.problems.append(f"{where}: {kind} does not match the reference: {_explain(exc)}")
        return response


def _apis() -> dict[str, Any]:
    from openapi_core import OpenAPI

    require_specs()
    files = {
        "oauth": "oauth-service.api.yml",
        "product": "product-service.api.yml",
        "category": "category-tree.api.yml",
        "price": "price-service.api.yml",
        "media": "media.api.yml",
        "coupon": "coupon.api.yml",
        "schema": "schema.api.yml",
        "availability": "availability.api.yml",
    }
    return {
        name: OpenAPI.from_dict(declared(relaxed(yaml.safe_load((SPECS / file).read_text()))))
        for name, file in files.items()
    }


@pytest.fixture(scope="module")
def apis() -> Iterator[dict[str, Any]]:
    yield _apis()


def _product(product_id: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"id": product_id, "code": code, "name": {"en": code.title()}, "published": True, **extra}


async def _scenario(check: Checker) -> None:
    oauth_api = partial(check, "oauth")
    product_api = partial(check, "product")
    category_api = partial(check, "category")
    price_api = partial(check, "price")
    media_api = partial(check, "media")
    coupon_api = partial(check, "coupon")
    star = {"Content-Language": "*"}
    await oauth_api(
        "POST",
        "/oauth/token",
        200,
        data={"grant_type": "client_credentials", "client_id": "sandbox", "client_secret": "sandbox"},
    )

    template = (await product_api("POST", TEMPLATES, 201, json=template_body())).json()["id"]
    spare = (await product_api("POST", TEMPLATES, 201, json=template_body(id="spare"))).json()["id"]
    await product_api("GET", TEMPLATES, 200, headers={"X-Total-Count": "true"})
    await product_api("PUT", f"{TEMPLATES}/{template}", 204, json=template_body(metadata={"version": 1}))
    await product_api("GET", f"{TEMPLATES}/{template}", 200, params={"version": "1"})
    await product_api("DELETE", f"{TEMPLATES}/{spare}", 204)

    await product_api(
        "POST", PRODUCTS, 201, json=_product("mug", "MUG", description={"en": "Big"}), headers=star
    )
    await product_api("POST", PRODUCTS, 409, json=_product("cup", "MUG"), headers=star)
    await product_api("POST", PRODUCTS, 400, json={"name": "No code"}, valid=False)
    parent = _product(
        "tee",
        "TEE",
        productType="PARENT_VARIANT",
        template={"id": template, "version": "2"},
        variantAttributes={"size": [{"key": "S"}], "color": [{"key": "RED"}, {"key": "BLUE"}]},
    )
    await product_api("POST", PRODUCTS, 201, json=parent, headers=star)
    await product_api("GET", PRODUCTS, 200, headers={"X-Total-Count": "true", "Accept-Language": "*"})
    await product_api("GET", PRODUCTS, 401, headers={"Authorization": "Bearer expired"})
    variant = (await product_api("GET", PRODUCTS, 200, params={"q": "productType:VARIANT"})).json()[0]["id"]
    await product_api("GET", f"{PRODUCTS}/{variant}", 200, params={"expand": "parentVariant"})
    await product_api("GET", f"{PRODUCTS}/tee", 200, params={"expand": "template"})
    await product_api("GET", f"{PRODUCTS}/ghost", 404)
    await product_api("PUT", f"{PRODUCTS}/cup", 201, json=_product("cup", "CUP"), headers=star)
    cup_v1 = _product("cup", "CUP", metadata={"version": 1})
    await product_api("PUT", f"{PRODUCTS}/cup", 204, json=cup_v1, headers=star)
    await product_api("PUT", f"{PRODUCTS}/cup", 409, json=cup_v1, headers=star)
    await product_api("PATCH", f"{PRODUCTS}/cup", 204, json={"description": {"en": "Small"}}, headers=star)
    bulk = [_product("b1", "B1"), _product("b2", "B2")]
    await product_api("POST", f"{PRODUCTS}/bulk", 207, json=bulk, headers=star)
    await product_api("PUT", f"{PRODUCTS}/bulk", 207, json=bulk, headers=star)
    await product_api("DELETE", f"{PRODUCTS}/b2", 204)

    shoes_body = {"localizedName": {"en": "Shoes"}, "published": True, "code": "shoes"}
    publish = {"publish": "true"}
    shoes = (await category_api("POST", CATEGORIES, 201, json=shoes_body, params=publish)).json()["id"]
    await category_api(
        "POST", CATEGORIES, 409, json={**shoes_body, "localizedName": {"en": "S"}}, params=publish
    )
    await category_api("POST", CATEGORIES, 400, json={"localizedName": {"en": "S"}}, valid=False)
    boots = {"localizedName": {"en": "Boots"}, "published": True, "parentId": shoes}
    await category_api("PUT", f"{CATEGORIES}/boots", 201, json=boots, params=publish)
    await category_api(
        "PUT", f"{CATEGORIES}/boots", 204, json={**boots, "metadata": {"version": 0}}, params=publish
    )
    slug = {"localizedSlug": {"en": "boots"}, "metadata": {"version": 1}}
    await category_api("PATCH", f"{CATEGORIES}/boots", 204, json=slug)
    await category_api("GET", CATEGORIES, 200, headers={"X-Total-Count": "true"})
    await category_api("GET", f"{CATEGORIES}/boots", 200)
    await category_api("GET", f"{CATEGORIES}/ghost", 404)
    await category_api("PUT", f"{CATEGORIES}/boots/assignments/references/mug", 201)
    await category_api("PUT", f"{CATEGORIES}/boots/assignments/references/mug", 204)
    bulk = await category_api(
        "PUT",
        f"{CATEGORIES}/boots/assignments/references/bulk",
        207,
        json=[{"ref": {"id": "mug"}}, {"ref": {"id": "cup"}}, {"ref": {"id": "ghost"}}],
    )
    assert [r["code"] for r in bulk.json()] == [204, 201, 400]
    await category_api("PUT", f"{CATEGORIES}/boots/assignments/references/bulk", 400, json=[], valid=False)
    await category_api("DELETE", f"{CATEGORIES}/boots/assignments/references/cup", 204)
    await category_api(
        "POST",
        f"{CATEGORIES}/{shoes}/assignments",
        201,
        json={"ref": {"id": "cup", "type": "PRODUCT"}},
    )
    await category_api("GET", f"{CATEGORIES}/{shoes}/assignments", 200, params={"withSubcategories": "true"})
    await category_api(
        "GET",
        "/category/acme/assignments/references/mug",
        200,
        params={"expandSupercategoriesIds": "true"},
    )
    await category_api("DELETE", f"{CATEGORIES}/boots/assignments/references/mug", 204)
    await category_api("DELETE", "/category/acme/assignments/references/cup", 204)
    await category_api("DELETE", f"{CATEGORIES}/boots", 204)

    model = {
        "includesTax": True,
        "name": "Per piece",
        "tierDefinition": {
            "tierType": "BASIC",
            "tiers": [{"minQuantity": {"quantity": 0, "unitCode": "pc"}}],
        },
        "measurementUnit": {"quantity": 1, "unitCode": "pc"},
    }
    model_id = (await price_api("POST", MODELS, 201, json=model)).json()["id"]
    await price_api("GET", MODELS, 200, headers={"X-Total-Count": "true"})
    await price_api("GET", f"{MODELS}/{model_id}", 200)
    await price_api("PUT", f"{MODELS}/{model_id}", 204, json={**model, "name": "Piece"})
    await price_api("PUT", f"{MODELS}/other", 201, json=model)
    await price_api("DELETE", f"{MODELS}/other", 204)
    price = {
        "itemId": {"itemType": "PRODUCT", "id": "mug"},
        "currency": "EUR",
        "location": {"countryCode": "DE"},
        "tierValues": [{"priceValue": 25.5}],
        "restrictions": {"siteCodes": ["main"]},
    }
    price_id = (await price_api("POST", PRICES, 201, json=price)).json()["id"]
    await price_api("POST", PRICES, 400, json={**price, "currency": "euro"}, valid=False)
    await price_api("GET", PRICES, 200, params={"itemId": "mug"}, headers={"X-Total-Count": "true"})
    await price_api("GET", f"{PRICES}/{price_id}", 200, params={"extendWithPriceModel": "true"})
    await price_api("GET", f"{PRICES}/ghost", 404)
    await price_api(
        "PUT",
        f"{PRICES}/{price_id}",
        204,
        params={"partial": "true"},
        json={"tierValues": [{"priceValue": 20}]},
    )
    await price_api("PUT", f"{PRICES}/p2", 201, params={"partial": "false"}, json=price)
    await price_api("POST", f"{PRICES}/bulk", 207, json=[price, {**price, "currency": "USD"}])
    await price_api("PUT", f"{PRICES}/bulk", 207, json=[{**price, "id": "p2"}, {**price, "id": "p3"}])
    await price_api("DELETE", f"{PRICES}/p3", 204)

    link = {
        "type": "LINK",
        "access": "PUBLIC",
        "url": "https://cdn.example.com/side.jpg",
        "refIds": [{"id": "mug", "type": "PRODUCT"}],
    }
    await media_api("POST", ASSETS, 201, json={**link, "id": "side"})
    body = {
        "type": "BLOB",
        "access": "PUBLIC",
        "refIds": [{"id": "mug", "type": "PRODUCT"}],
        "details": {"filename": "front.png", "mimeType": "image/png"},
    }
    files = {"file": ("front.png", PNG, "image/png"), "body": (None, json.dumps(body), "application/json")}
    blob = (await media_api("POST", ASSETS, 201, files=files)).json()["id"]
    private = {"type": "BLOB", "access": "PRIVATE"}
    secret = (
        await media_api(
            "POST",
            ASSETS,
            201,
            files={
                "file": ("c.pdf", b"%PDF", "application/pdf"),
                "body": (None, json.dumps(private), "application/json"),
            },
        )
    ).json()["id"]
    await media_api("GET", ASSETS, 200, params={"q": "refIds.id:mug"}, headers={"X-Total-Count": "true"})
    await media_api("GET", f"{ASSETS}/{blob}", 200)
    await media_api("GET", f"{ASSETS}/side", 200)
    await media_api("GET", f"{ASSETS}/ghost", 404)
    await media_api("PUT", f"{ASSETS}/side", 204, json={**link, "metadata": {"version": 1}})
    update = {"body": (None, json.dumps({**body, "metadata": {"version": 1}}), "application/json")}
    await media_api("PUT", f"{ASSETS}/{blob}", 400, valid=False, files=update)
    await media_api("PUT", f"{ASSETS}/{blob}", 204, files={**update, "file": ("front.png", PNG, "image/png")})
    await media_api("GET", f"{ASSETS}/{blob}/download", 301)
    await media_api("GET", f"{ASSETS}/{secret}/download", 200)
    await media_api("DELETE", f"{ASSETS}/side", 204)

    coupon = {"code": "BF20", "name": "Black Friday", "discountType": "PERCENT", "discountPercentage": 20}
    await coupon_api("POST", COUPONS, 201, json=coupon)
    await coupon_api("POST", COUPONS, 409, json=coupon)
    await coupon_api(
        "POST", COUPONS, 400, json={**coupon, "code": "X", "discountPercentage": 200}, valid=False
    )
    await coupon_api("GET", COUPONS, 200, params={"totalCount": "true"})
    await coupon_api("GET", f"{COUPONS}/BF20", 200)
    await coupon_api("GET", f"{COUPONS}/GHOST", 404)
    await coupon_api(
        "PUT",
        f"{COUPONS}/BF20",
        200,
        params={"partial": "false"},
        json={k: v for k, v in coupon.items() if k != "code"},
    )
    await coupon_api("PATCH", f"{COUPONS}/BF20", 200, json={"description": "Once a year"})
    await coupon_api("DELETE", f"{COUPONS}/BF20", 204)

    await product_api("DELETE", f"{PRODUCTS}/tee", 204, params={"force": "true"})

    schema_api = partial(check, "schema")
    schemas = "/schema/acme/schemas"
    attribute = {"key": "sku", "name": {"en": "SKU"}, "type": "TEXT", "metadata": {"localized": False}}
    schema = {"name": {"en": "Shelf"}, "types": ["PRODUCT"], "attributes": [attribute]}
    await schema_api("POST", schemas, 201, json={**schema, "id": "shelf-product"}, headers=star)
    await schema_api("POST", schemas, 409, json={**schema, "id": "shelf-product"})
    await schema_api("POST", schemas, 400, json={"name": {"en": "No types"}}, valid=False)
    await schema_api("GET", schemas, 200, params={"type": "PRODUCT"}, headers={"X-Total-Count": "true"})
    await schema_api("PUT", f"{schemas}/shelf-product", 204, json={**schema, "metadata": {"version": 1}})
    await schema_api("PUT", f"{schemas}/shelf-product", 409, json={**schema, "metadata": {"version": 1}})
    await schema_api("GET", f"{schemas}/shelf-product", 200, params={"version": "1"})
    await schema_api("GET", f"{schemas}/ghost", 404)

    availability_api = partial(check, "availability")
    stock = "/availability/acme/availability"
    await availability_api("PUT", f"{stock}/mug/main", 201, json={"stockLevel": 10, "available": True})
    await availability_api("PUT", f"{stock}/mug/main", 204, json={"stockLevel": 8})
    await availability_api("PUT", f"{stock}/ghost/main", 404, json={"stockLevel": 8})
    bulk_stock = [
        {"productId": "cup", "site": "main", "stockLevel": 3},
        {"productId": "ghost", "site": "main"},
    ]
    await availability_api("PUT", f"{stock}/bulk", 207, json=bulk_stock)
    await availability_api("GET", f"{stock}/site/main", 200, params={"pageSize": "100", "pageNumber": "1"})
    await availability_api("POST", f"{stock}/search", 200, params={"site": "main"}, json=["mug", "cup"])
    await availability_api("DELETE", f"{stock}/cup/main", 204)


async def test_every_endpoint_matches_the_vendor_reference(tmp_path: Path, apis: dict[str, Any]) -> None:
    app = make_app(tmp_path / "shop.sqlite")
    served = {r.name for r in app.routes if isinstance(r, Route) and not r.path.startswith("/_sandbox")}
    async with client(app, token=FULL) as c:
        check = Checker(c, apis)
        await _scenario(check)
        called = set((await c.get("/_sandbox/stats")).json()["requests"])
    assert check.problems == []
    assert served - called == set(), "endpoints the scenario does not exercise"


def test_relaxation_only_loosens() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "oneOf": [{"$ref": "#/a"}],
        "properties": {"x": {"additionalProperties": True}},
    }
    assert relaxed(schema) == {
        "type": "object",
        "anyOf": [{"$ref": "#/a"}],
        "properties": {"x": {"additionalProperties": True}},
    }


def test_the_reference_requires_the_file_part_of_a_blob_update(apis: dict[str, Any]) -> None:
    body = {"type": "BLOB", "access": "PUBLIC", "metadata": {"version": 1}}
    parts: dict[str, Any] = {"body": (None, json.dumps(body), "application/json")}
    body_only = httpx.Request("PUT", f"https://api.emporix.io{ASSETS}/a1", files=parts)
    with_file = httpx.Request(
        "PUT", f"https://api.emporix.io{ASSETS}/a1", files={**parts, "file": ("a.png", PNG, "image/png")}
    )
    for request in (body_only, with_file):
        request.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        apis["media"].validate_request(_request(with_file))
        with pytest.raises(Exception, match="'file' is a required property"):
            apis["media"].validate_request(_request(body_only))
