"""AppXite gets the fewest requests its Order API allows in every phase (counts per route, not times)."""

from __future__ import annotations

from pathlib import Path

import httpx
from request_floor import licences, minimum, sync

from engine.config import load_config
from engine.sandbox.appxite.app import create_app

SHAPE = minimum.Shape(subscriptions=30, organizations=2)  # the sandbox's two seeded organizations
TARGET = (
    "recipes: [recipes]\ndefault_target: licences\n"
    "targets:\n  licences:\n    platform: appxite\n    sandbox: true\n"
)


async def test_appxite_every_phase_is_at_the_api_minimum(tmp_path: Path) -> None:
    licences.write_subscriptions(tmp_path, SHAPE.subscriptions, SHAPE.organizations)
    (tmp_path / "shelf.yaml").write_text(TARGET)
    config = load_config(None, tmp_path)
    # Provisioning done by the first poll: the minimum of one poll per order is then reachable.
    app = create_app(tmp_path / "appxite.sqlite", provision_delay=0)
    transport = httpx.ASGITransport(app=app)

    first = await sync(config, transport, apply=True)
    assert first.ok, first.failed
    assert first.requests == minimum.appxite(minimum.FIRST_APPLY, SHAPE)

    noop = await sync(config, transport, apply=False)
    assert noop.plan.empty, noop.plan.changes
    assert noop.requests == minimum.appxite(minimum.NOOP_PLAN, SHAPE)

    licences.write_subscriptions(tmp_path, SHAPE.subscriptions, SHAPE.organizations, more_seats=1)
    seats = await sync(config, transport, apply=True)
    assert seats.ok, seats.failed
    assert [c.address for c in seats.plan.changes] == ["subscription.licence-000000"]
    assert seats.requests == minimum.appxite(minimum.ONE_CHANGE, SHAPE)

    again = await sync(config, transport, apply=False)
    assert again.plan.empty, again.plan.changes
    assert again.requests == minimum.appxite(minimum.NOOP_PLAN, SHAPE)
    assert again.writes == 0
