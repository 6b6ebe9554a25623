"""A token the shop refuses stops the apply: one error naming the missing permission and exit 1 when no
change was made, or exit 3 with what was applied and what never started when some were.

The shop is the xPage sandbox served on loopback with tokens of limited permissions, as a shop owner would
grant an app; shelf reads its token from the environment.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.sandbox import serving
from engine.sandbox.xpage.app import create_app

from support import DEMO_RECIPES, shelf

READ_ONLY = "read-only-token-4d1f"
NO_UPLOADS = "no-uploads-token-8b2e"
FULL = "full-token-6c0a"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    tokens = {
        READ_ONLY: frozenset({"product:view", "file:browse"}),
        NO_UPLOADS: frozenset({"product:view", "product:create", "product:update", "file:browse"}),
        FULL: None,
    }
    with serving(create_app(tmp_path / "served.sqlite", tokens=tokens)) as url:
        yield url


def _catalog(repo: Path, url: str) -> None:
    """Three products without pictures, then one with a picture, applied one change at a time so the
    order of the writes is the plan's."""
    pictures = repo / "recipes" / "images"
    pictures.mkdir(parents=True)
    shutil.copy(DEMO_RECIPES / "images" / "canvas-tote" / "front.png", pictures / "front.png")
    products = "".join(
        f"  - {{key: plain-{n}, title: Plain {n}, price: 10.00, sku: PLAIN-{n}}}\n" for n in range(1, 4)
    )
    (repo / "recipes" / "catalog.yaml").write_text(
        "products:\n" + products + "  - {key: pictured, title: Pictured, price: 12.00, sku: PICTURED,"
        " images: [{file: images/front.png, alt: Front}]}\n"
    )
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: shop\ntargets:\n  shop:\n    platform: xpage\n"
        f"    base_url: {url}/api/apps/v1\n    token: ${{XPAGE_TOKEN}}\n    concurrency: 1\n"
    )


def _slugs(url: str) -> list[str]:
    answer = httpx.get(f"{url}/api/apps/v1/product", headers={"Authorization": f"Bearer {FULL}"},
                       params={"page_size": 200})
    answer.raise_for_status()
    return sorted(p["slug"] for p in answer.json()["data"]["products"])


def test_a_token_refused_on_every_write_is_one_error_and_exit_1(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _catalog(tmp_path, served)
    result = shelf("apply", "--auto-approve", env={"XPAGE_TOKEN": READ_ONLY})
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "lacks the permission product:create" in errors[0]
    assert "no change was completed" in errors[0]
    assert "FAILED" not in result.output and READ_ONLY not in result.output
    assert _slugs(served) == []
    stats = httpx.get(f"{served}/_sandbox/stats").json()
    assert stats["requests"].get("POST /product") == 1  # the first refusal stopped the apply


def test_a_refusal_after_some_changes_stops_the_apply_and_a_rerun_converges(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _catalog(tmp_path, served)
    result = shelf("apply", "--auto-approve", env={"XPAGE_TOKEN": NO_UPLOADS})
    assert result.exit_code == 3, result.output
    assert "lacks the permission file:upload" in result.stderr
    assert "Stopped at the refusal: 3 of 5 changes applied, 1 refused, 1 not started." in result.stderr
    assert "FAILED" not in result.output
    # the refused change wrote its product before its picture was refused: the next apply completes it
    assert _slugs(served) == ["pictured", "plain-1", "plain-2", "plain-3"]

    finished = shelf("apply", "--auto-approve", env={"XPAGE_TOKEN": FULL})
    assert finished.exit_code == 0, finished.output
    assert _slugs(served) == ["pictured", "plain-1", "plain-2", "plain-3"]
    httpx.post(f"{served}/_sandbox/stats/reset").raise_for_status()
    again = shelf("plan", "--detailed-exitcode", env={"XPAGE_TOKEN": FULL})
    assert again.exit_code == 0, again.output
    assert httpx.get(f"{served}/_sandbox/stats").json()["writes"] == 0


def test_the_json_report_carries_the_refusal(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _catalog(tmp_path, served)
    stopped = shelf("apply", "--auto-approve", "--format", "json", env={"XPAGE_TOKEN": NO_UPLOADS})
    assert stopped.exit_code == 3, stopped.output
    report = json.loads(stopped.stdout)
    assert report["halted"] == "refused" and "lacks the permission file:upload" in report["refusal"]
    assert report["verified"] is True  # what was applied before the refusal was re-read
    finished = shelf("apply", "--auto-approve", "--format", "json", env={"XPAGE_TOKEN": FULL})
    assert finished.exit_code == 0, finished.output
    done = json.loads(finished.stdout)
    assert (done["halted"], done["refusal"], done["verified"]) == (None, None, True)
    assert done["not_converged"] == {}
