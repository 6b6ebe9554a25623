"""The network between a client and an in-process sandbox, failing as a real one would.

``httpx.ASGITransport`` hands requests straight to the app: it has no timeouts, and an app that ends a
request without an answer surfaces in the client as that app's own exception. A client that is to meet
the fault profile's ``slow`` and ``drop`` answers in-process needs the network's behaviour instead, so
this transport waits for each answer only as long as the request's read timeout allows (the client's
setting, which httpx puts on every request; ``timeout`` here caps it, for a test that cannot wait half a
minute per slow answer) and raises ``httpx.ReadTimeout`` after that, and it turns a dropped connection
into ``httpx.RemoteProtocolError``, as httpx reports a server that closed the connection mid-answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from engine.sandbox.api import ConnectionDropped


class InProcessTransport(httpx.ASGITransport):
    def __init__(self, app: Any, *, timeout: float | None = None, **options: Any):
        super().__init__(app=app, **options)
        self.timeout = timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        wait = self._wait(request)
        try:
            if wait is None:
                return await super().handle_async_request(request)
            return await asyncio.wait_for(super().handle_async_request(request), wait)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {wait:g} s", request=request) from None

    def _wait(self, request: httpx.Request) -> float | None:
        asked = request.extensions.get("timeout", {}).get("read")
        limits = [t for t in (asked, self.timeout) if t is not None]
        return min(limits) if limits else None
