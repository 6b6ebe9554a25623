"""Benchmark: how fast each emulator answers one list page at catalog scale, so benchmarks of shelf
measure shelf. Each shop is seeded in bulk straight into its tables, then one page is asked for several
times over in-process HTTP; the median CPU time of the whole request (routing, auth, SQL, building and
encoding the answer, and the client's decoding) is reported.

    python benchmarks/bench_emulator_reads.py [--products 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from engine.sandbox.appxite.app import create_app as appxite_app
from engine.sandbox.appxite.bulk import seed_orders
from engine.sandbox.appxite.db import ACME, GLOBEX
from engine.sandbox.partner import create_app as partner_app
from engine.sandbox.partner.bulk import seed_products as seed_partner
from engine.sandbox.store import Store
from engine.sandbox.xpage.app import create_app as xpage_app
from engine.sandbox.xpage.bulk import seed_products as seed_xpage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "appxite"))
from appxite_support import headers as appxite_headers  # the headers the AppXite API requires


async def page_cpu(app: Any, url: str, params: dict[str, Any], headers: dict[str, str], repeat: int) -> str:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox", headers=headers
    ) as client:
        (await client.get(url, params=params)).raise_for_status()  # warm
        spent = []
        for _ in range(repeat):
            started = time.process_time()
            response = await client.get(url, params=params)
            response.raise_for_status()
            spent.append(time.process_time() - started)
    return f"{statistics.median(spent) * 1000:.1f} ms CPU, {len(response.content):,} bytes"


async def main(products: int, repeat: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-reads-"))
    try:
        app = xpage_app(root / "xpage.sqlite")
        with Store(root / "xpage.sqlite").write() as db:
            seed_xpage(db, products)
        last = products // 200
        print(
            f"xPage, page {last} of 200 at {products} products (12 variants each):",
            await page_cpu(
                app,
                "/api/apps/v1/product",
                {"page": last, "page_size": 200},
                {"Authorization": "Bearer sandbox"},
                repeat,
            ),
        )
        app = partner_app(root / "partner.sqlite")
        with Store(root / "partner.sqlite").write() as db:
            seed_partner(db, products)
        print(
            f"Partner API, page {last} of 200 at {products} SKUs:",
            await page_cpu(
                app,
                "/v2/chains/sandbox/vendors/vendor-marina/catalog",
                {"page": last, "page_size": 200},
                {"Authorization": "Bearer sandbox"},
                repeat,
            ),
        )
        app = appxite_app(root / "appxite.sqlite")
        with Store(root / "appxite.sqlite").write() as db:
            seed_orders(db, products - 200, organization=ACME)
            seed_orders(db, 200, organization=GLOBEX)
        print(
            f"AppXite, an organization's 200 orders among {products}:",
            await page_cpu(app, "/orders/", {}, appxite_headers(GLOBEX), repeat),
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.products, arguments.repeat))
