"""Benchmark: planning at catalog scale, shelf's CPU apart from the emulator's and from recipe loading.

Two measurements:

* a plan with nothing to change, N products (2 options, 12 variants each) against the xPage emulator
  served over loopback HTTP in its own process (seeded in bulk: creating 10,000 products through the
  API would take minutes), with shelf's CPU split into loading the recipes and the rest (reading pages,
  mapping, preparing, diffing), shelf's peak memory, the emulator's CPU, and the wall time;
* verification's planning after an apply that touched K of N products (their price changed): the
  desired catalog cut to the touched products, prepared-catalog shape, diffed and selected exactly as
  :func:`engine.core.read_and_plan` does it with ``exact``; reading is the emulator's and left out.

    python benchmarks/bench_plan_scale.py [--products 10000] [--touched 1000,4000,8000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx

from engine.model import Catalog, Category, Product, Variant
from engine.plan.planner import make_plan
from engine.plan.scope import cut_to
from engine.platforms.base import AddressSet, Capabilities, LiveState
from engine.sandbox.store import Store
from engine.sandbox.xpage.app import create_app
from engine.sandbox.xpage.bulk import COLORS, SIZES, seed_products
from engine.sandbox.xpage.db import category_id

TOKEN = "bench-token"


def write_recipes(root: Path, products: int) -> None:
    """The catalog :func:`engine.sandbox.xpage.bulk.seed_products` puts in the shop, as recipes. SKUs
    are written out rather than templated: the recipes' budget for rendering templates (3 s) stops a
    catalog of 10,000 templated products before any plan."""
    (root / "recipes").mkdir(parents=True)
    (root / "recipes" / "categories.yaml").write_text("categories:\n  - key: home\n    name: Home\n")
    lines = ["products:"]
    for i in range(products):
        lines += [
            f"  - key: item-{i:05d}",
            f"    title: Item {i}",
            f"    description: Generated product number {i}.",
            "    category: home",
            "    properties: {Material: Cotton}",
            "    options:",
            f"      Size: [{', '.join(SIZES)}]",
            f"      Color: [{', '.join(COLORS)}]",
            "    variant_defaults: {price: 20.00}",
            "    variants:",
            *(f"      - {{Size: {s}, Color: {c}, sku: ITEM-{i:05d}-{s}-{c}}}" for s in SIZES for c in COLORS),
        ]
    (root / "recipes" / "products.yaml").write_text("\n".join(lines) + "\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_of(pid: int) -> float:
    """User + system seconds a running process has spent (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _drive(root: Path) -> None:
    """In the child process: one plan, timed in its parts; prints them as JSON."""
    from engine.config import load_config
    from engine.core import open_session, read_and_plan

    config = load_config(None, root)
    started = time.process_time()
    async with open_session(config, None) as session:
        loaded = time.process_time()
        plan, _ = await read_and_plan(session)
        planned = time.process_time()
    assert plan.empty, plan.changes[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load": loaded - started, "plan": planned - loaded, "peak_mib": peak}))


def noop_plan(products: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="shelf-bench-scale-"))
    served = Path(tempfile.mkdtemp(prefix="shelf-bench-served-"))  # no shelf.yaml in it or above it
    try:
        write_recipes(root, products)
        db = root / "shop.sqlite"
        create_app(db)  # migrated and seeded
        with Store(db).write() as conn:
            seed_products(conn, products)
        port = _free_port()
        (root / "shelf.yaml").write_text(
            "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
            f"    base_url: http://127.0.0.1:{port}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n"
            f"    categories: {{home: {category_id('Home')}}}\n"
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "engine",
                "sandbox",
                "serve",
                "--platform",
                "xpage",
                "--db",
                str(db),
                "--port",
                str(port),
                "--token",
                TOKEN,
            ],
            cwd=served,  # so the server does not load the 10,000 recipes to offer their categories
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(1200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            httpx.post(f"http://127.0.0.1:{port}/_sandbox/stats/reset")
            before = _cpu_of(server.pid)
            started = time.perf_counter()
            child = subprocess.run(
                [sys.executable, __file__, "--drive", str(root)],
                env={**os.environ, "XPAGE_TOKEN": TOKEN},
                capture_output=True,
                text=True,
                check=True,
            )
            wall = time.perf_counter() - started
            emulator = _cpu_of(server.pid) - before
            requests = httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats").json()["requests"]
        finally:
            server.terminate()
            server.wait()
        parts = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"no-op plan of {products} products over loopback HTTP: wall {wall:.1f} s;"
            f" shelf CPU {parts['load'] + parts['plan']:.1f} s (recipes {parts['load']:.1f} s,"
            f" read + prepare + diff {parts['plan']:.1f} s), peak {parts['peak_mib']:.0f} MiB;"
            f" emulator CPU {emulator:.1f} s; requests {requests}"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(served, ignore_errors=True)


def _product(i: int, price: str) -> Product:
    variants = tuple(
        Variant(sku=f"ITEM-{i:05d}-{s}-{c}", price=Decimal(price), options=(("Size", s), ("Color", c)))
        for s in SIZES
        for c in COLORS
    )
    return Product(key=f"item-{i:05d}", title={"*": f"Item {i}"}, category="home", variants=variants)


def verify_planning(products: int, touched: int) -> None:
    home = Category(key="home", name={"*": "Home"})
    desired = Catalog(categories={"home": home})
    live = LiveState()
    live.catalog.categories["home"] = home
    live.ids["category.home"] = "c-home"
    for i in range(products):
        desired.products[f"item-{i:05d}"] = _product(i, "20")
    for i in range(touched):
        live.catalog.products[f"item-{i:05d}"] = _product(i, "21")
        live.ids[f"product.item-{i:05d}"] = str(i)
    only = [f"product.item-{i:05d}" for i in range(touched)]
    started = time.process_time()
    plan = make_plan(
        target="shop",
        platform="xpage",
        desired=cut_to(desired, only),
        live=live,
        capabilities=Capabilities(managed=frozenset({"products"}), referenced=frozenset({"categories"})),
        only=only,
        read=AddressSet(only),
    )
    spent = time.process_time() - started
    assert len(plan.changes) == touched
    print(f"verification planning, {touched} of {products} products touched: {spent:.2f} s CPU")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument(
        "--touched", default="1000,4000,8000", help="comma-separated counts (default %(default)s)"
    )
    parser.add_argument("--drive", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.drive:
        asyncio.run(_drive(arguments.drive))
    else:
        noop_plan(arguments.products)
        for count in map(int, arguments.touched.split(",")):
            verify_planning(arguments.products, count)
