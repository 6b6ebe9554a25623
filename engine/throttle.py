"""A client-side request budget that outlives one command: at most N requests in any minute per host.

Some platforms block an address that sends more than a number of requests a minute (the Partner API:
60). Retrying after the block is slow and, on some, extends it; so shelf keeps under the limit itself.
The times of the last minute's requests are kept in a small JSON file per host under ``.shelf/ratelimit/``,
so ``shelf plan`` followed at once by ``shelf apply`` (one CI job) shares one budget instead of each
starting from zero. A sliding window rather than a token bucket, because the platform counts requests in
a window, and a window is what can be written down and picked up by the next command. Clock and sleep are
injectable, so tests need not wait a minute.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

WINDOW = 60.0
MARGIN = 1.0
"""Seconds added to the window: a request is counted here when it is sent and by the platform when it
arrives, so without a margin the 61st request could reach the platform a moment before the 1st leaves
its window."""


class RequestBudget:
    def __init__(
        self,
        path: Path | None,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        window: float = WINDOW,
        margin: float = MARGIN,
    ):
        self.path = path
        self.per_minute = max(1, per_minute)
        self.window = window + margin
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._times: list[float] = self._load()
        self.waited = 0.0

    def _load(self) -> list[float]:
        if self.path is None or not self.path.exists():
            return []
        try:
            times = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return (
            sorted(float(t) for t in times if isinstance(t, int | float)) if isinstance(times, list) else []
        )

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self._times), encoding="utf-8")
        os.replace(temporary, self.path)

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        async with self._lock:
            while True:
                now = self._clock()
                self._times = [t for t in self._times if t > now - self.window]
                if len(self._times) < self.per_minute:
                    break
                pause = self._times[0] + self.window - now
                self.waited += pause
                await self._sleep(pause)
            self._times.append(now)
            self._save()


class ThrottledTransport(httpx.AsyncBaseTransport):
    """A transport that spends one unit of ``budget`` per request (retries included) before sending it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, budget: RequestBudget):
        self.inner = inner
        self.budget = budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.budget.acquire()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def budget_file(state_dir: Path, host: str) -> Path:
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in host) or "host"
    return state_dir / "ratelimit" / f"{safe}.json"
