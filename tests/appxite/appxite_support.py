"""The AppXite sandbox as a client other than shelf sees it: headers, ids, a clock tests move."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from engine.sandbox.appxite.app import create_app
from engine.sandbox.appxite.db import ACME

PORTAL = "https://portal.example.com"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def headers(organization: str = ACME, **extra: str) -> dict[str, str]:
    return {
        "Ocp-Apim-Subscription-Key": "sandbox",
        "Authorization": "Bearer sandbox",
        "api-version": "3.1",
        "X-On-Behalf-Of": organization,
        "Referer": PORTAL,
        **extra,
    }


def client(db: Path, clock: Clock | None = None, **options: Any) -> httpx.AsyncClient:
    app = create_app(db, clock=clock, **options)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")


SUBSCRIPTIONS = """\
subscriptions:
  - key: m365
    organization: 4f7c0d2e-1111-4a3b-9c55-0a1b2c3d4e5f
    offer: {m365_offer}
    form_data: {{quantityBox1: {seats}, ChargePeriod: {{pricingFrequency: Monthly}}}}
    state: {state}
  - key: backup
    organization: 9a1e6b0c-2222-4d5e-8f70-1b2c3d4e5f60
    offer: 7c2d4e6f-3333-4b1a-9e8d-2c3b4a5f6e70
    form_data: {{quantityBox1: 3, DataCenter: "12"}}
"""
CONFIG = (
    "recipes: [recipes]\ndefault_target: licences\ntargets:\n  licences: {platform: appxite, sandbox: true}\n"
)


def write_catalog(
    repo: Path,
    *,
    seats: int = 10,
    state: str = "active",
    m365_offer: str = "3d800b57-0958-4d86-a6a6-144243908f4f",
) -> None:
    (repo / "recipes").mkdir(exist_ok=True)
    (repo / "recipes" / "subscriptions.yaml").write_text(
        SUBSCRIPTIONS.format(seats=seats, state=state, m365_offer=m365_offer)
    )


def sandbox_file(repo: Path) -> Path:
    return repo / ".shelf" / "sandbox" / "appxite.sqlite"


def control(repo: Path, method: str, path: str, body: Any = None, **headers_: str) -> Any:
    """A call to the in-process sandbox on the file the CLI uses (the API needs ``headers_``)."""

    async def call() -> Any:
        async with client(sandbox_file(repo)) as api:
            response = await api.request(method, path, json=body, headers=headers_ or None)
            response.raise_for_status()
            return response.json() if response.content else None

    return asyncio.run(call())


def stats(repo: Path) -> dict[str, int]:
    found: dict[str, int] = control(repo, "GET", "/_sandbox/stats")["requests"]
    return found


def items(repo: Path, organization: str = ACME) -> list[dict[str, Any]]:
    orders = control(repo, "GET", "/orders/", **headers(organization))["orders"]
    return [item for order in orders for item in order["items"]]
