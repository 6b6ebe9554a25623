"""The xPage sandbox over real loopback HTTP, served by uvicorn in a thread."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from engine.sandbox import serving
from engine.sandbox.xpage.app import create_app

from xpage_sandbox import PNG, root_client


async def test_served_sandbox_speaks_http_and_shares_its_file(tmp_path: Path) -> None:
    db = tmp_path / "served.sqlite"
    with serving(create_app(db, tokens={"loopback": None})) as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(
            base_url=f"{url}/api/apps/v1", headers={"Authorization": "Bearer loopback"}
        ) as client:
            created = await client.post(
                "/product",
                files={
                    "metadata": (
                        None,
                        json.dumps({"title": "Loop Tee", "default": {"price": 12.5}}),
                        "application/json",
                    ),
                    "images[]": ("loop.png", PNG, "image/png"),
                },
            )
            listed = await client.get("/product", params={"search": "loop"})
            refused = await client.get("/product", headers={"Authorization": "Bearer sandbox"})
            product = created.json()["data"]["product"]
            image = await client.get(product["image"]["url"])
    assert created.status_code == 201 and product["default"]["price"] == 12.5
    assert product["image"]["url"].startswith(f"{url}/_sandbox/files/")
    assert image.content == PNG
    assert [p["id"] for p in listed.json()["data"]["products"]] == [product["id"]]
    assert refused.status_code == 401
    async with root_client(create_app(db)) as root:
        stats = (await root.get("/_sandbox/stats")).json()
    assert stats["requests"] == {"POST /product": 1, "GET /product": 2}
    assert stats["upload_bytes"] == len(PNG)


def test_server_stops_when_the_block_ends(tmp_path: Path) -> None:
    with serving(create_app(tmp_path / "x.sqlite")) as url:
        assert httpx.get(f"{url}/api/apps/v1/permission").status_code == 200
    try:
        httpx.get(f"{url}/api/apps/v1/permission", timeout=1)
    except httpx.TransportError:
        return
    raise AssertionError("the server still answers after the block")
