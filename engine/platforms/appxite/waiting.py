"""Waiting for provisioning: polling one order until its item finishes, fails or waits for a person.

Provisioning happens at the vendor, after the API has answered, so an apply polls
``GET /orders/{orderId}`` for at most ``limit`` seconds (``--wait``): first after a quarter of a second,
then twice as long each time up to ``interval`` seconds, so quick provisioning is seen at once and slow
provisioning costs few requests. It
reports each status it sees once, as a progress line. ``provision_failed`` raises with the vendor's
``statusReason``. ``pending_approval`` and a provisioning still running at the limit are not failures:
they are reported as waiting, and the next plan shows them as pending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from engine.errors import PlatformError
from engine.platforms.appxite.api import AppXiteApi
from engine.platforms.appxite.mapping import FAILED, FINISHED, PENDING, STARTED, LiveItem

Report = Callable[[str], None]
FIRST_PAUSE = 0.25


async def wait_for(
    api: AppXiteApi, item: LiveItem, address: str, *, limit: float, interval: float, report: Report
) -> str:
    """The status the item settled in (or still had at ``limit``)."""
    started = time.monotonic()
    seen: str | None = None
    pause = min(FIRST_PAUSE, interval)
    while True:
        raw = await api.order_item(item.organization, item.order_id, item.id)
        if raw is None:
            raise PlatformError(f"order {item.order_id} no longer holds item {item.id}", hint="plan again")
        current = LiveItem(raw, item.organization, item.generation)
        status = current.status
        elapsed = time.monotonic() - started
        if status == FINISHED:
            report(f"{address}: {FINISHED} after {elapsed:.0f} s")
            return status
        if status == FAILED:
            raise PlatformError(
                f"provisioning failed: {current.reason or 'the platform gave no reason'}",
                hint="fix the order's form data or offer (or ask the vendor), then apply again",
            )
        if status == PENDING:
            report(f"{address}: waiting for approval in the portal ({PENDING}); plans show it pending")
            return status
        if status != STARTED:
            raise PlatformError(f"order item {item.id} is {status!r} after it was placed", hint="plan again")
        if seen != status:
            report(f"{address}: {status}, waiting up to {limit:.0f} s")
            seen = status
        if elapsed >= limit:
            report(f"{address}: still {status} after {elapsed:.0f} s; not waiting longer (--wait)")
            return status
        await asyncio.sleep(min(pause, max(0.0, limit - elapsed)))
        pause = min(interval, pause * 2)
