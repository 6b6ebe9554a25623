"""Benchmark: a large generated catalog applied to two vendors of the in-process Partner API sandbox.

The sandbox blocks above 60 requests a minute (as the platform does) and shelf keeps to its own budget of
60, so the wall times include the waits that budget imposes; the benchmark counts every 429 the client
meets (there should be none). Measures requests per route against the API's minimum for a first apply, a
no-op plan, one price change and 500 price changes.

    python benchmarks/bench_partner.py [--skus 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.platforms.partner.api import PAGE_SIZE
from engine.platforms.partner.writes import CHUNK
from engine.sandbox.partner import create_app

VENDORS = ("vendor-marina", "vendor-downtown")
CONFIG = (
    "recipes: [recipes]\n"
    "default_target: uae\n"
    "targets:\n"
    "  uae:\n"
    "    platform: partner\n"
    "    sandbox: true\n"
    f"    vendors: [{', '.join(VENDORS)}]\n"
)
LIST = "GET /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
POST = "POST /v2/chains/{chain_id}/catalog"
PUT = "PUT /v2/chains/{chain_id}/vendors/{vendor_id}/catalog"
JOB = "GET /v2/chains/{chain_id}/catalog/jobs/{job_id}"


class Counting(httpx.AsyncBaseTransport):
    """The in-process sandbox, counting the 429s the client meets."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.blocked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.blocked += response.status_code == 429
        return response


def write_catalog(root: Path, skus: int, changed: int = 0) -> None:
    lines = ["products:"]
    for i in range(skus):
        price = "13.50" if i < changed else "12.50"
        lines += [
            f"  - key: item-{i:05}",
            f"    title: {{en: Item {i}, ar: صنف {i}}}",
            f"    price: {price}",
            f"    sku: SKU-{i:05}",
            "    stock: 20",
        ]
    (root / "recipes").mkdir(exist_ok=True)
    (root / "recipes" / "items.yaml").write_text("\n".join(lines) + "\n")


async def main(skus: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-partner-"))
    try:
        write_catalog(root, skus)
        (root / "shelf.yaml").write_text(CONFIG)
        config = load_config(None, root)
        db = config.state_dir / "sandbox" / "partner.sqlite"
        db.parent.mkdir(parents=True, exist_ok=True)
        counting = Counting(httpx.ASGITransport(app=create_app(db)))
        pages = math.ceil(skus / PAGE_SIZE) * len(VENDORS)
        creates = math.ceil(skus / CHUNK)
        puts = creates * len(VENDORS)  # the quantities of the new SKUs, per vendor, in the same chunks

        async def apply_all() -> None:
            async with open_session(config, None, transport=counting) as session:
                plan, _ = await read_and_plan(session)
                report = await apply_plan(session, plan)
                assert report.ok, (report.failed[:3], list(report.not_converged.items())[:3])

        async def noop_plan() -> None:
            async with open_session(config, None, transport=counting) as session:
                plan, _ = await read_and_plan(session)
                assert plan.empty, plan.changes[:3]

        def app(path: Path) -> object:
            return create_app(path, rate_limit=None)

        async def phase(label: str, job: object, minimum: dict[str, int]) -> None:
            before = counting.blocked
            await harness.measure(label, job, app, db, minimum, width=56)  # type: ignore[arg-type]
            print(f"  429 answers met: {counting.blocked - before}")

        await phase(
            f"first apply of {skus} SKUs to {len(VENDORS)} vendors (with stock)",
            apply_all,
            {LIST: len(VENDORS) + pages, POST: creates, PUT: puts, JOB: creates + puts},
        )
        await phase("plan with nothing to change", noop_plan, {LIST: pages})
        write_catalog(root, skus, changed=1)
        await phase(
            "apply of one price change",
            apply_all,
            {LIST: pages + len(VENDORS), PUT: len(VENDORS), JOB: len(VENDORS)},  # verify: 1 search per vendor
        )
        write_catalog(root, skus, changed=500)
        await phase(
            "apply of 500 price changes", apply_all, {LIST: 2 * pages, PUT: len(VENDORS), JOB: len(VENDORS)}
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=2000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.skus))
