"""What the Emporix fault tests share: a generated catalog with every kind of object shelf creates on
Emporix, faults injected into the sandbox, a transport that loses answers, and counts of what the shop
holds afterwards.

Nothing here is a test.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from emporix_e2e_support import call, listing
from pictures import minimal_pdf, write_png

CREATE_ROUTES = (
    "POST /product/{tenant}/product-templates",
    "PUT /product/{tenant}/products/{productId}",
    "PUT /product/{tenant}/products/bulk",
    "PUT /category/{tenant}/categories/{categoryId}",
    "PUT /category/{tenant}/categories/{categoryId}/assignments/references/{referenceId}",
    "PUT /category/{tenant}/categories/{categoryId}/assignments/references/bulk",
    "PUT /price/{tenant}/prices/{priceId}",
    "PUT /price/{tenant}/prices/bulk",
    "POST /media/{tenant}/assets",
    "POST /coupon/{tenant}/coupons",
    "POST /schema/{tenant}/schemas",
    "PUT /availability/{tenant}/availability/{productId}/{site}",
    "PUT /availability/{tenant}/availability/bulk",
)
"""Every route through which shelf creates something on Emporix."""


def write_catalog(repo: Path, products: int, *, coupons: int = 2) -> None:
    """``products`` products under ``recipes/``: a third without options (every fifth of those digital,
    with a file), the rest with options (half of them with two), each with its own image, a price
    (some with a compare price), stock and a category; ``coupons`` category-restricted coupons."""
    recipes = repo / "recipes"
    recipes.mkdir(parents=True, exist_ok=True)
    (recipes / "categories.yaml").write_text(
        "categories:\n"
        "  - {key: goods, name: Goods}\n"
        "  - {key: wear, name: Wear, parent: goods}\n"
        "  - {key: house, name: House, parent: goods}\n"
        "  - {key: books, name: Books}\n"
    )
    lines = ["products:"]
    for i in range(products):
        key = f"item-{i:03d}"
        write_png(recipes / "images" / f"{key}.png", seed=i + 1)
        category = ("wear", "house", "books")[i % 3]
        lines += [
            f"  - key: {key}",
            f"    title: Item {i}",
            f"    category: {category}",
            f"    images: [images/{key}.png]",
            f"    properties: {{Batch: '{i % 4}'}}",
        ]
        if i % 3 == 0:
            lines += [f"    sku: SKU-{i:03d}", f"    price: {10 + i % 7}.50", "    stock: 5"]
            if i % 5 == 0:
                pdf = recipes / "files" / f"{key}.pdf"
                pdf.parent.mkdir(parents=True, exist_ok=True)
                pdf.write_bytes(minimal_pdf(f"Item {i}", [f"number {i}"]))
                lines += ["    digital: true", f"    files: [files/{key}.pdf]"]
            continue
        colours = "      Color: [Red, Blue]\n" if i % 2 else ""
        lines += [
            "    options:",
            "      Size: [S, M, L]",
            *([colours.rstrip("\n")] if colours else []),
            "    variant_defaults:",
            f'      sku: "SKU-{i:03d}-{{{{ Size }}}}{"-{{ Color }}" if colours else ""}"',
            "      price: 20.00",
            *(["      compare_price: 25.00"] if i % 4 == 1 else []),
            "      stock: 3",
        ]
    (recipes / "products.yaml").write_text("\n".join(lines) + "\n")
    promos = ["promotions:"]
    for n in range(coupons):
        promos += [
            f"  - key: promo-{n}",
            f"    title: Promotion {n}",
            f"    code: PROMO{n}",
            f"    discount: {{percent: {5 + n}}}",
            "    categories: [wear]",
        ]
    if coupons:
        (recipes / "promotions.yaml").write_text("\n".join(promos) + "\n")


def inject(db: Path, route: str, status: int = 503, *, times: int = 1, after_commit: bool = False) -> None:
    """Queue a fault on ``route`` in the sandbox on ``db``."""
    fault = {"route": route, "status": status, "times": times, "after_commit": after_commit}
    response = call(db, "POST", "/_sandbox/faults", json=fault)
    assert response.status_code in (200, 201), response.text


def pending_faults(db: Path) -> list[Any]:
    found: list[Any] = call(db, "GET", "/_sandbox/faults").json()
    return found


def duplicates(values: Iterable[str]) -> dict[str, int]:
    return {value: n for value, n in Counter(values).items() if n > 1}


def every(db: Path, service_path: str) -> list[Any]:
    """Every item of a list, page after page."""
    found: list[Any] = []
    while True:
        page = listing(db, service_path, pageNumber=len(found) // 500 + 1, pageSize=500)
        found += page
        if len(page) < 500:
            return found


def shop_counts(db: Path) -> dict[str, int]:
    """How many of each object the shop holds, and how many of them share a code (none may)."""
    products = every(db, "product/{t}/products")
    assets = every(db, "media/{t}/assets")
    coupons = every(db, "coupon/{t}/coupons")
    prices = every(db, "price/{t}/prices")
    return {
        "products": sum(1 for p in products if p.get("productType") != "VARIANT"),
        "variants": sum(1 for p in products if p.get("productType") == "VARIANT"),
        "assets": len(assets),
        "coupons": len(coupons),
        "prices": len(prices),
        "categories": len(every(db, "category/{t}/categories")),
        "duplicate codes": len(duplicates(str(p.get("code")) for p in products)),
        "duplicate files": len(
            duplicates(
                f"{a['mixins']['shelf']['product']}|{a['mixins']['shelf'].get('sha256') or a.get('url')}"
                for a in assets
            )
        ),
        "duplicate prices": len(duplicates(str(p["itemId"]["id"]) for p in prices)),
    }


class LosingTransport(httpx.AsyncBaseTransport):
    """Passes every request on, but for the next ``losses[route]`` requests whose method and path
    match ``route`` (``"POST /coupon/sandbox/coupons"``), lets the shop answer and then raises a read
    timeout: the request was carried out and the client never learns it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, losses: dict[str, int]):
        self.inner = inner
        self.losses = dict(losses)
        self.lost: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        route = f"{request.method} {request.url.path}"
        if self.losses.get(route, 0) > 0 and response.status_code < 400:
            self.losses[route] -= 1
            self.lost.append(route)
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


