"""A target whose base_url is a sandbox served on this machine finds the served categories by name, as a
sandbox target does, so a catalog applies with no category ids in shelf.yaml; categories the recipes
name beyond the seed are served when asked for, and survive a reset."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.platforms.xpage.provider import served_here
from engine.sandbox import serving
from engine.sandbox.xpage.app import create_app

from support import DEMO_RECIPES, shelf


@pytest.fixture
def outdoor(tmp_path: Path) -> Iterator[str]:
    with serving(create_app(tmp_path / "served.sqlite", categories=["Outdoor"])) as url:
        yield url


def test_a_loopback_target_finds_the_served_categories_by_name(repo: Path, outdoor: str) -> None:
    shutil.rmtree(repo / "recipes")
    (repo / "recipes").mkdir()
    shutil.copy(DEMO_RECIPES / "categories.yaml", repo / "recipes" / "categories.yaml")
    (repo / "recipes" / "outdoor.yaml").write_text(
        "categories:\n  - key: outdoor\n    name: Outdoor\n"
        "products:\n  - key: camp-mug\n    title: Camp Mug\n    category: outdoor\n"
        "    price: 12.00\n    sku: CAMP-MUG\n"
        "  - key: apron\n    title: Apron\n    category: home\n    price: 20.00\n    sku: APRON\n"
    )
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
        f"    base_url: {outdoor}/api/apps/v1\n    token: sandbox\n"
    )
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    httpx.post(f"{outdoor}/_sandbox/reset").raise_for_status()
    names = [c["name"] for c in httpx.get(f"{outdoor}/_sandbox/categories").json()]
    assert "Outdoor" in names and "Home" in names


def test_only_loopback_addresses_count_as_served_here() -> None:
    assert served_here("http://127.0.0.1:8765/api/apps/v1")
    assert served_here("http://localhost:8765/api/apps/v1")
    assert served_here("http://[::1]:8765/api/apps/v1")
    assert not served_here("https://shop.example.com/api/apps/v1")
    assert not served_here("http://10.0.0.5/api/apps/v1")
