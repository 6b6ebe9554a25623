"""Files shelf uploaded that nothing uses (orphans) are shown in the plan and deleted under the rules of
every deletion: `prune: [files]`, `--only`/`--exclude`. Files shelf did not upload are never touched."""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path

import pytest

from pictures import png, write_png
from support import sandbox_control, sandbox_db, shelf, xpage_api

SOCKS = "recipes/images/everyday-socks/pair.png"
CONFIG = """recipes: [recipes]
default_target: sandbox
targets:
  sandbox:
    platform: xpage
    sandbox: true
{prune}"""


def _configure(repo: Path, prune: bool) -> None:
    (repo / "shelf.yaml").write_text(CONFIG.format(prune="    prune: [files]\n" if prune else ""))


def _names(repo: Path) -> list[str]:
    answer = xpage_api(sandbox_db(repo), "GET", "/file", params={"page_size": 200})
    return [f["name"] for f in answer.json()["data"]["files"]]


def _orphan(repo: Path) -> str:
    """Apply the demo, then replace the socks' picture while the old file's deletion fails: the old
    file stays in the shop, used by nothing. Also puts a file of another app's into the shop, which is
    never shelf's to delete. The shop drops from a product the images an update leaves out (the
    ``replace`` reading), so the old file is off the product before its deletion fails. The orphan's
    stored name."""
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/readings", {"updates": "replace"})
    assert shelf("apply", "--auto-approve").exit_code == 0
    old = f"pair.{sha256((repo / SOCKS).read_bytes()).hexdigest()[:12]}.png"
    foreign = xpage_api(
        sandbox_db(repo), "POST", "/file", files={"file": ("banner.png", png(5), "image/png")}
    )
    assert foreign.status_code == 201, foreign.text
    write_png(repo / SOCKS, seed=991, size=20)
    fault = {"route": "POST /file/{id}", "status": 422, "times": 1}
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/faults", fault)
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    assert old in _names(repo) and "banner.png" in _names(repo)
    return old


def test_an_orphan_left_by_a_failed_delete_is_planned_deleted_and_gone(repo: Path) -> None:
    _configure(repo, prune=True)
    old = _orphan(repo)

    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert f"- orphan.{old} (delete)" in planned.stderr, planned.stderr
    assert "banner" not in planned.stderr and "No changes" not in planned.stderr
    assert "0 to create, 0 to update, 0 to upload, 1 to delete" in planned.stderr
    document = json.loads(shelf("plan", "--format", "json").stdout)
    [change] = document["changes"]
    assert change["address"] == f"orphan.{old}" and change["action"] == "delete"
    for form in ("markdown", "html"):
        rendered = shelf("plan", "--format", form)
        assert rendered.exit_code == 0 and f"orphan.{old}" in rendered.stdout, rendered.output

    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert old not in _names(repo) and "banner.png" in _names(repo)
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_without_prune_the_plan_counts_orphans_and_a_saved_plan_with_prune_deletes_them(repo: Path) -> None:
    _configure(repo, prune=False)
    old = _orphan(repo)
    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert f"1 file(s) shelf uploaded are used by nothing in the shop (orphan.{old})" in planned.stderr
    assert "list `files` under the target's prune" in planned.stderr
    assert shelf("apply", "--auto-approve").exit_code == 0
    assert old in _names(repo)

    _configure(repo, prune=True)  # then a saved plan deletes the orphan it shows
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert old not in _names(repo)
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize("flag", ["--only", "--exclude"])
def test_orphans_are_selected_like_any_address(repo: Path, flag: str) -> None:
    _configure(repo, prune=True)
    old = _orphan(repo)
    write_png(repo / "recipes/images/wool-beanie/mustard.png", seed=5150, size=12)
    planned = json.loads(shelf("plan", "--format", "json", flag, "orphan.*").stdout)
    addresses = {c["address"] for c in planned["changes"]}
    if flag == "--only":
        assert addresses == {f"orphan.{old}"}
    else:
        assert f"orphan.{old}" not in addresses and "product.wool-beanie" in addresses


def test_prune_files_is_refused_where_the_platform_reports_no_orphans(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\ndefault_target: partner\ntargets:\n  partner:\n    platform: partner\n"
        "    sandbox: true\n    vendors: [vendor-marina]\n    image_base_url: https://cdn.example.com/\n"
        "    prune: [files]\n"
    )
    refused = shelf("plan")
    assert refused.exit_code == 1
    assert "prune lists 'files', which shelf does not manage on this platform" in refused.stderr

