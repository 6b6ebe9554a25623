"""Fault profiles: random failures at set rates, the same for a seed, in every emulator, in-process and
served, set as an app option or through the control API."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from engine.sandbox import sandbox_app, sandbox_platforms, serving
from engine.sandbox.fault_profile import FaultProfile, draw, profile_errors
from engine.sandbox.transport import InProcessTransport

XPAGE_API = "/api/apps/v1"
TOKEN = {"Authorization": "Bearer sandbox"}


def _api_path(app: Any) -> str:
    """A path of one of the app's GET routes (path parameters filled in): the profile acts before the
    request is looked at, so any route will do."""
    for route in app.routes:
        if isinstance(route, Route) and str(route.name).startswith("GET ") and "_sandbox" not in route.path:
            return str(route.path).replace("{", "").replace("}", "")
    raise AssertionError("no API route")


def _client(app: Any, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=InProcessTransport(app, **options), base_url="http://sandbox")


def test_a_draw_is_a_pure_function_of_seed_route_and_number() -> None:
    profile = FaultProfile(rates={"5xx": 0.1, "429": 0.05, "lost": 0.02, "slow": 0.01, "drop": 0.01}, seed=7)
    fates = [draw(profile, "POST /product", n) for n in range(1, 20_001)]
    assert fates == [draw(profile, "POST /product", n) for n in range(1, 20_001)]
    kinds = Counter(f.kind for f in fates)
    for kind, rate in profile.rates.items():
        assert abs(kinds[kind] / len(fates) - rate) < 0.01, (kind, kinds[kind])
    assert {f.status for f in fates if f.kind == "5xx"} == {500, 502, 503}
    assert {f.status for f in fates if f.kind == "lost"} == {500, 502, 503, 504}
    other_seed = [draw(FaultProfile(rates=profile.rates, seed=8), "POST /product", n) for n in range(1, 2001)]
    assert other_seed != fates[:2000]


def test_a_bad_profile_is_named_field_by_field() -> None:
    assert profile_errors({"rates": {"5xx": 0.1}, "seed": 7, "latency_ms": 20}) == {}
    errors = profile_errors({"rates": {"5xx": 2, "timeout": 0.1}, "seed": -1, "latency": 3})
    assert errors == {
        "latency": ["unknown field"],
        "rates.5xx": ["must be at most 1"],
        "rates.timeout": ["unknown field"],
        "seed": ["must be at least 0"],
    }
    assert profile_errors({"rates": {"5xx": 0.6, "lost": 0.6}}) == {
        "rates": ["add up to 1.2; a request meets one fault at most, so at most 1"]
    }


@pytest.mark.parametrize("platform", sandbox_platforms())
async def test_every_emulator_refuses_at_the_profile_rates(tmp_path: Path, platform: str) -> None:
    profile = {"rates": {"5xx": 0.5, "429": 0.5}, "seed": 3}
    app = sandbox_app(platform, tmp_path / "s.sqlite", faults=profile)
    path = _api_path(app)
    async with _client(app) as client:
        answers = [await client.get(path) for _ in range(40)]
        statuses = Counter(a.status_code for a in answers)
        assert set(statuses) <= {500, 502, 503, 429} and statuses[429] > 5, statuses
        assert all(a.headers["Retry-After"] == "1" for a in answers if a.status_code == 429)
        stats = await client.get("/_sandbox/stats")  # control routes are never faulted
        assert stats.status_code == 200 and sum(stats.json()["requests"].values()) == 40

        again = sandbox_app(platform, tmp_path / "s.sqlite", faults=profile)
        async with _client(again) as second:
            replay = [(await second.get(path)).status_code for _ in range(40)]
        assert replay == [a.status_code for a in answers]  # setting the same profile replays the same fates

        assert (await client.delete("/_sandbox/faults/profile")).status_code == 204
        assert (await client.get("/_sandbox/faults/profile")).json() is None
        assert (await client.get(path)).status_code not in (429, 500, 502, 503)


async def test_the_control_api_sets_shows_and_checks_the_profile(tmp_path: Path) -> None:
    app = sandbox_app("xpage", tmp_path / "x.sqlite")
    async with _client(app) as client:
        bad = await client.post("/_sandbox/faults/profile", json={"rates": {"5xx": 1.5}, "sed": 1})
        assert bad.status_code == 422
        assert set(bad.json()["errors"]) == {"sed", "rates.5xx"}, bad.json()
        good = await client.post("/_sandbox/faults/profile", json={"rates": {"lost": 0.25}, "seed": 9})
        assert good.status_code == 200
        shown = (await client.get("/_sandbox/faults/profile")).json()
        assert shown["rates"]["lost"] == 0.25 and shown["seed"] == 9 and shown["latency_ms"] == 0
        assert (await client.post("/_sandbox/reset")).status_code == 204
        assert (await client.get("/_sandbox/faults/profile")).json() == shown  # a reset keeps it
    # another app on the same file (a served sandbox, say) follows the stored profile
    other = sandbox_app("xpage", tmp_path / "x.sqlite")
    async with _client(other) as client:
        assert (await client.get("/_sandbox/faults/profile")).json() == shown


def test_create_app_refuses_a_bad_profile(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"rates\.slow: must be at most 1"):
        sandbox_app("partner", tmp_path / "p.sqlite", faults={"rates": {"slow": 3}})


async def test_a_lost_answer_hides_a_write_that_happened(tmp_path: Path) -> None:
    app = sandbox_app("xpage", tmp_path / "x.sqlite", faults={"rates": {"lost": 1}})
    meta = {"metadata": (None, json.dumps({"title": "Lost", "default": {"price": 1}}), "application/json")}
    async with _client(app) as client:
        created = await client.post(f"{XPAGE_API}/product", files=meta, headers=TOKEN)
        assert created.status_code in (500, 502, 503, 504)
        await client.delete("/_sandbox/faults/profile")
        listed = await client.get(f"{XPAGE_API}/product", headers=TOKEN)
        assert [p["title"] for p in listed.json()["data"]["products"]] == ["Lost"]


async def test_a_slow_answer_outlasts_the_client_and_the_write_happens(tmp_path: Path) -> None:
    app = sandbox_app("xpage", tmp_path / "x.sqlite", faults={"rates": {"slow": 1}, "slow_ms": 5000})
    meta = {"metadata": (None, json.dumps({"title": "Slow", "default": {"price": 1}}), "application/json")}
    async with _client(app, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"{XPAGE_API}/product", files=meta, headers=TOKEN)
        assert time.monotonic() - started < 2
        await client.delete("/_sandbox/faults/profile")
        listed = await client.get(f"{XPAGE_API}/product", headers=TOKEN)
        assert [p["title"] for p in listed.json()["data"]["products"]] == ["Slow"]


async def test_a_dropped_connection_is_a_transport_error_in_process(tmp_path: Path) -> None:
    app = sandbox_app("xpage", tmp_path / "x.sqlite", faults={"rates": {"drop": 1}, "seed": 1})
    async with _client(app) as client:
        for _ in range(6):  # drops come before and after handling, by the draw
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(f"{XPAGE_API}/product", headers=TOKEN)


def test_served_a_dropped_connection_closes_it_and_latency_delays_answers(tmp_path: Path) -> None:
    profile = {"rates": {"drop": 0.5}, "seed": 2}
    app = sandbox_app("appxite", tmp_path / "a.sqlite", faults=profile, latency_ms=50)
    with serving(app) as url, httpx.Client(base_url=url, timeout=5) as client:
        outcomes: Counter[int | str] = Counter()
        started = time.monotonic()
        for _ in range(12):
            try:
                outcomes[client.get("/orders/").status_code] += 1
            except httpx.RemoteProtocolError:
                outcomes["dropped"] += 1
        elapsed = time.monotonic() - started
        assert outcomes["dropped"] > 0 and sum(outcomes.values()) == 12, outcomes
        assert elapsed >= 12 * 0.05
        assert client.get("/_sandbox/faults/profile").json()["latency_ms"] == 50


async def test_latency_costs_no_cpu(tmp_path: Path) -> None:
    app = sandbox_app("xpage", tmp_path / "x.sqlite", latency_ms=200)
    async with _client(app) as client:
        started, cpu = time.monotonic(), time.process_time()
        answers = await asyncio.gather(*(client.get(f"{XPAGE_API}/permission") for _ in range(20)))
        wall, used = time.monotonic() - started, time.process_time() - cpu
    assert all(a.status_code == 200 for a in answers)
    assert wall >= 0.2 and used < 1.0  # 20 concurrent waits of 0.2 s, slept together