class RandomFaults(httpx.AsyncBaseTransport):
    """Fails requests at random, at the given rates, through the sandbox's own per-route faults: before
    a request reaches the shop, a fault for its route is queued with the chance ``rates["5xx"]`` (a
    500, 502, 503 or 504 before the shop acts), ``rates["429"]`` (a rate-limit refusal) or
    ``rates["lost"]`` (the shop acts and the answer is lost: half of them a 503 after commit, half no
    answer at all, a read timeout). Each request's fate is drawn from ``seed``, its method and path and
    how many times that request was sent before, so it does not depend on the order concurrent
    requests arrive in. The control API, the token endpoint and the ``spared`` routes are left alone."""

    def __init__(self, app: Any, seed: int, rates: dict[str, float], spared: Iterable[str] = ()):
        self.app = app
        self.spared = frozenset(spared)
        self.inner = httpx.ASGITransport(app=app)
        self.seed = seed
        self.rates = rates
        self.sent: Counter[str] = Counter()
        self.injected: Counter[tuple[str, str]] = Counter()
        self.timeouts: Counter[str] = Counter()

    def _template(self, method: str, path: str) -> str | None:
        for route in self.app.routes:
            regex = getattr(route, "path_regex", None)
            if regex is not None and regex.match(path) and method in (getattr(route, "methods", None) or ()):
                return str(route.name)
        return None

    async def _queue(self, route: str, status: int, *, after_commit: bool) -> None:
        fault = {"route": route, "status": status, "after_commit": after_commit}
        answer = await self.inner.handle_async_request(
            httpx.Request("POST", "http://sandbox/_sandbox/faults", json=fault)
        )
        await answer.aread()
        assert answer.status_code in (200, 201)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        route = self._template(method, path)
        if route is None or route in self.spared or path.startswith("/_sandbox") or path == "/oauth/token":
            return await self.inner.handle_async_request(request)
        identity = f"{method} {request.url}"
        self.sent[identity] += 1
        draw = random.Random(f"{self.seed}|{identity}|{self.sent[identity]}").random()
        five, limited, lost = self.rates["5xx"], self.rates["429"], self.rates["lost"]
        timeout = False
        if draw < five:
            await self._queue(route, (500, 502, 503, 504)[int(draw * 1000) % 4], after_commit=False)
            self.injected[(route, "5xx")] += 1
        elif draw < five + limited:
            await self._queue(route, 429, after_commit=False)
            self.injected[(route, "429")] += 1
        elif draw < five + limited + lost / 2:
            await self._queue(route, 503, after_commit=True)
            self.injected[(route, "lost")] += 1
        elif draw < five + limited + lost:
            timeout = True
        response = await self.inner.handle_async_request(request)
        if timeout and response.status_code < 400:
            await response.aread()
            self.timeouts[route] += 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response
