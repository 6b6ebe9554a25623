"""Errors that send the user to the real cause: a wrong base_url, an unreachable host, a Retry-After
longer than shelf waits, a YAML mistake on its own line, and a recipes path at its shelf.yaml line."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.errors import PlatformError
from engine.http import BearerAuth, HttpClient
from engine.sandbox import serving
from engine.secrets import Secret

from support import shelf

TOKEN = "wrong-address-secret-51d2"


@pytest.fixture
def xpage_served(tmp_path: Path) -> Iterator[str]:
    from engine.sandbox.xpage.app import create_app

    with serving(create_app(tmp_path / "xpage.sqlite", tokens={TOKEN: None})) as url:
        yield url


@pytest.fixture
def emporix_served(tmp_path: Path) -> Iterator[str]:
    from engine.sandbox.emporix.app import create_app

    with serving(create_app(tmp_path / "emporix.sqlite")) as url:
        yield url


def test_a_base_url_with_a_wrong_path_says_the_address_is_wrong(repo: Path, xpage_served: str) -> None:
    (repo / "shelf.yaml").write_text(
        "targets:\n  shop:\n    platform: xpage\n"
        f"    base_url: {xpage_served}/api/apps/v2?key={TOKEN}\n"
        "    token: ${XPAGE_TOKEN}\n"
    )
    result = shelf("plan", env={"XPAGE_TOKEN": TOKEN})
    assert result.exit_code == 1, result.output
    assert (
        f"error: shop: GET /product answered 404 Not Found: {xpage_served}/api/apps/v2/product is not an"
        " address of the platform's API (check this target's base_url" in result.stderr
    )
    assert "no longer in the shop" not in result.stderr
    assert TOKEN not in result.output


def test_an_emporix_base_url_with_a_wrong_path_says_the_address_is_wrong(
    repo: Path, emporix_served: str
) -> None:
    (repo / "shelf.yaml").write_text(
        "targets:\n  eu:\n    platform: emporix\n"
        f"    base_url: {emporix_served}/emporix\n"
        "    tenant: sandbox\n    client_id: sandbox\n    client_secret: ${SECRET}\n"
        "    currency: EUR\n    country: DE\n"
    )
    result = shelf("plan", env={"SECRET": "sandbox"})
    assert result.exit_code == 1, result.output
    wrong = f"POST /oauth/token answered 404 Not Found: {emporix_served}/emporix/oauth/token is not"
    assert wrong in result.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_host_says_what_it_retries_and_why(caplog: pytest.LogCaptureFixture) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async def run() -> None:
        url = f"http://127.0.0.1:{_closed_port()}/api"
        async with HttpClient(url, auth=BearerAuth(Secret(TOKEN)), where="shop", sleep=sleep) as client:
            with pytest.raises(PlatformError, match="could not be completed: ConnectError"):
                await client.request("GET", "/product")

    with caplog.at_level(logging.WARNING, logger="engine.http"):
        asyncio.run(run())
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == len(waited) == 4
    assert lines[0].startswith("GET /product: cannot reach http://127.0.0.1:")
    assert "(ConnectError); retry 1 of 4 in " in lines[0]
    assert lines[-1].split("; ")[-1].startswith("retry 4 of 4 in ")
    assert all(TOKEN not in line for line in lines)


def test_a_retry_after_longer_than_the_cap_is_cut_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from engine.sandbox.xpage.app import create_app

    app = create_app(tmp_path / "x.sqlite")
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async def run() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as control:
            fault = {"route": "GET /product", "status": 429, "times": 1, "retry_after": 300}
            (await control.post("/_sandbox/faults", json=fault)).raise_for_status()
        async with HttpClient(
            "http://sandbox/api/apps/v1", auth=BearerAuth(Secret("sandbox")), transport=transport,
            max_delay=60.0, sleep=sleep,
        ) as client:
            return (await client.request("GET", "/product")).status_code

    with caplog.at_level(logging.WARNING, logger="engine.http"):
        assert asyncio.run(run()) == 200
    assert waited == [60.0]
    assert [r.getMessage() for r in caplog.records] == [
        "GET /product: the platform asked to wait 300 s before retrying (Retry-After); shelf waits at most"
        " 60 s, so it retries sooner"
    ]


def test_a_yaml_mistake_is_reported_on_its_own_line(repo: Path) -> None:
    (repo / "recipes" / "broken.yaml").write_text(
        "products:\n  - key: broken\n    title: \"Broken\n    price: 5\n"
    )
    result = shelf("validate")
    assert result.exit_code == 1
    assert "recipes/broken.yaml:3:12: YAML syntax error: while scanning a quoted scalar" in result.stderr


def test_a_missing_recipes_path_is_named_at_its_shelf_yaml_line(repo: Path) -> None:
    (repo / "shelf.yaml").write_text("# the catalog\nrecipes:\n  - recipes\n  - recipess\n")
    result = shelf("validate")
    assert result.exit_code == 1
    assert (
        "error: shelf.yaml:4:5: recipes path 'recipess' does not exist (did you mean 'recipes'?)"
        in result.stderr
    )
