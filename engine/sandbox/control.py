"""The control API under ``/_sandbox/``: not part of any platform, never authenticated.

Tests and ``shelf sandbox`` use it to look at what a client sent (stats), to make the platform fail on
cue (faults) and to start from an empty shop (reset). Bodies are bare JSON, without the platform's
``data`` envelope, because no platform client ever reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.sandbox.api import Sandbox
from engine.sandbox.fault_profile import FaultProfiles, parse_profile, profile_errors
from engine.sandbox.responses import invalid
from engine.sandbox.validation import json_body

CONTROL_PREFIX = "/_sandbox"


def control_routes(
    sandbox: Sandbox, api_routes: Collection[str], reset: Callable[[], None]
) -> list[BaseRoute]:
    """Routes for stats, faults (queued ones and the random profile) and reset. ``api_routes`` are the
    "METHOD /template" keys a fault may name; ``reset`` empties the platform's shop back to its seed."""

    async def stats(request: Request) -> Response:
        return JSONResponse(sandbox.stats.snapshot())

    async def stats_reset(request: Request) -> Response:
        sandbox.stats.reset()
        return Response(status_code=204)

    async def shop_reset(request: Request) -> Response:
        reset()
        return Response(status_code=204)

    async def add_fault(request: Request) -> Response:
        fault = sandbox.faults.add_from_json(await json_body(request), api_routes)
        return JSONResponse(fault.as_json(), status_code=201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse([f.as_json() for f in sandbox.faults.pending()])

    async def clear_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    profiles = sandbox.profiles or FaultProfiles(sandbox.store)

    async def set_profile(request: Request) -> Response:
        body = await json_body(request)
        errors = profile_errors(body)
        if errors:
            raise invalid(errors)
        profile = parse_profile(body)
        profiles.set(profile)
        return JSONResponse(profile.as_json())

    async def show_profile(request: Request) -> Response:
        profile = profiles.current()
        return JSONResponse(profile.as_json() if profile is not None else None)

    async def drop_profile(request: Request) -> Response:
        profiles.set(None)
        return Response(status_code=204)

    table: list[tuple[str, str, Callable[[Request], Any]]] = [
        ("GET", "/stats", stats),
        ("POST", "/stats/reset", stats_reset),
        ("POST", "/reset", shop_reset),
        ("POST", "/faults", add_fault),
        ("GET", "/faults", list_faults),
        ("DELETE", "/faults", clear_faults),
        ("POST", "/faults/profile", set_profile),
        ("GET", "/faults/profile", show_profile),
        ("DELETE", "/faults/profile", drop_profile),
    ]
    return [Route(CONTROL_PREFIX + path, fn, methods=[method]) for method, path, fn in table]
