"""End to end over real HTTP: `shelf` against the xPage sandbox served by uvicorn on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.sandbox import serving

from support import shelf

TOKEN = "loopback-secret-7f3a9c"



@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    from engine.sandbox.xpage.app import create_app

    app = create_app(tmp_path / "served.sqlite", tokens={TOKEN: None})
    with serving(app) as url:
        yield url


def test_apply_and_plan_over_http_with_token_from_environment(repo: Path, served: str) -> None:
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\n"
        "default_target: shop\n"
        "targets:\n"
        "  shop:\n"
        "    platform: xpage\n"
        f"    base_url: {served}/api/apps/v1\n"
        "    token: ${XPAGE_TOKEN}\n"
        "    categories:\n"
        + "".join(f"      {key}: {cid}\n" for key, cid in _category_ids(served).items())
    )
    env = {"XPAGE_TOKEN": TOKEN}
    applied = shelf("apply", "--auto-approve", env=env)
    assert applied.exit_code == 0, applied.output
    planned = shelf("plan", "--detailed-exitcode", "--format", "json", env=env)
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["changes"] == []
    saved = shelf("plan", "--out", "plan.json", env=env)
    assert saved.exit_code == 0, saved.output
    texts = (saved.output, (repo / "plan.json").read_text(), (repo / "shelf.yaml").read_text())
    for output in (applied.output, planned.output, *texts):
        assert TOKEN not in output

    stats = httpx.get(f"{served}/_sandbox/stats").json()
    assert stats["requests"].get("POST /product", 0) >= 12

    wrong = shelf("plan", env={"XPAGE_TOKEN": "not-the-token"})
    assert wrong.exit_code == 1
    assert "not-the-token" not in wrong.output
    assert "Traceback" not in wrong.output


def _category_ids(served: str) -> dict[str, str]:
    """A real shop's owner gives category ids in shelf.yaml; here they come from the emulator."""
    by_name = {c["name"]: c["id"] for c in httpx.get(f"{served}/_sandbox/categories").json()}
    return {
        "apparel": by_name["Apparel"],
        "t-shirts": by_name["T-Shirts"],
        "hoodies": by_name["Hoodies"],
        "accessories": by_name["Accessories"],
        "home": by_name["Home"],
        "digital": by_name["Digital"],
    }
