"""A removed variant on Emporix: its own ``- variant.<SKU>`` deletion, applied through the product's sync,
converging with one apply (in-process Emporix sandbox)."""

from __future__ import annotations

from pathlib import Path

from support import shelf

EMPORIX = "targets:\n  eu:\n    platform: emporix\n    sandbox: true\n"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_removed_variants_are_deletions_and_converge(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(EMPORIX)
    assert shelf("apply", "--auto-approve").exit_code == 0
    accessories = repo / "recipes" / "accessories.yaml"
    disabled = '    variants:\n      - {Size: "44-47", enabled: false}\n'
    _edit(accessories, "      stock: 200\n", "      stock: 200\n" + disabled)
    _edit(accessories, "price: 18.00", "price: 19.00")
    _edit(accessories, "Color: [Charcoal, Mustard, Forest]", "Color: [Charcoal, Mustard]")

    planned = shelf("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    for line in (
        "  - variant.SOCKS-44-47 (delete)",
        "  ~ product.wool-beanie",
        "      options[Color]: - Forest",
        "  - variant.BEANIE-FOREST (delete)",
        '      sku: "BEANIE-FOREST"',
    ):
        assert line in planned.stderr.splitlines(), line
    assert "variants.BEANIE-FOREST" not in planned.stderr
    assert "2 to delete." in planned.stderr

    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
