"""Every create shelf makes on Emporix survives a failed answer: a 5xx before the shop acted is sent
again, a lost answer (a 5xx after the shop acted, or no answer at all) is found by the object's id or
code instead of being sent twice, and one apply converges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from emporix_faults_support import (
    CREATE_ROUTES,
    LosingTransport,
    inject,
    pending_faults,
    shop_counts,
    write_catalog,
)

from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.sandbox.emporix.app import create_app

from emporix_e2e_support import db_of, reset_stats, stats, write_config
from support import shelf

TEMPLATES = "POST /product/{tenant}/product-templates"
SINGLE = (
    "PUT /product/{tenant}/products/{productId}",
    "PUT /category/{tenant}/categories/{categoryId}/assignments/references/{referenceId}",
    "PUT /price/{tenant}/prices/{priceId}",
    "PUT /availability/{tenant}/availability/{productId}/{site}",
)
"""Routes of one object alone: the products of one apply write these kinds in bulk requests together."""
OURS = tuple(r for r in CREATE_ROUTES if r not in SINGLE)
POSTS = (
    "POST /media/{tenant}/assets",
    "POST /coupon/{tenant}/coupons",
    "POST /schema/{tenant}/schemas",
    TEMPLATES,
)
EXPECTED = {
    "products": 6,
    "variants": 18,
    "assets": 7,
    "coupons": 2,
    "prices": 20,
    "categories": 4,
    "duplicate codes": 0,
    "duplicate files": 0,
    "duplicate prices": 0,
}
"""The catalog of six products: two without options (one digital, with a file), four with options
(6 + 3 + 3 + 6 variants), each with an image."""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty catalog repository as the current folder (the generated catalog goes in)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _catalog(repo: Path) -> Path:
    write_catalog(repo, 6)
    write_config(repo)
    assert shelf("plan").exit_code == 0, "the sandbox file exists, so faults can be queued"
    return db_of(repo)


def _converged(repo: Path, db: Path) -> None:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert pending_faults(db) == [], "every injected fault was met"
    replan = shelf("plan", "--detailed-exitcode")
    assert replan.exit_code == 0, replan.output
    assert shop_counts(db) == EXPECTED
    reset_stats(db)
    again = shelf("apply", "--auto-approve")
    assert again.exit_code == 0, again.output
    assert stats(db)["writes"] == 0, "nothing is left to change, nothing is uploaded twice"


def test_a_5xx_and_a_lost_answer_on_every_create_route_still_converge_in_one_apply(repo: Path) -> None:
    db = _catalog(repo)
    for route in OURS:
        inject(db, route, 503)
        inject(db, route, 504, after_commit=True)
    _converged(repo, db)


async def _apply_once(repo: Path, transport: httpx.AsyncBaseTransport) -> None:
    """Plan and apply the catalog once, then plan again: nothing is left to change."""
    async with open_session(load_config(None, repo), "emporix", transport=transport) as session:
        plan, _ = await read_and_plan(session)
        report = await apply_plan(session, plan)
        assert report.ok, (report.failed, report.not_converged)
        again, _ = await read_and_plan(session)
    assert again.empty, again.changes[:3]


async def _control(app: Any, method: str, path: str, **kwargs: Any) -> Any:
    """One request to the sandbox, as another client with every scope."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": "Bearer observer"},
    ) as client:
        response = await client.request(method, path, **kwargs)
        assert response.status_code < 400, response.text
        return response.json()


SENT_ONCE = {
    "POST /media/{tenant}/assets": EXPECTED["assets"],
    "POST /coupon/{tenant}/coupons": EXPECTED["coupons"],
    "POST /schema/{tenant}/schemas": 3,
    TEMPLATES: 2,
}
"""How many times each create route is called when nothing fails: once per object (the schemas: one
for products, one for media, one for coupons; the templates: one per option set)."""


@pytest.mark.parametrize("route", POSTS)
async def test_a_5xx_before_a_post_create_is_answered_by_sending_it_again(repo: Path, route: str) -> None:
    write_catalog(repo, 6)
    write_config(repo)
    app = create_app(repo / "shop.sqlite", tokens={"observer": None})
    await _control(app, "POST", "/_sandbox/faults", json={"route": route, "status": 503, "times": 2})
    await _apply_once(repo, httpx.ASGITransport(app=app))
    assert await _control(app, "GET", "/_sandbox/faults") == []
    assert len(await _control(app, "GET", "/media/sandbox/assets")) == EXPECTED["assets"]
    assert len(await _control(app, "GET", "/coupon/sandbox/coupons")) == EXPECTED["coupons"]
    counted = (await _control(app, "GET", "/_sandbox/stats"))["requests"]
    assert counted[route] == SENT_ONCE[route] + 2, "sent again once per refusal, never once it exists"


async def test_a_create_whose_answer_never_came_is_looked_up_before_it_is_sent_again(repo: Path) -> None:
    write_catalog(repo, 6)
    write_config(repo)
    app = create_app(repo / "shop.sqlite", tokens={"observer": None})
    losses = {f"POST /{service}/sandbox/{rest}": 2 for service, rest in
              (("media", "assets"), ("coupon", "coupons"), ("schema", "schemas"),
               ("product", "product-templates"))}
    losing = LosingTransport(httpx.ASGITransport(app=app), losses)
    await _apply_once(repo, losing)
    assert sorted(set(losing.lost)) == sorted(losses), "two answers of each create route were lost"
    assert len(await _control(app, "GET", "/media/sandbox/assets")) == EXPECTED["assets"]
    assert len(await _control(app, "GET", "/coupon/sandbox/coupons")) == EXPECTED["coupons"]
    counted = (await _control(app, "GET", "/_sandbox/stats"))["requests"]
    for route, once in SENT_ONCE.items():
        assert counted[route] == once, f"{route}: a create whose answer was lost is not sent again"
