"""The AppXite sandbox app: the token call and the Order API under ``base_path`` (the vendor's API host
serves them at its root), the shared control API and the portal's part of it under ``/_sandbox/``.

``create_app(db_path, tokens=..., clients=..., subscription_keys=..., provision_delay=..., clock=...)``;
state lives in ``db_path`` so an in-process app and a served one on the same file see one platform.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from engine.sandbox.api import Sandbox, api_routes, build_app
from engine.sandbox.appxite.control import portal_routes
from engine.sandbox.appxite.db import MIGRATIONS, SHOP_TABLES, seed
from engine.sandbox.appxite.gateway import (
    ALL_PERMISSIONS,
    DEFAULT_CLIENTS,
    DEFAULT_KEYS,
    DEFAULT_TOKENS,
    Gateway,
    token_endpoint,
)
from engine.sandbox.appxite.orders import Orders
from engine.sandbox.auth import Clock, Principal
from engine.sandbox.control import control_routes
from engine.sandbox.store import Store

BASE_PATH = ""

__all__ = ["ALL_PERMISSIONS", "BASE_PATH", "create_app", "reset_database"]


def create_app(
    db_path: str | Path,
    *,
    tokens: Mapping[str, Collection[str] | None] | None = None,
    clients: Mapping[str, str] | None = None,
    subscription_keys: Collection[str] | None = None,
    provision_delay: float | None = None,
    answers: str = "camel",
    orders_envelope: bool = True,
    rate_limit: int | None = None,
    base_path: str = BASE_PATH,
    clock: Clock | None = None,
    faults: Mapping[str, Any] | None = None,
    latency_ms: float | None = None,
) -> Starlette:
    """The sandbox with its state in ``db_path`` (created and seeded when new).

    ``tokens``: accepted bearer tokens -> permissions (``orders:read``, ``orders:write``; None: both),
    default ``sandbox``. ``clients``: client id -> secret for ``POST /oauth/token`` (default
    ``sandbox``/``sandbox``). ``subscription_keys``: accepted ``Ocp-Apim-Subscription-Key`` values
    (default ``sandbox``). ``provision_delay`` sets every offer's provisioning time in seconds.
    ``answers`` (``camel`` or ``pascal``) and ``orders_envelope`` switch to other readings of the answers
    (see :mod:`engine.sandbox.appxite.orders`). ``clock`` (seconds since the epoch) lets tests make time
    pass without sleeping.
    """
    now = clock or time.time
    grants = DEFAULT_TOKENS if tokens is None else {
        t: ALL_PERMISSIONS if perms is None else perms for t, perms in tokens.items()
    }
    gateway = Gateway(DEFAULT_KEYS if subscription_keys is None else subscription_keys)

    def authorize(request: Request, principal: Principal) -> None:
        gateway.check_key(request)

    sandbox = Sandbox.open(
        db_path, migrations=MIGRATIONS, seed=seed, tokens=grants, rate_limit=rate_limit,
        authorize=authorize, clock=now,
    )
    if provision_delay is not None:
        with sandbox.store.write() as db:
            db.execute("UPDATE appxite_offers SET delay = ?", (provision_delay,))
    sandbox.follow_profile(faults, latency_ms)
    orders = Orders(sandbox, gateway, now, answers=answers, orders_envelope=orders_envelope)
    endpoints = [token_endpoint(sandbox, gateway, DEFAULT_CLIENTS if clients is None else clients),
                 *orders.endpoints()]
    routes = [
        *api_routes(sandbox, base_path, endpoints),
        *control_routes(sandbox, {ep.key for ep in endpoints}, lambda: sandbox.store.reset(SHOP_TABLES)),
        *portal_routes(sandbox, now),
    ]
    return build_app(routes)


def reset_database(db_path: str | Path) -> None:
    """Empty the platform in ``db_path`` back to its seed (stats and faults too; issued tokens stay)."""
    store = Store(db_path, MIGRATIONS, seed)
    try:
        store.reset(SHOP_TABLES)
    finally:
        store.close()
