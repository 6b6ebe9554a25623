"""Benchmark: a large generated catalog applied to the in-process xPage sandbox.

Measures, for N products with variants: requests per route against the minimum the API allows, bytes
uploaded, wall time, and peak resident memory, for a first apply, a no-op plan and a one-price change.
With ``--images K``, every product has K pictures (every tenth product's last one with alt text, which
cannot ride in the create request: it is uploaded, then placed by one update), and three more phases
run: one picture's bytes changed, one product's pictures reordered, and a plan after the hash cache is
warm.

    python benchmarks/bench_xpage.py [--products 1000] [--images 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import harness

from engine.config import Config, load_config
from engine.core import apply_plan, open_session, read_and_plan
from engine.sandbox.xpage.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pictures import write_png  # the tests' pure-Python PNG writer

AN_HOUR_AGO = time.time() - 3600


def write_pictures(root: Path, product: int, count: int) -> list[str]:
    """``count`` distinct small PNGs for one product, dated an hour back as a checkout's files are; the
    recipe entries naming them."""
    entries = []
    for n in range(count):
        name = f"images/item-{product:05d}/view-{n}.png"
        path = root / "recipes" / name
        write_png(path, seed=product * count + n, size=16)
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
        with_alt = n == count - 1 and product % 10 == 0
        entries.append(f"{{file: {name}, alt: View {n}}}" if with_alt else name)
    return entries


def write_catalog(root: Path, products: int, images: int = 0) -> None:
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
        if images:
            lines += ["    images:", *(f"      - {e}" for e in write_pictures(root, i, images))]
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
    return await harness.stats(create_app, db)


async def measure(label: str, job: Callable[[], Awaitable[Any]], db: Path, minimum: dict[str, int]) -> None:
    await harness.measure(label, job, create_app, db, minimum, width=40)


async def main(products: int, images: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-"))
    try:
        write_catalog(root, products, images)
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

        with_alt = len(range(0, products, 10)) if images else 0
        await measure(
            f"first apply of {products} products, {images} pictures each",
            first_apply,
            db,
            {
                "POST /product": products,
                "GET /product": 1 + pages,
                "POST /file": with_alt,
                "POST /product/{id}/update": with_alt,
            },
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
        if images:
            await picture_phases(config, products, images, db, noop_plan)
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def picture_phases(
    config: Config, products: int, images: int, db: Path, noop_plan: Callable[[], Awaitable[None]]
) -> None:
    """One picture's bytes changed, then one product's pictures reordered, then a no-op plan whose
    hashes all come from the cache."""
    root = config.root
    pages = math.ceil(products / 200)

    async def apply_all() -> None:
        async with open_session(config, None) as session:
            plan, _ = await read_and_plan(session)
            assert (await apply_plan(session, plan)).ok

    write_png(root / "recipes" / "images" / "item-00001" / "view-0.png", seed=10**6, size=16)
    await measure(
        "apply of one changed picture",
        apply_all,
        db,
        {"POST /file": 1, "POST /product/{id}/update": 1, "POST /file/{id}": 1},
    )
    if images > 1:
        recipe = root / "recipes" / "products.yaml"
        first, second = "images/item-00002/view-0.png", "images/item-00002/view-1.png"
        text = recipe.read_text().replace(first, "SWAP").replace(second, first).replace("SWAP", second)
        recipe.write_text(text)
        minimum = {"POST /product/{id}/update": 1}
        await measure("apply of one product's pictures reordered", apply_all, db, minimum)
    cached = f"plan with nothing to change, {products * images} hashes from the cache"
    await measure(cached, noop_plan, db, {"GET /product": pages})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--images", type=int, default=0, help="pictures per product (default none)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.products, arguments.images))
