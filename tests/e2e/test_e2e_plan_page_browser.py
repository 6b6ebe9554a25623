"""The html plan of a mixed change, loaded by headless Chromium: every card and picture renders.

The shop is the xPage sandbox served on loopback, so the live pictures have real URLs the browser loads,
as a shop's would; the new pictures are embedded in the page. The screenshots are kept under
``.test-artifacts/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from headless import Browser, available
from review_mix import apply_then_change

from engine.sandbox import serving

from support import PROJECT, shelf

pytestmark = pytest.mark.browser

TOKEN = "browser-test-token-5b1e"
ARTIFACTS = PROJECT / ".test-artifacts"

CHECK = """(() => {
  const images = [...document.images].map(i => ({src: i.getAttribute('src').slice(0, 48),
    ok: i.complete && i.naturalWidth > 0}));
  const cards = [...document.querySelectorAll('section.card')].map(c => c.id);
  const wide = document.documentElement.scrollWidth <= window.innerWidth + 1;
  return {images, cards, wide};
})()"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    from engine.sandbox.xpage.app import create_app

    app = create_app(tmp_path / "served.sqlite", tokens={TOKEN: None})
    with serving(app) as url:
        yield url


def _config(served: str) -> str:
    import httpx

    by_name = {c["name"]: c["id"] for c in httpx.get(f"{served}/_sandbox/categories").json()}
    keys = {"apparel": "Apparel", "t-shirts": "T-Shirts", "hoodies": "Hoodies", "accessories": "Accessories",
            "home": "Home", "digital": "Digital"}
    return (
        "targets:\n  shop:\n    platform: xpage\n"
        f"    base_url: {served}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n    prune: [products]\n"
        "    categories:\n" + "".join(f"      {k}: {by_name[v]}\n" for k, v in keys.items())
    )


def test_the_plan_page_renders_every_card_and_picture(repo: Path, served: str) -> None:
    if not available():
        if os.environ.get("SHELF_REQUIRE_BROWSER"):
            pytest.fail("Chromium is missing: /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    env = {"XPAGE_TOKEN": TOKEN}
    apply_then_change(repo, _config(served), env)
    made = shelf("plan", "--format", "html", "--out", "plan.html", env=env)
    assert made.exit_code == 0, made.output
    planned = json.loads(shelf("plan", "--format", "json", env=env).stdout)
    page = (repo / "plan.html").read_text()
    assert TOKEN not in page
    expected = [c["address"] for c in planned["changes"] if c["action"] != "upload"]

    async def look(width: int, shot: str) -> dict[str, object]:
        async with Browser() as browser:
            await browser.open((repo / "plan.html").as_uri(), width=width)
            found: dict[str, object] = await browser.evaluate(CHECK)
            ARTIFACTS.mkdir(exist_ok=True)
            await browser.screenshot(ARTIFACTS / shot)
            found["errors"] = browser.errors
            return found

    import asyncio

    for width, shot in ((1200, "plan-page.png"), (390, "plan-page-phone.png")):
        found = asyncio.run(look(width, shot))
        assert found["errors"] == [], found["errors"]
        assert sorted(found["cards"]) == sorted(expected)  # type: ignore[call-overload]
        images = found["images"]
        assert isinstance(images, list) and len(images) >= 8
        broken = [i for i in images if not i["ok"]]
        assert broken == [], broken
        # nothing but the page itself and the shop: embedded pictures, or the shop's own URLs
        assert all(i["src"].startswith(("data:image/", served)) for i in images), images
        assert any(i["src"].startswith(served) for i in images) and any(
            i["src"].startswith("data:") for i in images
        )
        assert found["wide"], f"the page scrolls sideways at {width} px"
        assert (ARTIFACTS / shot).stat().st_size > 10_000
