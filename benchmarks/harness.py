"""What every benchmark shares: reading a sandbox's request counts and timing one phase."""

from __future__ import annotations

import resource
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

AppFactory = Callable[[Path], Any]


async def stats(create_app: AppFactory, db: Path) -> dict[str, Any]:
    """The sandbox's counts since the last call (they are reset after reading)."""
    transport = httpx.ASGITransport(app=create_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        result: dict[str, Any] = (await client.get("/_sandbox/stats")).json()
        await client.post("/_sandbox/stats/reset")
        return result


async def measure(
    label: str,
    job: Callable[[], Awaitable[Any]],
    create_app: AppFactory,
    db: Path,
    minimum: dict[str, int],
    *,
    width: int = 40,
) -> None:
    """Wall time of the job, then the process's peak resident memory so far (a high-water mark), and the
    requests per route next to the minimum the API allows."""
    started = time.perf_counter()
    await job()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    counts = await stats(create_app, db)
    requests = counts["requests"]
    print(
        f"\n{label}: {elapsed:.2f} s, peak RSS {peak / 2**20:.0f} MiB, {sum(requests.values())} requests"
        f" ({counts['writes']} writes), {counts['upload_bytes']:,} bytes uploaded"
    )
    for route, n in sorted(requests.items()):
        floor = minimum.get(route)
        print(f"  {route:<{width}} {n:>6}" + (f"   (minimum {floor})" if floor is not None else ""))
