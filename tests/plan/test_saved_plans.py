"""Saved plans through the real CLI: `shelf plan --out plan.json` now, `shelf apply plan.json` later.

Applying a saved plan does exactly what the file says, without a prompt; a shop that moved since is a
stale plan (exit 4, nothing written); a file for another target, another format version, or edited by
hand is refused with exit 1 and a message saying why.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from support import sandbox_control, sandbox_db, shelf, xpage_api


def _writes(repo: Path) -> int:
    return int(sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"])


def _reset_stats(repo: Path) -> None:
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not written exactly once in {path.name}"
    path.write_text(text.replace(old, new))


def _live(repo: Path, slug: str) -> dict[str, Any]:
    response = xpage_api(sandbox_db(repo), "GET", "/product", params={"search": slug})
    [product] = [p for p in response.json()["data"]["products"] if p["slug"] == slug]
    return dict(product)


def _tote_price(repo: Path) -> Decimal:
    return Decimal(str(_live(repo, "canvas-tote")["default"]["price"]))


def _applied(repo: Path) -> None:
    result = shelf("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_saved_plan_applies_what_was_saved_without_a_prompt(repo: Path) -> None:
    _applied(repo)
    accessories = repo / "recipes" / "accessories.yaml"
    _edit(accessories, "price: 18.00", "price: 19.00")
    saved = shelf("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    assert "shelf apply plan.json" in saved.stderr

    _reset_stats(repo)
    applied = shelf("apply", "plan.json")  # no --auto-approve and no terminal: the plan was the review
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 applied, 0 failed, 0 skipped." in applied.stderr
    assert _writes(repo) == 1
    assert _tote_price(repo) == Decimal("19.00")
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_a_recipe_edit_after_the_plan_is_not_applied(repo: Path) -> None:
    _applied(repo)
    accessories = repo / "recipes" / "accessories.yaml"
    _edit(accessories, "price: 18.00", "price: 19.00")
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _edit(accessories, "price: 24.00", "price: 26.00")  # the beanie, after the plan was saved

    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert _tote_price(repo) == Decimal("19.00")
    beanie = _live(repo, "wool-beanie")
    assert {Decimal(str(v["price"])) for v in beanie["variants"]} == {Decimal("24.00")}

    after = shelf("plan", "--format", "json")
    changes = json.loads(after.stdout)["changes"]
    assert [c["address"] for c in changes] == ["product.wool-beanie"]
    assert {f["after"] for f in changes[0]["fields"]} == {"26.00"}


def test_a_later_edit_of_the_same_product_neither_applies_nor_fails_the_saved_plan(repo: Path) -> None:
    _applied(repo)
    accessories = repo / "recipes" / "accessories.yaml"
    _edit(accessories, "price: 18.00", "price: 19.00")
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _edit(accessories, "price: 19.00", "price: 20.00")

    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert "did not converge" not in applied.stderr
    assert _tote_price(repo) == Decimal("19.00")
    again = shelf("plan")
    assert '"19.00" -> "20.00"' in again.stderr


def test_the_saved_plan_names_its_target_and_carries_what_apply_sends(repo: Path) -> None:
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    document = json.loads((repo / "plan.json").read_text())
    assert document["target"] == "sandbox" and document["platform"] == "xpage"
    assert document["format_version"] == 1
    assert document["checksum"].startswith("sha256:")
    products = [c for c in document["changes"] if c["address"].startswith("product.")]
    assert document["summary"]["create"] == len(products) == 13
    assert all(change["desired"]["key"] == change["address"].split(".", 1)[1] for change in products)


def test_a_stale_plan_is_refused_with_exit_4_and_nothing_written(repo: Path) -> None:
    _applied(repo)
    _edit(repo / "recipes" / "accessories.yaml", "price: 18.00", "price: 19.00")
    assert shelf("plan", "--out", "plan.json").exit_code == 0

    tote = _live(repo, "canvas-tote")
    meta = {"title": "Canvas Tote (edited in the shop)"}
    edited = xpage_api(
        sandbox_db(repo),
        "POST",
        f"/product/{tote['id']}/update",
        files={"metadata": (None, json.dumps(meta))},
    )
    assert edited.status_code == 200, edited.text

    _reset_stats(repo)
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 4, refused.output
    assert "stale" in refused.stderr and "product.canvas-tote" in refused.stderr
    assert "shelf plan" in refused.stderr
    assert _writes(repo) == 0
    assert _tote_price(repo) == Decimal("18.00")
    assert _live(repo, "canvas-tote")["title"] == "Canvas Tote (edited in the shop)"


def test_a_plan_whose_create_happened_meanwhile_is_stale(repo: Path) -> None:
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _applied(repo)  # someone applied first
    _reset_stats(repo)
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 4, refused.output
    assert "was created in the shop since the plan" in refused.stderr
    assert _writes(repo) == 0


def _two_targets(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(
        "default_target: sandbox\n"
        "targets:\n"
        "  sandbox:\n    platform: xpage\n    sandbox: true\n"
        "  staging:\n    platform: xpage\n    sandbox: true\n"
    )


def test_a_plan_for_another_target_is_refused(repo: Path) -> None:
    _two_targets(repo)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    refused = shelf("apply", "plan.json", "--target", "staging")
    assert refused.exit_code == 1, refused.output
    assert "the plan is for target 'sandbox', not 'staging'" in refused.stderr
    assert "--target sandbox" in refused.stderr
    assert "Traceback" not in refused.output
    assert not sandbox_db(repo).exists() or _writes(repo) == 0


def test_apply_takes_the_target_from_the_plan(repo: Path) -> None:
    _two_targets(repo)
    assert shelf("plan", "--target", "staging", "--out", "plan.json").exit_code == 0
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete" in applied.stderr


def _rewrite(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))


def test_a_plan_of_another_format_version_is_refused(repo: Path) -> None:
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _rewrite(repo / "plan.json", lambda d: d.update(format_version=2))
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 1, refused.output
    assert "format version 2" in refused.stderr and "reads version 1" in refused.stderr
    assert not sandbox_db(repo).exists() or _writes(repo) == 0


def test_a_plan_edited_by_hand_is_refused(repo: Path) -> None:
    _applied(repo)
    _edit(repo / "recipes" / "accessories.yaml", "price: 18.00", "price: 19.00")
    assert shelf("plan", "--out", "plan.json").exit_code == 0

    def cheaper(document: dict[str, Any]) -> None:
        [variant] = document["changes"][0]["desired"]["variants"]
        variant["price"] = "1.00"

    _rewrite(repo / "plan.json", cheaper)
    _reset_stats(repo)
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 1, refused.output
    assert "checksum does not match" in refused.stderr
    assert _writes(repo) == 0
    assert _tote_price(repo) == Decimal("18.00")


def test_reformatting_a_saved_plan_keeps_it_valid(repo: Path) -> None:
    _applied(repo)
    _edit(repo / "recipes" / "accessories.yaml", "price: 18.00", "price: 19.00")
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _rewrite(repo / "plan.json", lambda d: None)  # same content, other whitespace
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert _tote_price(repo) == Decimal("19.00")


def test_a_file_that_is_not_a_plan_is_refused(repo: Path) -> None:
    (repo / "plan.json").write_text("{not json")
    refused = shelf("apply", "plan.json")
    assert refused.exit_code == 1
    assert "not a plan file" in refused.stderr
    assert "Traceback" not in refused.output
