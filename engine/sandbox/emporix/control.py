"""The Emporix part of the sandbox control API: the shop's clock.

``GET /_sandbox/clock`` answers ``{"now", "offset"}``; ``POST /_sandbox/clock {"advance": seconds}``
moves the sandbox's time forward (or back, with a negative number) for every app on the same file, so
that tests can let tokens expire and coupons start or end. A reset of the shop keeps the clock.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.sandbox.control import CONTROL_PREFIX
from engine.sandbox.emporix.context import Shop
from engine.sandbox.validation import SchemaValidator, json_body

ADVANCE = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["advance"],
        "properties": {"advance": {"type": "number"}},
    }
)


def clock_routes(shop: Shop) -> list[BaseRoute]:
    def state() -> JSONResponse:
        return JSONResponse({"now": shop.timestamp(), "offset": shop.clock.offset()})

    async def read(request: Request) -> Response:
        return state()

    async def advance(request: Request) -> Response:
        body = await json_body(request, ADVANCE)
        shop.clock.advance(float(body["advance"]))
        return state()

    return [
        Route(f"{CONTROL_PREFIX}/clock", read, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/clock", advance, methods=["POST"]),
    ]
