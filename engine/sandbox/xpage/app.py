"""The xPage sandbox: an emulator of the xPage apps API for what a catalog needs, state in SQLite.

It is how shelf's tests meet xPage, so it follows ``apps-api.md`` and is strict where the platform would
be: unknown fields, wrong types and bad values are 422s naming every field, tokens and permissions are
checked on every call, and each reading chosen where the page is silent is written in the docstring of the
module that implements it (``products``, ``product_write``, ``product_read``, ``files``, ``file_store``,
``auth``, ``schemas``, ``control``);
where the page allows several readings, :mod:`engine.sandbox.xpage.readings` switches between them.

Besides the API under ``base_path``, the app serves the control API under ``/_sandbox/`` (stats, faults,
reset, categories) and file downloads under ``/_sandbox/files/``. It needs no lifespan events: the schema
is created or migrated when the app is made.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint, Sandbox, api_routes, build_app
from engine.sandbox.auth import Clock, Principal
from engine.sandbox.control import control_routes
from engine.sandbox.responses import data
from engine.sandbox.store import reset_store
from engine.sandbox.xpage.auth import (
    ALL_PERMISSIONS,
    DEFAULT_CLIENTS,
    DEFAULT_TOKENS,
    INSTALL_HEADER,
    PERMISSIONS,
    SANDBOX_INSTALL_ID,
    auth_endpoints,
    authorize,
)
from engine.sandbox.xpage.context import Shop
from engine.sandbox.xpage.control import category_routes, reading_routes
from engine.sandbox.xpage.db import (
    MIGRATIONS,
    SEED_CATEGORIES,
    SHOP_TABLES,
    add_categories,
    category_id,
    seed,
)
from engine.sandbox.xpage.files import download_route, file_endpoints
from engine.sandbox.xpage.products import product_endpoints
from engine.sandbox.xpage.readings import problems, save

BASE_PATH = "/api/apps/v1"

__all__ = [
    "ALL_PERMISSIONS",
    "BASE_PATH",
    "INSTALL_HEADER",
    "PERMISSIONS",
    "SANDBOX_INSTALL_ID",
    "SEED_CATEGORIES",
    "category_id",
    "create_app",
    "reset_database",
]


def _carrier_endpoint(shop: Shop) -> Endpoint:
    async def carriers(request: Request, principal: Principal | None) -> Response:
        rows = shop.store.query(
            "SELECT id, name, code, status FROM xpage_carriers WHERE status = 'active' ORDER BY name"
        )
        return data({"carriers": [dict(r) for r in rows]})

    return Endpoint("GET", "/shipping-carrier", carriers, auth=False)


def _permissions(tokens: Mapping[str, Collection[str] | None]) -> dict[str, Collection[str]]:
    return {token: ALL_PERMISSIONS if perms is None else perms for token, perms in tokens.items()}


def create_app(
    db_path: str | Path,
    *,
    tokens: Mapping[str, Collection[str] | None] | None = None,
    clients: Mapping[str, str] | None = None,
    rate_limit: int | None = None,
    base_path: str = BASE_PATH,
    clock: Clock | None = None,
    categories: Collection[str] = (),
    readings: Mapping[str, str] | None = None,
    faults: Mapping[str, Any] | None = None,
    latency_ms: float | None = None,
) -> Starlette:
    """The sandbox app with its shop in ``db_path`` (created and seeded when new).

    ``tokens``: accepted bearer tokens -> permissions ("subject:action", None for every permission);
    default a token ``sandbox`` with every permission. ``clients``: client_id -> client_secret for
    ``/auth/get-token`` (default ``sandbox``/``sandbox``). ``rate_limit``: requests per second before 429
    (None: no limit). ``clock`` (seconds since the epoch) dates tokens and records, for tests that need
    time to pass. ``categories``: names of categories the shop holds besides the seed's (``shelf sandbox
    serve`` passes those the current catalog's recipes name), kept through a reset. ``readings`` sets
    switches of :mod:`engine.sandbox.xpage.readings` (``{"updates": "replace"}``) in the shop's database;
    switches not given keep what the database holds.
    """
    extra = tuple(categories)

    def seeded(db: sqlite3.Connection) -> None:
        seed(db)
        add_categories(db, extra)

    now = clock or time.time
    sandbox = Sandbox.open(
        db_path,
        migrations=MIGRATIONS,
        seed=seeded,
        tokens=DEFAULT_TOKENS if tokens is None else _permissions(tokens),
        rate_limit=rate_limit,
        authorize=authorize,
        configured_install_id=SANDBOX_INSTALL_ID,
        clock=now,
    )
    if extra:
        with sandbox.store.write() as db:
            add_categories(db, extra)
    if readings:
        wrong = problems(readings)
        if wrong:
            raise ValueError(f"unknown sandbox readings: {wrong}")
        with sandbox.store.write() as db:
            save(db, readings)
    sandbox.follow_profile(faults, latency_ms)
    shop = Shop(sandbox, now)
    endpoints = [
        *auth_endpoints(sandbox, DEFAULT_CLIENTS if clients is None else clients),
        _carrier_endpoint(shop),
        *product_endpoints(shop),
        *file_endpoints(shop),
    ]
    routes = [
        *api_routes(sandbox, base_path, endpoints),
        *control_routes(sandbox, {ep.key for ep in endpoints}, lambda: sandbox.store.reset(SHOP_TABLES)),
        *category_routes(shop),
        *reading_routes(shop),
        download_route(shop),
    ]
    return build_app(routes)


def reset_database(db_path: str | Path) -> None:
    """Empty the shop in ``db_path`` back to its seed (stats and faults too; issued tokens stay)."""
    reset_store(db_path, SHOP_TABLES, MIGRATIONS, seed)
