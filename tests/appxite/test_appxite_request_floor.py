"""AppXite gets the fewest requests its Order API allows in every phase (counts per route, not times)."""

from __future__ import annotations

from pathlib import Path

import httpx
from request_floor import minimum, sync

from engine.config import load_config
from engine.sandbox.appxite.app import create_app

ORGANIZATIONS = ("4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f", "9a1e6b0c-2222-4d5e-8f70-1b2c3d4e5f60")
OFFER = "3d800b57-0958-4d86-a6a6-144243908f4f"
SHAPE = minimum.Shape(subscriptions=30, organizations=len(ORGANIZATIONS))
TARGET = (
    "recipes: [recipes]\ndefault_target: licences\n"
    "targets:\n  licences:\n    platform: appxite\n    sandbox: true\n"
)


def write_subscriptions(root: Path, count: int, *, more_seats: int = 0) -> None:
    """``count`` subscriptions spread over the seeded organizations; the first ``more_seats`` of them
    with one seat more."""
    lines = ["subscriptions:"]
    for i in range(count):
        seats = 26 if i < more_seats else 25
        lines += [
            f"  - key: licence-{i:05d}",
            f"    organization: {ORGANIZATIONS[i % len(ORGANIZATIONS)]}",
            f"    offer: {OFFER}",
            f"    form_data: {{quantityBox1: {seats}, ChargePeriod: {{pricingFrequency: Monthly}}}}",
        ]
    (root / "recipes").mkdir(exist_ok=True)
    (root / "recipes" / "licences.yaml").write_text("\n".join(lines) + "\n")


async def test_appxite_every_phase_is_at_the_api_minimum(tmp_path: Path) -> None:
    write_subscriptions(tmp_path, SHAPE.subscriptions)
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

    write_subscriptions(tmp_path, SHAPE.subscriptions, more_seats=1)
    seats = await sync(config, transport, apply=True)
    assert seats.ok, seats.failed
    assert [c.address for c in seats.plan.changes] == ["subscription.licence-00000"]
    assert seats.requests == minimum.appxite(minimum.ONE_CHANGE, SHAPE)

    again = await sync(config, transport, apply=False)
    assert again.plan.empty, again.plan.changes
    assert again.requests == minimum.appxite(minimum.NOOP_PLAN, SHAPE)
    assert again.writes == 0
