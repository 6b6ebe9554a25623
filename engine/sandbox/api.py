"""The request pipeline every emulated endpoint runs through.

An emulator declares its API as a table of :class:`Endpoint` rows (method, route template, permission,
handler); :func:`api_routes` wraps each handler so that, in order, the request is counted, rate limited,
possibly failed by an injected fault, authenticated and checked for its permission, handled, and finally,
when it succeeded, possibly answered by an ``after_commit`` fault instead (the write happened, the answer
was lost). A refused request leaves ``after_commit`` faults for one that gets through. A queued fault goes
first; a request no queued fault refused meets the shop's fault profile, if any
(:mod:`engine.sandbox.fault_profile`): its latency, then its draw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from engine.sandbox.auth import Clock, Principal, Tokens
from engine.sandbox.fault_profile import Draw, FaultProfile, FaultProfiles, parse_profile, profile_errors
from engine.sandbox.faults import Faults
from engine.sandbox.ratelimit import RateLimiter
from engine.sandbox.responses import EXCEPTION_HANDLERS, ApiError
from engine.sandbox.stats import Stats
from engine.sandbox.store import Migration, Seed, Store

Handler = Callable[[Request, Principal | None], Awaitable[Response]]
Authorize = Callable[[Request, Principal], None]
Render = Callable[["Endpoint", ApiError], Response]
"""Turns a refusal into the platform's own error body; platforms whose error shapes differ per service
(or per status) supply one, others leave it out and answer :meth:`ApiError.response`."""

READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Endpoint:
    """One route of an emulated API. ``template`` is relative to the API's base path, as stats and
    faults name it. ``auth=False`` serves without a token; ``permission`` None with auth needs any valid
    token. ``write`` (default: any method but GET) says whether the call counts as a write."""

    method: str
    template: str
    handler: Handler
    permission: str | None = None
    auth: bool = True
    write: bool | None = None

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def counts_as_write(self) -> bool:
        return self.method not in READ_METHODS if self.write is None else self.write


@dataclass
class Sandbox:
    """The state behind one emulator app: its database and the machinery that reads and writes it."""

    store: Store
    tokens: Tokens
    stats: Stats
    faults: Faults
    limiter: RateLimiter | None = None
    authorize: Authorize | None = None
    render: Render | None = None
    profiles: FaultProfiles | None = None

    def __post_init__(self) -> None:
        if self.profiles is None:
            self.profiles = FaultProfiles(self.store)

    def follow_profile(self, faults: Mapping[str, Any] | None, latency_ms: float | None) -> None:
        """What ``create_app(..., faults=, latency_ms=)`` asks: follow the profile ``faults``, with every
        answer ``latency_ms`` late (over the profile's own). Neither given: keep what the database holds,
        so an app opened on a served sandbox's file follows the served profile. A bad profile is a
        ValueError naming each wrong field."""
        if faults is None and latency_ms is None:
            return
        body: dict[str, Any] = dict(faults or {})
        if latency_ms is not None:
            body["latency_ms"] = latency_ms
        errors = profile_errors(body)
        if errors:
            wrong = "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())
            raise ValueError(f"invalid fault profile: {wrong}")
        assert self.profiles is not None
        self.profiles.set(parse_profile(body))

    def refuse(self, ep: Endpoint, error: ApiError) -> Response:
        """The answer to a refused request, in the platform's error shape."""
        return self.render(ep, error) if self.render is not None else error.response()

    @classmethod
    def open(
        cls,
        db_path: str | Path,
        *,
        migrations: Sequence[Migration],
        seed: Seed | None,
        tokens: Mapping[str, Collection[str]],
        rate_limit: int | None = None,
        authorize: Authorize | None = None,
        configured_install_id: str | None = None,
        clock: Clock = time.time,
        render: Render | None = None,
    ) -> Sandbox:
        store = Store(db_path, migrations, seed)
        return cls(
            store=store,
            tokens=Tokens(store, tokens, configured_install_id=configured_install_id, clock=clock),
            stats=Stats(store),
            faults=Faults(store),
            limiter=RateLimiter(rate_limit) if rate_limit is not None else None,
            authorize=authorize,
            render=render,
        )


def api_routes(sandbox: Sandbox, base_path: str, endpoints: Sequence[Endpoint]) -> list[BaseRoute]:
    """Starlette routes for ``endpoints`` under ``base_path``, each behind the full pipeline."""
    prefix = base_path.rstrip("/")
    return [
        Route(prefix + ep.template, _pipeline(sandbox, ep), methods=[ep.method], name=ep.key)
        for ep in endpoints
    ]


def _pipeline(sandbox: Sandbox, ep: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    assert sandbox.profiles is not None
    profiles = sandbox.profiles

    async def run(request: Request) -> Response:
        sandbox.stats.count(ep.key, write=ep.counts_as_write)
        profile: FaultProfile | None = None
        fate = Draw(None)
        try:
            if sandbox.limiter is not None:
                sandbox.limiter.admit()
            fault = sandbox.faults.take(ep.key, after_commit=False)
            if fault is not None:
                return sandbox.refuse(ep, fault.error())
            drawn = profiles.next(ep.key)
            if drawn is not None:
                profile, fate = drawn
                if profile.latency_ms:
                    await asyncio.sleep(profile.latency_ms / 1000)
                refused = _refusal(ep, profile, fate)
                if refused is not None:
                    return sandbox.refuse(ep, refused)
                if fate.kind == "drop" and fate.before:
                    return DroppedConnection()
            principal = None
            if ep.auth:
                principal = sandbox.tokens.authenticate(request)
                if sandbox.authorize is not None:
                    sandbox.authorize(request, principal)
                if ep.permission is not None:
                    principal.require(ep.permission, ep.key)
            response = await ep.handler(request, principal)
        except ApiError as exc:
            return sandbox.refuse(ep, exc)
        if response.status_code >= 400:
            return response
        lost = sandbox.faults.take(ep.key, after_commit=True)
        if lost is not None:
            return sandbox.refuse(ep, lost.error())
        if fate.kind == "lost":
            return sandbox.refuse(ep, ApiError(fate.status, f"injected fault on {ep.key} (answer lost)"))
        if fate.kind == "drop":
            return DroppedConnection()
        if fate.kind == "slow" and profile is not None:
            await asyncio.sleep(profile.slow_ms / 1000)
        return response

    return run


def _refusal(ep: Endpoint, profile: FaultProfile, fate: Draw) -> ApiError | None:
    """The error a drawn 5xx or 429 answers with, before the request is looked at."""
    if fate.kind == "5xx":
        return ApiError(fate.status, f"injected fault on {ep.key}")
    if fate.kind == "429":
        headers = {"Retry-After": str(profile.retry_after)}
        return ApiError(429, f"injected fault on {ep.key}: too many requests", headers=headers)
    return None


class ConnectionDropped(ConnectionResetError):
    """Raised by the app to end a request without an answer. Served, the server closes the connection
    (it has started an answer, so it cannot send a 500 instead); in-process,
    :class:`engine.sandbox.transport.InProcessTransport` turns it into the client's transport error."""


class DroppedConnection(Response):
    """An answer that never arrives: the status line and headers promise a body, then the connection
    goes, which is what a client sees when a server or a proxy dies mid-answer."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        raise ConnectionDropped("connection dropped by an injected fault")


def build_app(routes: Sequence[BaseRoute]) -> Starlette:
    """A Starlette app whose every error, routing misses included, has the platform error shape."""
    return Starlette(routes=list(routes), exception_handlers=dict(EXCEPTION_HANDLERS))
