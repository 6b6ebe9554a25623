"""The Emporix sandbox answers a page of products with a fixed number of queries, whatever the page holds
(its templates, media and categories are read a query per kind, not a query per product), and decodes
only the page: benchmarks measure shelf, not the emulator."""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.sandbox.emporix.app import create_app
from engine.sandbox.emporix.db import ASSETS, MIGRATIONS, PRODUCTS, seed
from engine.sandbox.emporix.exact_json import dumps
from engine.sandbox.store import Store

META = {"version": 1, "createdAt": "2024-01-01T00:00:00.000Z", "modifiedAt": "2024-01-01T00:00:00.000Z"}
PRODUCTS_PATH = "/product/sandbox/products"


def _shop(db: Path, products: int, templates: int, simple: int | None = None) -> None:
    """``products`` products: the first ``simple`` without options (default every third), the others
    with two variants each, spread over ``templates`` templates; each assigned to a category and every
    fifth with a picture."""
    create_app(db)
    store = Store(db, MIGRATIONS, seed)
    with store.write() as conn:
        for t in range(templates):
            template = {
                "id": f"tpl-{t}",
                "name": {"en": "Size"},
                "attributes": [
                    {
                        "key": "Size",
                        "name": {"en": "Size"},
                        "type": "TEXT",
                        "metadata": {"mandatory": False, "variantAttribute": True},
                        "values": [{"key": "S"}, {"key": "M"}],
                    }
                ],
                "metadata": META,
            }
            conn.execute(
                "INSERT INTO emporix_templates (seq, id, version, doc) VALUES (?, ?, 1, ?)",
                (t, f"tpl-{t}", dumps(template)),
            )
        conn.execute(
            "INSERT INTO emporix_categories (id, code, doc) VALUES ('home', 'home', ?)",
            (dumps({"id": "home", "code": "home", "localizedName": {"en": "Home"}, "published": True}),),
        )
        for i in range(products):
            key = f"item-{i:05d}"
            doc: dict[str, Any] = {"id": key, "code": key, "name": {"en": key}, "published": True}
            doc["metadata"] = META
            if (i % 3 == 0) if simple is None else (i < simple):
                PRODUCTS.save(conn, {**doc, "productType": "BASIC"})
            else:
                template = {"id": f"tpl-{i % templates}", "version": 1}
                sizes = {"Size": [{"key": "S"}, {"key": "M"}]}
                parent = {**doc, "productType": "PARENT_VARIANT", "template": template}
                PRODUCTS.save(conn, {**parent, "variantAttributes": sizes})
                for size in ("S", "M"):
                    variant = {
                        "id": f"{key}-{size}",
                        "code": f"{key}-{size}",
                        "name": {"en": key},
                        "productType": "VARIANT",
                        "parentVariantId": key,
                        "published": True,
                        "mixins": {"productVariantAttributes": {"Size": size}},
                        "metadata": META,
                    }
                    PRODUCTS.save(conn, variant)
            conn.execute(
                "INSERT INTO emporix_assignments (id, category_id, ref_id, ref_type)"
                " VALUES (?, 'home', ?, 'PRODUCT')",
                (f"assignment-{i}", key),
            )
            if i % 5 == 0:
                asset = {
                    "id": f"asset-{i}",
                    "type": "LINK",
                    "access": "PUBLIC",
                    "url": f"https://example.com/{key}.png",
                    "refIds": [{"type": "PRODUCT", "id": key}],
                    "metadata": META,
                }
                ASSETS.save(conn, asset)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement the sandboxes made in this test run."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr("engine.sandbox.store.sqlite3.connect", traced)
    yield seen


async def _pages(db: Path, numbers: list[int], seen: list[str] | None = None) -> list[tuple[int, int, float]]:
    """(products answered, statements made, CPU seconds) per page."""
    app = create_app(db, tokens={"t": None})
    headers = {"Authorization": "Bearer t", "Accept-Language": "*", "X-Total-Count": "true"}
    transport = httpx.ASGITransport(app=app)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://s", headers=headers) as c:
        for number in numbers:
            before = len(seen) if seen is not None else 0
            started = time.process_time()
            params = {"pageNumber": number, "pageSize": 200, "expand": "template"}
            answer = await c.get(PRODUCTS_PATH, params=params)
            spent = time.process_time() - started
            assert answer.status_code == 200, answer.text
            made = len(seen) - before if seen is not None else 0
            out.append((len(answer.json()), made, spent))
    return out


def test_a_page_takes_the_same_queries_whatever_it_holds(tmp_path: Path, statements: list[str]) -> None:
    small, large = tmp_path / "small.sqlite", tmp_path / "large.sqlite"
    _shop(small, 350, templates=1, simple=200)
    _shop(large, 500, templates=300, simple=200)
    counts = []
    for db in (small, large):
        answered = asyncio.run(_pages(db, [1, 2, 3], statements))
        assert [size for size, _, _ in answered] == [200, 200, 200]
        counts.append([made for _, made, _ in answered])
    assert counts[0] == counts[1], "the same page costs the same queries in a larger shop"
    assert max(counts[0]) <= 12, counts


def test_a_page_answers_what_a_filtered_list_answers(tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    _shop(db, 30, templates=4)

    async def both() -> tuple[Any, Any]:
        app = create_app(db, tokens={"t": None})
        headers = {"Authorization": "Bearer t", "Accept-Language": "*"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s", headers=headers) as c:
            params = {"pageSize": 200, "expand": "template"}
            paged = (await c.get(PRODUCTS_PATH, params=params)).json()
            filtered = (await c.get(PRODUCTS_PATH, params={**params, "q": "published:true"})).json()
            return paged, filtered

    paged, filtered = asyncio.run(both())
    assert paged == filtered
    assert paged[1]["template"]["attributes"][0]["key"] == "Size"
    assert paged[0]["media"][0]["url"] == "https://example.com/item-00000.png"
    assert paged[0]["categoryIds"] == ["home"]


@pytest.mark.slow
def test_a_page_of_10000_products_takes_under_50_ms(tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    _shop(db, 10_000, templates=10)
    timings = [spent for _, _, spent in asyncio.run(_pages(db, [1, 10, 50, 100, 110]))]
    assert statistics.median(timings) < 0.05, timings
