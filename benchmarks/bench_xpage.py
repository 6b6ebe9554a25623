"""Benchmark: a large generated catalog applied to the in-process xPage sandbox.

Measures, for N products with variants: requests per route against the minimum the API allows, wall
time, and peak resident memory, for a first apply, a no-op plan and a one-price change.

    python benchmarks/bench_xpage.py [--products 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from engine.config import load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.platforms.xpage.sandbox import create_app


def write_catalog(root: Path, products: int) -> None:
    recipes = root / "recipes"
    recipes.mkdir(parents=True)
    (recipes / "categories.yaml").write_text(
        "categories:\n  - key: apparel\n    name: Apparel\n  - key: home\n    name: Home\n"
    )
    lines = ["products:"]
    for i in range(products):
        category = "apparel" if i % 2 else "home"
        lines += [
            f"  - key: item-{i:05d}",
            f"    title: Item {i}",
            f"    description: Generated product number {i}.",
            f"    category: {category}",
            "    properties: {Material: Cotton}",
        ]
        if i % 3 == 0:
            lines += [f"    sku: ITEM-{i:05d}", "    price: 12.50"]
        else:
            lines += [
                "    options:",
                "      Size: [S, M, L]",
                "      Color: [Red, Blue]",
                "    variant_defaults:",
                f'      sku: "ITEM-{i:05d}-{{{{ Size }}}}-{{{{ Color }}}}"',
                "      price: 20.00",
            ]
    (recipes / "products.yaml").write_text("\n".join(lines) + "\n")


async def stats(db: Path) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=create_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        result: dict[str, Any] = (await client.get("/_sandbox/stats")).json()
        await client.post("/_sandbox/stats/reset")
        return result


async def measure(label: str, job: Callable[[], Awaitable[Any]], db: Path, minimum: dict[str, int]) -> None:
    """Wall time of the job, then the process's peak resident memory so far (a high-water mark)."""
    started = time.perf_counter()
    await job()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    counts = await stats(db)
    requests = counts["requests"]
    total = sum(requests.values())
    print(f"\n{label}: {elapsed:.2f} s, peak RSS {peak / 2**20:.0f} MiB, {total} requests")
    for route, n in sorted(requests.items()):
        floor = minimum.get(route)
        print(f"  {route:<32} {n:>6}" + (f"   (minimum {floor})" if floor is not None else ""))


async def main(products: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-"))
    try:
        write_catalog(root, products)
        config = load_config(None, root)
        db = config.state_dir / "sandbox" / "xpage.sqlite"
        pages = math.ceil(products / 200)

        async def first_apply() -> None:
            async with open_session(config, None) as session:
                plan, _ = await read_and_plan(session)
                report = await apply_plan(session, plan)
                assert report.ok, report.failed[:3]

        async def noop_plan() -> None:
            async with open_session(config, None) as session:
                plan, _ = await read_and_plan(session)
                assert plan.empty, plan.changes[:3]

        await measure(
            f"first apply of {products} products", first_apply, db,
            {"POST /product": products, "GET /product": 1 + pages},
        )
        await stats(db)
        await measure("plan with nothing to change", noop_plan, db, {"GET /product": pages})

        recipe = root / "recipes" / "products.yaml"
        recipe.write_text(recipe.read_text().replace("price: 12.50", "price: 13.50", 1))

        async def one_change() -> None:
            async with open_session(config, None) as session:
                plan, _ = await read_and_plan(session)
                assert len(plan.changes) == 1
                assert (await apply_plan(session, plan)).ok

        await measure("apply of one price change", one_change, db, {"POST /product/{id}/update": 1})
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    asyncio.run(main(parser.parse_args().products))
