"""Every request shelf sends to the Emporix sandbox, and every answer the sandbox gives, validated against
the vendor's OpenAPI files in ``../shared/platforms/emporix/openapi/``: while applying the demo catalog,
and through a sequence of updates and deletions after it (alt texts, image order, prices, titles, a
removed variant, a pruned product with variants, categories and a category-restricted coupon added,
changed and deleted, a shop-made image that loses its product).

The vendor files get the repairs that ``test_sandbox_emporix_spec`` documents and applies (this test
imports them from there). The requests are recorded by a transport wrapped around the in-process
sandbox, which the real CLI uses as it would the network.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_sandbox_emporix_spec import SPECS, _apis, _explain, _request, _response

import engine.platforms as platforms

from emporix_e2e_support import TENANT, call, db_of
from emporix_sandbox_support import PNG
from support import shelf

pytestmark = pytest.mark.skipif(not SPECS.is_dir(), reason=f"the vendor's OpenAPI files are not at {SPECS}")

SERVICES = {"oauth", "product", "category", "price", "media", "coupon"}


class Recorder(httpx.AsyncBaseTransport):
    """Passes every exchange through to ``inner`` and keeps a copy of both sides."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        copy = httpx.Response(response.status_code, headers=response.headers, content=body, request=request)
        self.exchanges.append((request, copy))
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def apis() -> dict[str, Any]:
    return _apis()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Recorder]:
    made: list[Recorder] = []
    original = platforms.sandbox_transport

    def recording(platform: str, db_path: Path, **options: Any) -> httpx.AsyncBaseTransport:
        recorder = Recorder(original(platform, db_path, **options))
        made.append(recorder)
        return recorder

    monkeypatch.setattr(platforms, "sandbox_transport", recording)
    return made


EMPORIX_TARGET = (
    "recipes: [recipes]\n"
    "default_target: emporix\n"
    "targets:\n"
    "  emporix:\n"
    "    platform: emporix\n"
    "    sandbox: true\n"
    "    languages: [en, de]\n"
)


def _checked(recorded: list[Recorder], apis: dict[str, Any]) -> tuple[list[str], dict[str, int]]:
    """Validate every exchange recorded so far (then forget them): the problems, and the count of checked
    requests by method and service."""
    problems: list[str] = []
    checked: dict[str, int] = {}
    for recorder in recorded:
        for request, response in recorder.exchanges:
            service = request.url.path.strip("/").split("/", 1)[0]
            if service not in SERVICES:
                continue
            where = f"{request.method} {request.url.path} -> {response.status_code}"
            api = apis[service]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for kind, check in (
                    ("request", lambda a=api, r=request: a.validate_request(_request(r))),
                    (
                        "answer",
                        lambda a=api, r=request, o=response: a.validate_response(_request(r), _response(o)),
                    ),
                ):
                    try:
                        check()
                    except Exception as exc:
                        problems.append(f"{where}: the {kind} does not match the reference: {_explain(exc)}")
            key = f"{request.method} {service}" + (
                " download" if request.url.path.endswith("/download") else ""
            )
            checked[key] = checked.get(key, 0) + 1
        recorder.exchanges.clear()
    return problems, checked


def _apply() -> str:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "0 failed" in applied.stderr, applied.output
    return applied.stderr


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_every_request_and_answer_of_a_demo_apply_matches_the_vendor_reference(
    repo: Path, recorded: list[Recorder], apis: dict[str, Any]
) -> None:
    (repo / "shelf.yaml").write_text(EMPORIX_TARGET)
    _apply()
    problems, checked = _checked(recorded, apis)
    assert problems == []
    for expected in (
        "POST oauth",
        "GET product",
        "PUT product",
        "POST product",
        "PUT category",
        "GET price",
        "PUT price",
        "POST media",
        "GET coupon",
    ):
        assert checked.get(expected), f"no {expected} request was checked: {sorted(checked)}"


