"""`--only` and `--exclude` through the real CLI: only the matching changes are planned, saved and applied,
a glob that matches no address is an error (a typo would otherwise look like "no changes"), and both
flags note how many changes they left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import sandbox_control, sandbox_db, shelf


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not written exactly once in {path.name}"
    path.write_text(text.replace(old, new))


def _two_edits(repo: Path) -> None:
    """The demo applied, then two products changed in the recipes: the tote and the beanie."""
    assert shelf("apply", "--auto-approve").exit_code == 0
    accessories = repo / "recipes" / "accessories.yaml"
    _edit(accessories, "price: 18.00", "price: 19.00")
    _edit(accessories, "price: 24.00", "price: 26.00")


def _plan(*args: str) -> dict[str, Any]:
    result = shelf("plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _addresses(document: dict[str, Any]) -> list[str]:
    return [c["address"] for c in document["changes"]]


def test_without_filters_both_changes_are_planned(repo: Path) -> None:
    _two_edits(repo)
    document = _plan()
    assert _addresses(document) == ["product.canvas-tote", "product.wool-beanie"]
    assert document["notes"] == []


def test_only_keeps_the_matching_changes(repo: Path) -> None:
    _two_edits(repo)
    document = _plan("--only", "product.canvas-*")
    assert _addresses(document) == ["product.canvas-tote"]
    assert document["summary"]["update"] == 1
    assert document["summary"]["unchanged"] == 0
    assert document["notes"] == ["1 change(s) left out by --only/--exclude"]

    text = shelf("plan", "--only", "product.canvas-*")
    assert "Plan: 0 to create, 1 to update, 0 to upload, 0 to delete." in text.stderr
    assert "wool-beanie" not in text.stderr
    markdown = shelf("plan", "--only", "product.canvas-*", "--format", "markdown").stdout
    assert "product.canvas-tote" in markdown and "wool-beanie" not in markdown


def test_exclude_leaves_the_matching_changes_out(repo: Path) -> None:
    _two_edits(repo)
    document = _plan("--exclude", "product.canvas-*")
    assert _addresses(document) == ["product.wool-beanie"]
    assert document["notes"] == ["1 change(s) left out by --only/--exclude"]


def test_only_and_exclude_together_and_repeated(repo: Path) -> None:
    _two_edits(repo)
    both = _plan("--only", "product.canvas-*", "--only", "product.wool-*")
    assert _addresses(both) == ["product.canvas-tote", "product.wool-beanie"]
    assert both["notes"] == []
    narrowed = _plan("--only", "product.*", "--exclude", "product.wool-*")
    assert _addresses(narrowed) == ["product.canvas-tote"]


def test_a_glob_that_matches_nothing_is_an_error(repo: Path) -> None:
    _two_edits(repo)
    result = shelf("plan", "--only", "product.CANVAS-*", "--detailed-exitcode")
    assert result.exit_code == 1, result.output  # globs are case-sensitive: nothing is selected
    assert "--only 'product.CANVAS-*' matches no address (the closest: product.canvas-tote" in result.stderr
    assert "No changes" not in result.output and "Plan:" not in result.output
    typo = shelf("plan", "--only", "product.nope", "--detailed-exitcode")
    assert typo.exit_code == 1 and "--only 'product.nope' matches no address" in typo.stderr
    both = shelf("plan", "--exclude", "product.nothing-*", "--only", "variant.NOPE", "--format", "markdown")
    assert both.exit_code == 1 and both.stdout == ""
    assert "--exclude 'product.nothing-*' matches no address" in both.stderr
    assert "--only 'variant.NOPE' matches no address" in both.stderr


def test_only_selects_among_creates_on_an_empty_shop(repo: Path) -> None:
    document = _plan("--only", "product.*-tee")
    products = [c for c in document["changes"] if c["address"].startswith("product.")]
    assert sorted(c["address"] for c in products) == ["product.classic-tee", "product.v-neck-tee"]
    assert all(c["action"] == "create" for c in products)
    others = [c["address"] for c in document["changes"] if c not in products]
    assert all(a.split(".", 1)[1].split("/")[0] in ("classic-tee", "v-neck-tee") for a in others), others
    assert any(note.endswith("change(s) left out by --only/--exclude") for note in document["notes"])


def test_a_filtered_saved_plan_applies_only_the_selected_change(repo: Path) -> None:
    _two_edits(repo)
    saved = shelf("plan", "--only", "product.canvas-*", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"] == 1
    assert _addresses(_plan()) == ["product.wool-beanie"]


def test_only_selects_a_deactivation_under_prune(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(
        "targets:\n  sandbox:\n    platform: xpage\n    sandbox: true\n    prune: [products]\n"
    )
    _two_edits(repo)
    home = repo / "recipes" / "home.yaml"
    text = home.read_text()
    start = text.index("  - key: linen-throw")
    end = text.find("\n  - key: ", start + 1)
    home.write_text(text[:start] + (text[end + 1 :] if end >= 0 else ""))

    everything = _plan()
    assert "product.linen-throw" in _addresses(everything)
    document = _plan("--only", "product.linen-*")
    assert [(c["address"], c["action"]) for c in document["changes"]] == [
        ("product.linen-throw", "deactivate")
    ]
    assert document["notes"] == ["2 change(s) left out by --only/--exclude"]
    spared = _plan("--exclude", "product.linen-*")
    assert "product.linen-throw" not in _addresses(spared)
    assert spared["notes"] == ["1 change(s) left out by --only/--exclude"]
