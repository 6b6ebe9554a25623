"""A per-app request budget, for platforms that answer 429 with Retry-After.

The window slides: at most ``per_second`` requests in any one-second span (or in any ``window`` seconds,
for platforms that publish a per-minute limit). It lives in memory, per app,
because a limit belongs to one server; the time is injectable so tests need not sleep.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from engine.sandbox.responses import ApiError

WINDOW = 1.0


class RateLimiter:
    def __init__(
        self, per_second: int, clock: Callable[[], float] = time.monotonic, *, window: float = WINDOW
    ):
        if per_second < 1:
            raise ValueError("rate limit must be at least 1 request per second")
        self._limit = per_second
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> None:
        """Count one request, or raise 429 telling when the next one would be admitted."""
        with self._lock:
            now = self._clock()
            while self._times and self._times[0] <= now - self._window:
                self._times.popleft()
            if len(self._times) >= self._limit:
                wait = max(1, math.ceil(self._times[0] + self._window - now))
                raise ApiError(
                    429,
                    f"rate limit of {self._limit} requests per {self._span()} exceeded; retry after {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            self._times.append(now)

    def _span(self) -> str:
        return "second" if self._window == WINDOW else f"{self._window:g} seconds"
