"""What the Emporix end-to-end tests share: a shelf.yaml with an Emporix sandbox target, and the sandbox
as another client sees it (its control API and its services, on the SQLite file the CLI used).

Nothing here is a test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from engine.sandbox.emporix.app import create_app

TENANT = "sandbox"


def write_config(repo: Path, *, extra: str = "", languages: str = "[en, de]") -> None:
    """``shelf.yaml`` whose default target is the in-process Emporix sandbox."""
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\n"
        "default_target: emporix\n"
        "targets:\n"
        "  emporix:\n"
        "    platform: emporix\n"
        "    sandbox: true\n"
        f"    languages: {languages}\n" + extra
    )


def db_of(repo: Path) -> Path:
    return repo / ".shelf" / "sandbox" / "emporix.sqlite"


def call(db: Path, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to the sandbox on ``db``; service paths are sent with a token of every scope."""

    async def run() -> httpx.Response:
        app = create_app(db, tokens={"observer": None})
        headers = {"Authorization": "Bearer observer", **kwargs.pop("headers", {})}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox", headers=headers
        ) as client:
            response = await client.request(method, path, **kwargs)
            await response.aread()
            return response

    return asyncio.run(run())


def stats(db: Path) -> dict[str, Any]:
    result: dict[str, Any] = call(db, "GET", "/_sandbox/stats").json()
    return result


def reset_stats(db: Path) -> None:
    call(db, "POST", "/_sandbox/stats/reset")


def product(db: Path, product_id: str) -> Any:
    return call(
        db, "GET", f"/product/{TENANT}/products/{product_id}", headers={"Accept-Language": "*"}
    ).json()


def listing(db: Path, service_path: str, **params: Any) -> list[Any]:
    response = call(db, "GET", f"/{service_path.replace('{t}', TENANT)}", params={"pageSize": 1000, **params})
    result: list[Any] = response.json()
    return result