SALE = (
    "promotions:\n"
    "  - key: outlet-sale\n"
    "    title: Outlet sale\n"
    "    discount: {percent: 20}\n"
    "    categories: [outlet]\n"
    "    code: OUTLET\n"
)
OUTLET = "  - key: outlet\n    name: Outlet\n    parent: apparel\n"


def test_updates_and_deletions_after_the_demo_match_the_vendor_reference(
    repo: Path, recorded: list[Recorder], apis: dict[str, Any]
) -> None:
    (repo / "shelf.yaml").write_text(EMPORIX_TARGET + "    prune: [products, categories, promotions]\n")
    recipes = repo / "recipes"
    apparel, home, categories = recipes / "apparel.yaml", recipes / "home.yaml", recipes / "categories.yaml"
    _apply()

    _replace(apparel, "alt: The Classic Tee in white}", "alt: The Classic Tee in white from the front}")
    _replace(
        home,
        "      - images/stoneware-mug/front.png\n"
        "      - {file: images/stoneware-mug/glaze.png, alt: The hand-applied glaze up close}",
        "      - {file: images/stoneware-mug/glaze.png, alt: The hand-applied glaze up close}\n"
        "      - images/stoneware-mug/front.png",
    )
    _replace(
        apparel,
        '      sku: "VNECK-{{ Size }}"\n      price: 22.00',
        '      sku: "VNECK-{{ Size }}"\n      price: 23.00',
    )
    _replace(apparel, "title: Zip Hoodie", "title: Zip Hoodie Classic")
    _replace(
        apparel,
        "      Size: [S, M, L]\n      Color: [Black, White]",
        "      Size: [S, L]\n      Color: [Black, White]",
    )
    categories.write_text(categories.read_text() + OUTLET)
    (recipes / "sale.yaml").write_text(SALE)
    planned = shelf("plan").stderr
    assert (
        "^ upload image.classic-tee/white.png" in planned
        and "^ upload image.stoneware-mug/front.png" in planned
    )
    _apply()

    _replace(categories, "    name: Outlet\n", "    name: {en: Outlet, de: Restposten}\n")
    _replace(recipes / "sale.yaml", "{percent: 20}", "{percent: 30}")
    text = apparel.read_text()
    apparel.write_text(
        text.replace(text[text.index("  - key: classic-tee") : text.index("  - key: v-neck-tee")], "")
    )
    shop_made = {
        "type": "BLOB",
        "access": "PUBLIC",
        "refIds": [{"id": "classic-tee", "type": "PRODUCT"}, {"id": "apparel", "type": "CATEGORY"}],
    }
    made = call(
        db_of(repo),
        "POST",
        f"/media/{TENANT}/assets",
        files={
            "file": ("lookbook.png", PNG, "image/png"),
            "body": (None, json.dumps(shop_made), "application/json"),
        },
    )
    assert made.status_code == 201, made.text
    planned = shelf("plan").stderr
    assert "- product.classic-tee (delete)" in planned
    assert "product.classic-tee: if the product is deleted, http://sandbox/_sandbox/media/" in planned
    _apply()
    kept = call(db_of(repo), "GET", f"/media/{TENANT}/assets/{made.json()['id']}").json()
    assert kept["refIds"] == [{"id": "apparel", "type": "CATEGORY"}] and kept["details"]["bytes"] == len(PNG)

    categories.write_text(
        categories.read_text().replace(OUTLET.replace("Outlet", "{en: Outlet, de: Restposten}"), "")
    )
    (recipes / "sale.yaml").unlink()
    _apply()
    assert shelf("plan", "--detailed-exitcode").exit_code == 0

    problems, checked = _checked(recorded, apis)
    assert problems == []
    for expected in (
        "PUT media",
        "GET media",
        "GET media download",
        "DELETE media",
        "PUT product",
        "DELETE product",
        "PUT price",
        "DELETE price",
        "PUT category",
        "DELETE category",
        "POST coupon",
        "PUT coupon",
        "DELETE coupon",
    ):
        assert checked.get(expected), f"no {expected} request was checked: {sorted(checked)}"
