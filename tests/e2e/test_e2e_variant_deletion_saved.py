"""A saved plan that only removes variants (xPage sandbox): one product write applies both deletions, and
a plan whose product changed in the shop since is stale, since the variants live inside it. Whether the
shop drops the variants an update leaves out is a reading of the xPage document (the sandbox's
``updates``): under ``replace`` they go, under ``strict`` (the default) they stay, and the report says
why for each deletion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import sandbox_control, sandbox_db, shelf, xpage_api

DISABLED = '    variants:\n      - {Size: "44-47", enabled: false}\n      - {Size: "40-43", enabled: false}\n'


def _disable_two_sizes(repo: Path, updates: str = "replace") -> None:
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/readings", {"updates": updates})
    assert shelf("apply", "--auto-approve").exit_code == 0
    path = repo / "recipes" / "accessories.yaml"
    text = path.read_text()
    assert text.count("      stock: 200\n") == 1
    path.write_text(text.replace("      stock: 200\n", "      stock: 200\n" + DISABLED))
    assert shelf("plan", "--out", "plan.json").exit_code == 0


def _writes(repo: Path) -> dict[str, int]:
    stats: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return {r: n for r, n in stats["requests"].items() if not r.startswith("GET")}


def test_two_removed_variants_are_two_deletions_and_one_write(repo: Path) -> None:
    _disable_two_sizes(repo)
    document = json.loads((repo / "plan.json").read_text())
    assert [(c["address"], c["action"]) for c in document["changes"]] == [
        ("variant.SOCKS-40-43", "delete"),
        ("variant.SOCKS-44-47", "delete"),
    ]
    assert document["summary"]["delete"] == 2 and document["summary"]["update"] == 0
    _writes(repo)
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert _writes(repo) == {"POST /product/{id}/update": 1}
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert shelf("apply", "--auto-approve").exit_code == 0
    assert _writes(repo) == {}


def test_variants_a_shop_keeps_are_reported_with_the_reason(repo: Path) -> None:
    _disable_two_sizes(repo, updates="strict")
    _writes(repo)
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 3, applied.output
    assert _writes(repo) == {"POST /product/{id}/update": 1}
    for sku in ("SOCKS-40-43", "SOCKS-44-47"):
        kept = f"error: variant.{sku} still differs"
        [line] = [x for x in applied.stderr.splitlines() if x.startswith(kept)]
        assert "the xPage API documents no way to remove variants" in line
    assert "did not converge" not in applied.stderr
    assert "a re-run cannot change what is left: change it in the shop's admin" in applied.stderr


def test_a_variant_deletion_is_stale_when_its_product_changed(repo: Path) -> None:
    _disable_two_sizes(repo)
    found = xpage_api(sandbox_db(repo), "GET", "/product", params={"search": "everyday-socks"})
    [socks] = [p for p in found.json()["data"]["products"] if p["slug"] == "everyday-socks"]
    meta = {"title": "Socks (edited in the shop)"}
    edited = xpage_api(sandbox_db(repo), "POST", f"/product/{socks['id']}/update",
                       files={"metadata": (None, json.dumps(meta))})
    assert edited.status_code == 200, edited.text
    _writes(repo)
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 4, refused.output
    assert "variant.SOCKS-40-43 changed in the shop since the plan" in refused.stderr
    assert _writes(repo) == {}
