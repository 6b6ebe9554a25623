"""The Partner sandbox app: chains with vendors, static per-chain tokens, async jobs, a per-minute block.

Tokens are the portal's static bearer tokens: each belongs to one chain (held as the permission
``chain:<id>``), at most 11 per chain, without expiry. A token of another chain is 403; a missing or
unknown one 401. The platform blocks an address that sends more than 60 requests a minute; the emulator
counts every caller of one app together (they are one machine) and answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request

from engine.sandbox.api import Sandbox, api_routes, build_app
from engine.sandbox.auth import Clock, Principal
from engine.sandbox.control import control_routes
from engine.sandbox.partner.db import MIGRATIONS, SANDBOX_CHAIN, SHOP_TABLES, seed
from engine.sandbox.partner.endpoints import partner_endpoints
from engine.sandbox.partner.jobs import Jobs
from engine.sandbox.ratelimit import RateLimiter
from engine.sandbox.responses import ApiError
from engine.sandbox.store import Store

BASE_PATH = ""
MAX_TOKENS_PER_CHAIN = 11
PER_MINUTE = 60
ALL_PERMISSIONS: frozenset[str] = frozenset({f"chain:{SANDBOX_CHAIN}"})
DEFAULT_TOKENS: Mapping[str, Collection[str]] = {"sandbox": ALL_PERMISSIONS}


def chain_permission(chain: str) -> str:
    return f"chain:{chain}"


def authorize(request: Request, principal: Principal) -> None:
    chain = request.path_params.get("chain_id", "")
    if chain_permission(chain) not in principal.permissions:
        raise ApiError(403, f"the token is not valid for chain {chain}")


def _check_tokens(tokens: Mapping[str, Collection[str]]) -> None:
    per_chain: dict[str, int] = {}
    for permissions in tokens.values():
        for permission in permissions:
            per_chain[permission] = per_chain.get(permission, 0) + 1
    crowded = sorted(p for p, n in per_chain.items() if n > MAX_TOKENS_PER_CHAIN)
    if crowded:
        raise ValueError(f"at most {MAX_TOKENS_PER_CHAIN} tokens per chain: {', '.join(crowded)}")


def create_app(
    db_path: str | Path,
    *,
    tokens: Mapping[str, Collection[str] | None] | None = None,
    rate_limit: int | None = PER_MINUTE,
    job_delay: float = 0.0,
    price_decimals: Literal["reject", "truncate"] = "reject",
    clock: Clock | None = None,
    faults: Mapping[str, Any] | None = None,
    latency_ms: float | None = None,
) -> Starlette:
    """The app with its state in ``db_path``. ``tokens``: token -> permissions (``chain:<id>``; None for
    the sandbox chain), default one token ``sandbox``. ``rate_limit``: requests a minute before 429
    (None: no block). ``job_delay``: seconds before a job runs. ``clock`` (seconds) drives jobs and the
    block, so tests need not wait."""
    now = clock or time.monotonic
    granted = {t: ALL_PERMISSIONS if p is None else p for t, p in (tokens or DEFAULT_TOKENS).items()}
    _check_tokens(granted)
    sandbox = Sandbox.open(
        db_path, migrations=MIGRATIONS, seed=seed, tokens=granted, authorize=authorize, clock=time.time
    )
    if rate_limit is not None:
        sandbox.limiter = RateLimiter(rate_limit, now, window=60.0)
    sandbox.follow_profile(faults, latency_ms)
    jobs = Jobs(sandbox.store, now, job_delay, price_decimals)
    endpoints = partner_endpoints(sandbox.store, jobs)
    routes = [
        *api_routes(sandbox, BASE_PATH, endpoints),
        *control_routes(sandbox, {ep.key for ep in endpoints}, lambda: sandbox.store.reset(SHOP_TABLES)),
    ]
    return build_app(routes)


def reset_database(db_path: str | Path) -> None:
    """Empty the shop in ``db_path`` back to its seed."""
    store = Store(db_path, MIGRATIONS, seed)
    try:
        store.reset(SHOP_TABLES)
    finally:
        store.close()
