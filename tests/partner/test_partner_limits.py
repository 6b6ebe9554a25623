"""The request budget that outlives a command, the emulator's block, and waiting for jobs, all on a fake
clock so that no test waits a minute."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from partner_support import VENDORS, FakeClock, control, item, partner_db

from engine.config import load_config
from engine.core import Session, apply_plan, read_and_plan
from engine.errors import PlatformError
from engine.http import BearerAuth, HttpClient
from engine.platforms.partner.api import PartnerApi
from engine.platforms.partner.jobs import JobWaiter
from engine.platforms.partner.provider import create_partner_provider
from engine.recipes.loader import load_for_target
from engine.sandbox.partner import create_app
from engine.secrets import Secret
from engine.throttle import RequestBudget

from support import shelf


def test_the_budget_waits_instead_of_exceeding_and_survives_between_commands(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "budget.json"

    async def spend(n: int) -> float:
        budget = RequestBudget(path, 60, clock=clock, sleep=clock.sleep)
        for _ in range(n):
            await budget.acquire()
        return budget.waited

    assert asyncio.run(spend(40)) == 0  # a plan...
    clock.now += 5
    waited = asyncio.run(spend(30))  # ...then an apply: a new budget from the same file
    assert waited == pytest.approx(56.0)  # until the first request is a minute (and a margin) old
    clock.now += 62
    assert asyncio.run(spend(60)) == 0


class Recording(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.statuses: list[int] = []
        self.methods: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        self.methods.append(request.method)
        return response


def test_a_big_first_apply_meets_no_429(tmp_path: Path) -> None:
    """300 SKUs on two vendors through an emulator that blocks above 5 requests a minute, the client
    keeping to a budget of 5: it waits (on the fake clock) and never meets the block."""
    (tmp_path / "recipes").mkdir()
    lines = ["products:"]
    for i in range(300):
        lines += [f"  - key: p{i}", f"    title: Product {i}", f"    price: {i}.25", f"    sku: SKU-{i:04}"]
    (tmp_path / "recipes" / "many.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: uae\ntargets:\n  uae:\n    platform: partner\n"
        f"    base_url: http://sandbox\n    chain_id: sandbox\n    token: sandbox\n"
        f"    vendors: [{', '.join(VENDORS)}]\n    locales: {{en: en_AE}}\n    rate_limit: 5\n"
    )
    clock = FakeClock()
    recording = Recording(
        httpx.ASGITransport(app=create_app(tmp_path / "p.sqlite", rate_limit=5, clock=clock))
    )
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    target = config.targets["uae"]
    loaded = load_for_target(config, "uae", everything=False)

    async def run() -> tuple[int, int]:
        provider = create_partner_provider(
            target, config, base_url=None, transport=recording, clock=clock, sleep=clock.sleep
        )
        session = Session(config, target, loaded.desired, provider, frozenset(), loaded.digest)
        try:
            plan, _ = await read_and_plan(session)
            report = await apply_plan(session, plan)
            assert report.ok, report
            again, _ = await read_and_plan(session)
            return len(plan.changes), len(again.changes)
        finally:
            await provider.aclose()

    planned, left = asyncio.run(run())
    assert (planned, left) == (300, 0)
    assert 429 not in recording.statuses
    assert len(recording.statuses) > 5 and clock.now - 1000.0 >= 60


def test_a_job_is_waited_for_at_most_wait_seconds(tmp_path: Path) -> None:
    clock = FakeClock()

    async def run(wait: float) -> str:
        app = create_app(tmp_path / "p.sqlite", rate_limit=None, job_delay=10, clock=clock)
        http = HttpClient(
            "http://sandbox",
            auth=BearerAuth(Secret("sandbox")),
            transport=httpx.ASGITransport(app=app),
            where="uae",
        )
        api = PartnerApi(http, "sandbox")
        try:
            job_id = await api.create(["vendor-marina"], [item("A")])
            job = await JobWaiter(api, wait, sleep=clock.sleep, clock=clock).outcome("catalog", job_id)
            return str(job["job_status"])
        finally:
            await http.aclose()

    with pytest.raises(PlatformError, match=r"still .* after 5 s"):
        asyncio.run(run(5))
    assert asyncio.run(run(60)) == "COMPLETED"


def test_500_price_changes_are_a_handful_of_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def recipe(price: str) -> str:
        lines = ["products:"]
        for i in range(500):
            lines += [
                f"  - key: p{i}",
                f"    title: Product {i}",
                f"    price: {price}",
                f"    sku: SKU-{i:04}",
            ]
        return "\n".join(lines) + "\n"

    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "many.yaml").write_text(recipe("10.00"))
    (tmp_path / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: uae\ntargets:\n  uae:\n    platform: partner\n"
        f"    sandbox: true\n    vendors: [{', '.join(VENDORS)}]\n"
    )
    monkeypatch.chdir(tmp_path)
    assert shelf("apply", "--auto-approve").exit_code == 0
    db = partner_db(tmp_path)
    (tmp_path / "recipes" / "many.yaml").write_text(recipe("11.00"))
    control(db, "POST", "/_sandbox/stats/reset")
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "500 to update" in applied.output
    requests = control(db, "GET", "/_sandbox/stats")["requests"]
    writes = {route: n for route, n in requests.items() if not route.startswith("GET ")}
    assert writes == {"PUT /v2/chains/{chain_id}/vendors/{vendor_id}/catalog": len(VENDORS)}
    assert requests["GET /v2/chains/{chain_id}/catalog/jobs/{job_id}"] == len(VENDORS)
    assert sum(requests.values()) <= 30  # 10 pages read to plan, 2 writes, 2 polls, 10 pages to verify
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_a_create_still_running_after_wait_is_reported_and_not_sent_again(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "one.yaml").write_text("products:\n  - {key: a, title: A, price: 1, sku: A}\n")
    (tmp_path / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: uae\ntargets:\n  uae:\n    platform: partner\n"
        "    base_url: http://sandbox\n    chain_id: sandbox\n    token: sandbox\n"
        "    vendors: [vendor-marina]\n    locales: {en: en_AE}\n"
    )
    clock = FakeClock()
    recording = Recording(
        httpx.ASGITransport(
            app=create_app(tmp_path / "p.sqlite", rate_limit=None, job_delay=600, clock=clock)
        )
    )
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    target = config.targets["uae"]
    loaded = load_for_target(config, "uae")

    async def run() -> list[str]:
        provider = create_partner_provider(
            target, config, base_url=None, transport=recording, clock=clock, sleep=clock.sleep
        )
        provider.wait = 30
        session = Session(config, target, loaded.desired, provider, frozenset(), loaded.digest)
        try:
            plan, _ = await read_and_plan(session)
            report = await apply_plan(session, plan)
            return [r.error or "" for r in report.failed]
        finally:
            await provider.aclose()

    [error] = asyncio.run(run())
    assert "still" in error and "after 30 s" in error
    assert recording.methods.count("POST") == 1
