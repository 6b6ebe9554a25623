"""Helpers for the Partner tests: a fake clock and a client of the emulator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from engine.platforms.partner.wire import encode
from engine.sandbox.partner import create_app

CHAIN = "sandbox"
VENDORS = ("vendor-marina", "vendor-downtown")
BASE = f"/v2/chains/{CHAIN}"


class FakeClock:
    """Seconds that pass only when a test (or a limiter's sleep) says so."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def emulator(db: Path, **options: Any) -> httpx.AsyncClient:
    """A client of an in-process emulator on ``db`` with the sandbox token."""
    options.setdefault("rate_limit", None)
    app = create_app(db, **options)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox",
        headers={"Authorization": "Bearer sandbox"},
    )


def item(sku: str, price: Any = 10, **fields: Any) -> dict[str, Any]:
    """A create item; a text price is sent as a JSON number with exactly those digits."""
    exact = Decimal(price) if isinstance(price, str) else price
    return {"sku": sku, "title": {"en_AE": f"Item {sku}"}, "price": exact, **fields}


def exact(body: Any) -> dict[str, Any]:
    """Request arguments sending ``body`` as JSON with Decimals as exact numbers."""
    return {"content": encode(body), "headers": {"Content-Type": "application/json"}}


async def run_job(client: httpx.AsyncClient, path: str, answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    body: dict[str, Any] = (await client.get(f"{path}/{job_id}")).json()
    return body


def control(db: Path, method: str, path: str, body: Any = None) -> Any:
    """The in-process emulator's control API on the file a command used."""
    import asyncio

    async def call() -> Any:
        async with emulator(db) as client:
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

    return asyncio.run(call())


def vendor_products(db: Path, vendor: str) -> list[dict[str, Any]]:
    """Every product one vendor holds, as the API lists it."""
    import asyncio

    async def call() -> list[dict[str, Any]]:
        async with emulator(db) as client:
            response = await client.get(f"{BASE}/vendors/{vendor}/catalog", params={"page_size": 10000})
            products: list[dict[str, Any]] = response.json()["products"]
            return products

    return asyncio.run(call())


def partner_db(repo: Path) -> Path:
    return repo / ".shelf" / "sandbox" / "partner.sqlite"


def writes_by_route(db: Path) -> dict[str, int]:
    requests: dict[str, int] = control(db, "GET", "/_sandbox/stats")["requests"]
    return {route: n for route, n in requests.items() if not route.startswith("GET ")}
