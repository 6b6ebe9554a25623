"""The Emporix provider through the core's plan and apply, against the sandbox in-process over HTTP
semantics (``httpx.ASGITransport``): tokens, scopes, reads by id, bulk batches and optimistic locking."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.config import load_config
from engine.core import Session, apply_plan, open_session, read_and_plan
from engine.errors import AuthError
from engine.platforms.base import AddressSet
from engine.platforms.emporix.provider import EmporixProvider
from engine.sandbox.emporix.app import SCOPES, create_app

from emporix_e2e_support import TENANT, write_config

FULL = {"sandbox": ("sandbox", None)}


def _app(repo: Path, clients: dict[str, tuple[str, Collection[str] | None]] | None = None) -> Any:
    return create_app(repo / "shop.sqlite", clients=clients or FULL, tokens={"observer": None})


@asynccontextmanager
async def _session(repo: Path, app: Any) -> AsyncIterator[Session]:
    config = load_config(None, repo)
    async with open_session(config, "emporix", transport=httpx.ASGITransport(app=app)) as session:
        yield session


async def _control(app: Any, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": "Bearer observer", **kwargs.pop("headers", {})}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox", headers=headers
    ) as client:
        response = await client.request(method, path, **kwargs)
        return response.json() if response.content else None


async def _apply_all(session: Session) -> None:
    plan, _ = await read_and_plan(session)
    report = await apply_plan(session, plan)
    assert report.ok, (report.failed, report.not_converged)


def _provider(session: Session) -> EmporixProvider:
    assert isinstance(session.provider, EmporixProvider)
    return session.provider


async def test_concurrent_first_requests_share_one_token(repo: Path) -> None:
    write_config(repo)
    app = _app(repo)
    async with _session(repo, app) as session:
        await read_and_plan(session)
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["requests"]["POST /oauth/token"] == 1
    assert stats["requests"]["GET /product/{tenant}/products"] == 1
    assert stats["requests"]["GET /media/{tenant}/assets"] == 1


async def test_an_expired_token_is_fetched_again_once_and_the_requests_replayed(repo: Path) -> None:
    write_config(repo)
    app = _app(repo)
    async with _session(repo, app) as session:
        await read_and_plan(session)
        await _control(app, "POST", "/_sandbox/clock", json={"advance": 20000})
        await _control(app, "POST", "/_sandbox/stats/reset")
        plan, _ = await read_and_plan(session)
    assert plan.changes
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["requests"]["POST /oauth/token"] == 1
    reads = {route: n for route, n in stats["requests"].items() if route.startswith("GET ")}
    assert len(reads) == 7, "products, categories, prices, assets, coupons, mixin schemas and stock"
    assert max(reads.values()) == 2, "a request refused with the expired token is sent again"
    assert min(reads.values()) >= 1


async def test_a_missing_write_scope_fails_the_change_naming_the_scope(repo: Path) -> None:
    write_config(repo)
    (repo / "shelf.yaml").write_text(
        (repo / "shelf.yaml").read_text() + "    client_id: ci\n    client_secret: s3cret-7d1\n"
    )
    app = _app(repo, {"ci": ("s3cret-7d1", [s for s in SCOPES if s != "price.price_manage"])})
    async with _session(repo, app) as session:
        plan, _ = await read_and_plan(session)
        report = await apply_plan(session, plan, verify=False)
    failed = {r.address: r.error or "" for r in report.failed if not r.skipped}
    assert failed
    for error in failed.values():
        assert "): the credentials lack a scope this operation needs (403: The access" in error
        assert "Emporix's reference lists price.price_manage for it" in error
        assert "add the scope it needs (price.price_manage) to the scopes" in error
        assert "s3cret-7d1" not in error


async def test_a_missing_read_scope_is_an_auth_error_before_anything_is_written(repo: Path) -> None:
    write_config(repo)
    (repo / "shelf.yaml").write_text(
        (repo / "shelf.yaml").read_text() + "    client_id: ci\n    client_secret: s3cret-7d1\n"
    )
    app = _app(repo, {"ci": ("s3cret-7d1", [s for s in SCOPES if not s.startswith("media.asset_")])})
    async with _session(repo, app) as session:
        with pytest.raises(AuthError) as caught:
            await read_and_plan(session)
    assert caught.value.exit_code == 1
    rendered = caught.value.render()
    assert "GET /media/sandbox/assets (Retrieving all assets): the credentials lack a scope" in rendered
    assert "[Missing required scopes]" in rendered, "the service's details are kept"
    assert "lists media.asset_manage, media.asset_read for it" in rendered
    assert "add the scope it needs (media.asset_manage, media.asset_read) to the scopes" in rendered
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["writes"] == 0


async def test_known_products_are_read_by_id_and_read_as_a_whole_read_reads_them(repo: Path) -> None:
    write_config(repo)
    app = _app(repo)
    async with _session(repo, app) as session:
        await _apply_all(session)
        provider = _provider(session)
        provider.api.page_size = 5
        whole, _ = await read_and_plan(session)
        assert whole.empty
        everything = await provider.read(session.desired)
        await _control(app, "POST", "/_sandbox/stats/reset")
        wanted = AddressSet(["product.classic-tee", "product.canvas-tote", "product.style-guide"])
        some = await provider.read(session.desired, only=wanted)
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["requests"]["GET /product/{tenant}/products"] == 2
    assert sum(stats["requests"].values()) < 15
    for key in ("classic-tee", "canvas-tote", "style-guide"):
        assert some.catalog.products[key] == everything.catalog.products[key]
        assert some.versions[f"product.{key}"] == everything.versions[f"product.{key}"]
    assert set(some.catalog.products) == {"classic-tee", "canvas-tote", "style-guide"}


async def test_more_than_200_variants_go_in_batches_of_200(repo: Path) -> None:
    write_config(repo)
    sizes = ", ".join(f"'{n}'" for n in range(30, 55))
    (repo / "recipes" / "socks.yaml").write_text(
        "products:\n"
        "  - key: many-socks\n"
        "    title: Many Socks\n"
        f"    options: {{Size: [{sizes}], Color: [A, B, C, D, E, F, G, H, I, J]}}\n"
        "    variant_defaults: {sku: 'MS-{{ Size }}-{{ Color }}', price: 5}\n"
    )
    app = _app(repo)
    async with _session(repo, app) as session:
        plan, _ = await read_and_plan(session, only=["product.many-socks"])
        await _control(app, "POST", "/_sandbox/stats/reset")
        report = await apply_plan(session, plan)
        assert report.ok, (report.failed, report.not_converged)
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["requests"]["PUT /product/{tenant}/products/bulk"] == 2
    assert stats["requests"]["PUT /price/{tenant}/prices/bulk"] == 2
    children = await _control(
        app, "GET", f"/product/{TENANT}/products", params={"q": "parentVariantId:many-socks", "pageSize": 500}
    )
    assert len(children) == 250


async def test_a_write_from_a_stale_read_is_recomputed_from_a_fresh_one(repo: Path) -> None:
    write_config(repo)
    app = _app(repo)
    async with _session(repo, app) as session:
        await _apply_all(session)
    (repo / "recipes" / "home.yaml").write_text(
        (repo / "recipes" / "home.yaml").read_text().replace("title: Soy Candle", "title: Soy Candle Jar")
    )
    async with _session(repo, app) as session:
        plan, _ = await read_and_plan(session)
        assert [c.address for c in plan.changes] == ["product.soy-candle"]
        await _control(
            app,
            "PATCH",
            f"/product/{TENANT}/products/soy-candle",
            json={"taxClasses": {"DE": "STANDARD"}},
        )
        report = await apply_plan(session, plan)
        assert report.ok, (report.failed, report.not_converged)
    candle = await _control(
        app, "GET", f"/product/{TENANT}/products/soy-candle", headers={"Accept-Language": "*"}
    )
    assert candle["name"]["en"] == "Soy Candle Jar"
    assert candle["taxClasses"] == {"DE": "STANDARD"}
    stats = await _control(app, "GET", "/_sandbox/stats")
    assert stats["requests"]["PUT /product/{tenant}/products/{productId}"] >= 2


async def test_a_failed_bulk_item_fails_its_change_naming_the_variant(repo: Path) -> None:
    write_config(repo)
    (repo / "recipes" / "clash.yaml").write_text(
        "products:\n"
        "  - key: clash\n"
        "    title: Clash\n"
        "    category: accessories\n"
        "    options: {Size: [S, M]}\n"
        "    variant_defaults: {sku: 'CLASH-{{ Size }}', price: 5}\n"
        "    variants:\n"
        "      - {Size: M, sku: canvas-tote}\n"
    )
    app = _app(repo)
    async with _session(repo, app) as session:
        plan, _ = await read_and_plan(session)
        report = await apply_plan(session, plan, verify=False)
    [failed] = [r for r in report.failed if not r.skipped]
    assert failed.address == "product.clash"
    assert "variant canvas-tote: 409" in (failed.error or "")


def test_the_provider_is_what_the_registry_makes(repo: Path) -> None:
    write_config(repo)
    config = load_config(None, repo)

    async def made() -> object:
        async with open_session(config, "emporix") as session:
            return type(session.provider)

    assert asyncio.run(made()) is EmporixProvider


async def test_a_new_product_never_replaces_another_product_holding_its_id(repo: Path) -> None:
    write_config(repo)
    app = _app(repo)
    taken = {"id": "stoneware-mug", "code": "OTHER-MUG", "name": {"en": "Other"}, "published": False}
    await _control(app, "PUT", f"/product/{TENANT}/products/stoneware-mug", json=taken)
    async with _session(repo, app) as session:
        plan, _ = await read_and_plan(session, only=["product.stoneware-mug"])
        report = await apply_plan(session, plan, verify=False)
    [failed] = [r for r in report.failed if not r.skipped]
    assert "the product id stoneware-mug is taken by the product with code OTHER-MUG" in (failed.error or "")
    other = await _control(app, "GET", f"/product/{TENANT}/products/stoneware-mug")
    assert other["code"] == "OTHER-MUG"
