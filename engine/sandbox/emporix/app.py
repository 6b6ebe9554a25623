"""The Emporix sandbox: an emulator of the Commerce Engine services a catalog sync uses, state in SQLite.

It is how shelf's tests meet Emporix, so it follows the vendor's OpenAPI references and guides and is
strict where the services would be: every query parameter, header and body is checked (unknown,
ill-typed or missing fields are 400s in the answering service's error shape), tokens are OAuth
client-credential tokens with scopes, and every reading chosen where the references are silent is
written in the docstring of the module that implements it: ``sandbox_auth`` (tokens, tenant, scopes),
``sandbox_http`` (parameters, paging), ``sandbox_i18n`` (languages), ``sandbox_q`` (the ``q``
parameter), ``sandbox_errors`` (error bodies), ``sandbox_products``, ``sandbox_product_write``,
``sandbox_variants``, ``sandbox_templates``, ``sandbox_categories``, ``sandbox_assignments``,
``sandbox_prices``, ``sandbox_price_models``, ``sandbox_media``, ``sandbox_coupons`` and
``sandbox_control`` (the clock).

Paths are the services' own from the root (``/oauth/token``, ``/product/{tenant}/...``,
``/category/{tenant}/...``, ``/price/{tenant}/...``, ``/media/{tenant}/...``,
``/coupon/{tenant}/...``, ``/schema/{tenant}/...``, ``/availability/{tenant}/...``); the control API
is under ``/_sandbox/``. No lifespan events are needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from engine.sandbox.api import Sandbox, api_routes
from engine.sandbox.auth import Tokens
from engine.sandbox.control import control_routes
from engine.sandbox.emporix.assignments import assignment_endpoints
from engine.sandbox.emporix.auth import (
    ALL_SCOPES,
    DEFAULT_CLIENTS,
    DEFAULT_TTL,
    SCOPES,
    tenant_check,
    token_endpoint,
)
from engine.sandbox.emporix.availability import availability_endpoints
from engine.sandbox.emporix.categories import category_endpoints
from engine.sandbox.emporix.context import DEFAULT_LANGUAGES, Shop, ShopClock
from engine.sandbox.emporix.control import clock_routes
from engine.sandbox.emporix.coupons import coupon_endpoints
from engine.sandbox.emporix.db import (
    DEFAULT_PRICE_MODEL_ID,
    DEFAULT_TIER_ID,
    MIGRATIONS,
    SHOP_TABLES,
    seed,
)
from engine.sandbox.emporix.errors import control_error, render, routing_error, server_error
from engine.sandbox.emporix.media import media_endpoints, public_media_route
from engine.sandbox.emporix.price_models import price_model_endpoints
from engine.sandbox.emporix.prices import price_endpoints
from engine.sandbox.emporix.products import product_endpoints
from engine.sandbox.emporix.schema_service import schema_endpoints
from engine.sandbox.emporix.templates import template_endpoints
from engine.sandbox.emporix.variants import generated_id
from engine.sandbox.faults import Faults
from engine.sandbox.ratelimit import RateLimiter
from engine.sandbox.responses import ApiError
from engine.sandbox.stats import Stats
from engine.sandbox.store import Store, reset_store

BASE_PATH = ""
ALL_PERMISSIONS = ALL_SCOPES
DEFAULT_TENANT = "sandbox"

__all__ = [
    "ALL_PERMISSIONS",
    "BASE_PATH",
    "DEFAULT_PRICE_MODEL_ID",
    "DEFAULT_TENANT",
    "DEFAULT_TIER_ID",
    "SCOPES",
    "create_app",
    "generated_id",
    "reset_database",
]

Clients = Mapping[str, tuple[str, Collection[str] | None]]


def create_app(
    db_path: str | Path,
    *,
    clients: Clients | None = None,
    tenant: str = DEFAULT_TENANT,
    token_ttl: int = DEFAULT_TTL,
    clock: Callable[[], float] | None = None,
    tokens: Mapping[str, Collection[str] | None] | None = None,
    languages: Collection[str] = DEFAULT_LANGUAGES,
    rate_limit: int | None = None,
    mixin_schemas: str = "hosted",
    availability_upsert: str = "replace",
    faults: Mapping[str, Any] | None = None,
    latency_ms: float | None = None,
) -> Starlette:
    """The sandbox app for ``tenant`` with its shop in ``db_path`` (created and seeded when new).

    ``clients``: client_id -> (client_secret, scopes or None for every scope) accepted by
    ``POST /oauth/token``; default ``sandbox``/``sandbox`` with every scope. ``token_ttl``: seconds a
    token lasts. ``clock`` (seconds since the epoch) dates tokens and records; the control API can move
    it on. ``tokens``: access tokens accepted without asking ``/oauth/token`` (token -> scopes, None for
    every scope), which never expire. ``languages``: the tenant's content languages, the first one its
    default. ``rate_limit``: requests per second before 429 (None: no limit). ``mixin_schemas``: which
    mixin schema URLs writes take, ``hosted`` or ``any`` (``engine.sandbox.emporix.schema_service``).
    ``availability_upsert``: ``replace`` or ``merge`` (``engine.sandbox.emporix.availability``).
    """
    store = Store(db_path, MIGRATIONS, seed)
    shop_clock = ShopClock(store, clock or time.time)
    configured = {
        token: ALL_SCOPES if scopes is None else frozenset(scopes) for token, scopes in (tokens or {}).items()
    }
    sandbox = Sandbox(
        store=store,
        tokens=Tokens(store, configured, configured_install_id=tenant, clock=shop_clock),
        stats=Stats(store),
        faults=Faults(store),
        limiter=RateLimiter(rate_limit) if rate_limit is not None else None,
        authorize=tenant_check,
        render=render,
    )
    sandbox.follow_profile(faults, latency_ms)
    if mixin_schemas not in ("hosted", "any"):
        raise ValueError(f"mixin_schemas must be 'hosted' or 'any', not {mixin_schemas!r}")
    if availability_upsert not in ("replace", "merge"):
        raise ValueError(f"availability_upsert must be 'replace' or 'merge', not {availability_upsert!r}")
    shop = Shop(sandbox, shop_clock, tenant, tuple(languages), mixin_schemas, availability_upsert)
    endpoints = [
        token_endpoint(sandbox, DEFAULT_CLIENTS if clients is None else clients, tenant, token_ttl),
        *template_endpoints(shop),
        *product_endpoints(shop),
        *category_endpoints(shop),
        *assignment_endpoints(shop),
        *price_model_endpoints(shop),
        *price_endpoints(shop),
        *media_endpoints(shop),
        *coupon_endpoints(shop),
        *schema_endpoints(shop),
        *availability_endpoints(shop),
    ]
    routes = [
        *api_routes(sandbox, BASE_PATH, endpoints),
        *control_routes(sandbox, {ep.key for ep in endpoints}, lambda: store.reset(SHOP_TABLES)),
        *clock_routes(shop),
        public_media_route(shop),
    ]
    handlers = {HTTPException: routing_error, ApiError: control_error, Exception: server_error}
    return Starlette(routes=routes, exception_handlers=handlers)


def reset_database(db_path: str | Path) -> None:
    """Empty the shop in ``db_path`` back to its seed (stats and faults too; issued tokens stay)."""
    reset_store(db_path, SHOP_TABLES, MIGRATIONS, seed)
