"""The real CLI against the in-process xPage sandbox under each reading of what the document leaves open:
the demo catalog, then edits of alt texts, images, properties, variants and stock, in one apply each, and
the next plan empty. Removals the document gives no request for are told apart from failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support import sandbox_control, sandbox_db, shelf

READINGS = {
    "strict": {"file_links": "reference", "updates": "strict", "search": "fulltext"},
    "lenient": {"file_links": "gallery", "updates": "replace", "search": "substring"},
}


@pytest.fixture(params=sorted(READINGS))
def reading(request: pytest.FixtureRequest, repo: Path) -> str:
    """The shop in ``repo``'s sandbox follows one set of readings from its first request on."""
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/readings", READINGS[request.param])
    return str(request.param)


def _stats(repo: Path) -> dict[str, Any]:
    found: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return found


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)


def _applies_then_nothing_is_left(repo: Path) -> dict[str, Any]:
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    stats = _stats(repo)
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    second = shelf("apply", "--auto-approve")
    assert second.exit_code == 0 and _stats(repo)["writes"] == 0  # nothing uploaded or written twice
    return stats


def test_demo_then_alt_images_properties_removed_images_and_stock(repo: Path, reading: str) -> None:
    first = _applies_then_nothing_is_left(repo)
    assert first["requests"]["POST /product"] == 13
    _edit(
        repo / "recipes" / "home.yaml",
        ("      - images/stoneware-mug/front.png\n", ""),
        ("alt: The hand-applied glaze up close", "alt: The glaze as applied by hand"),
        ("Volume (ml): 350", "Volume (ml): 400"),
        ("    stock: 120", "    stock: 90"),
        ("Scent: [Cedar, Fig, Sea Salt]", "Scent: [Cedar, Fig, Sea Salt, Vanilla]"),
        ("      Size (cm): 130 x 170\n", "      Size (cm): 130 x 170\n      Care: Machine wash at 40\n"),
    )
    plan = shelf("plan")
    assert "uploaded again to change its alt text" in plan.stderr
    edited = _applies_then_nothing_is_left(repo)
    assert edited["requests"]["POST /file"] == 1 and edited["requests"]["POST /file/{id}"] == 2
    shown = shelf("plan", "--format", "json")
    assert shown.exit_code == 0 and '"changes": []' in shown.stdout


def test_removing_variants_and_properties(repo: Path, reading: str) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    _edit(
        repo / "recipes" / "home.yaml",
        ("Scent: [Cedar, Fig, Sea Salt]", "Scent: [Cedar, Sea Salt]"),
        ("      Size (cm): 130 x 170\n", ""),
    )
    plan = shelf("plan")
    assert "product.soy-candle: removes value 'Fig' of option 'Scent', variant CANDLE-FIG" in plan.stderr
    assert "product.linen-throw: removes property 'Size (cm)'" in plan.stderr
    applied = shelf("apply", "--auto-approve")
    if reading == "lenient":
        assert applied.exit_code == 0, applied.output
        assert shelf("plan", "--detailed-exitcode").exit_code == 0
        return
    assert applied.exit_code == 3, applied.output
    assert "did not converge" not in applied.stderr
    assert "product.soy-candle still differs in options[Scent][Fig] after apply: removes" in applied.stderr
    kept = "variant.CANDLE-FIG still differs in options, sku, price, stock after apply: removes"
    assert kept in applied.stderr  # the deletion of a variant the shop keeps, with its product's reason
    assert "the xPage API documents no way to remove variants" in applied.stderr
    assert "product.linen-throw still differs in properties.Size (cm) after apply" in applied.stderr
    assert "a re-run cannot change what is left: change it in the shop's admin" in applied.stderr
