"""Benchmark: a large generated catalog applied to the in-process Emporix sandbox.

The catalog is the xPage benchmark's (a third of the products simple, the rest with 2 options and 6
variants). Measures requests per route against the minimum the API allows (bulk requests of 200 items
across products, one template for the shared option set), bytes
uploaded, wall time, and peak resident memory, for a first apply, a no-op plan and a one-price change;
with ``--images K``, every product also has K pictures, and one more phase changes one picture.

    python benchmarks/bench_emporix.py [--products 1000] [--images 0]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from bench_xpage import write_catalog, write_png  # the same generated catalog and pictures

from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.platforms.emporix.api import BULK_LIMIT, PAGE_SIZE
from engine.sandbox.emporix.app import create_app

CONFIG = (
    "recipes: [recipes]\n"
    "default_target: emporix\n"
    "targets:\n"
    "  emporix:\n"
    "    platform: emporix\n"
    "    sandbox: true\n"
    "    languages: [en, de]\n"
)


async def stats(db: Path) -> dict[str, Any]:
    return await harness.stats(create_app, db)


async def measure(label: str, job: Callable[[], Awaitable[Any]], db: Path, minimum: dict[str, int]) -> None:
    await harness.measure(label, job, create_app, db, minimum, width=82)


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PAGE_SIZE))


async def main(products: int, images: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-emporix-"))
    try:
        write_catalog(root, products, images)
        (root / "shelf.yaml").write_text(CONFIG)
        config = load_config(None, root)
        db = config.state_dir / "sandbox" / "emporix.sqlite"
        simple = len(range(0, products, 3))
        parents = products - simple
        variants = parents * 6
        items = simple + variants

        async def apply_all() -> None:
            async with open_session(config, None) as session:
                plan, _ = await read_and_plan(session)
                report = await apply_plan(session, plan)
                assert report.ok, (report.failed[:3], list(report.not_converged.items())[:3])

        async def noop_plan() -> None:
            async with open_session(config, None) as session:
                plan, _ = await read_and_plan(session)
                assert plan.empty, plan.changes[:3]

        listing = {
            "GET /product/{tenant}/products": _pages(products + variants),
            "GET /price/{tenant}/prices": _pages(items),
            "GET /media/{tenant}/assets": _pages(products * images),
            "GET /category/{tenant}/categories": 1,
            "GET /coupon/{tenant}/coupons": 1,
        }
        bulk = {"products": products + variants, "prices": items}
        first = {
            "PUT /category/{tenant}/categories/{categoryId}": 2,
            "POST /product/{tenant}/product-templates": 1 if parents else 0,
            "PUT /product/{tenant}/products/bulk": math.ceil(bulk["products"] / BULK_LIMIT),
            "PUT /price/{tenant}/prices/bulk": math.ceil(bulk["prices"] / BULK_LIMIT),
            "PUT /category/{tenant}/categories/{categoryId}/assignments/references/bulk": sum(
                math.ceil(n / BULK_LIMIT) for n in (len(range(1, products, 2)), len(range(0, products, 2)))
            ),
            "POST /media/{tenant}/assets": products * images,
            "POST /oauth/token": 1,
        }
        await measure(
            f"first apply of {products} products ({variants} variants), {images} pictures each",
            apply_all,
            db,
            first,
        )
        await measure("plan with nothing to change", noop_plan, db, {**listing, "POST /oauth/token": 1})

        recipe = root / "recipes" / "products.yaml"
        recipe.write_text(recipe.read_text().replace("price: 12.50", "price: 13.50", 1))
        await measure(
            "apply of one price change",
            apply_all,
            db,
            {"PUT /price/{tenant}/prices/{priceId}": 1, "POST /oauth/token": 1},
        )
        if images:
            write_png(root / "recipes" / "images" / "item-00001" / "view-0.png", seed=10**6, size=16)
            await measure(
                "apply of one changed picture",
                apply_all,
                db,
                {"POST /media/{tenant}/assets": 1, "DELETE /media/{tenant}/assets/{assetId}": 1},
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--images", type=int, default=0, help="pictures per product (default none)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.products, arguments.images))
