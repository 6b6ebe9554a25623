"""A mixed catalog change, as a reviewer reads it in every plan format, then applied exactly once.

The demo catalog is applied to the xPage sandbox, then changed (:mod:`review_mix`): a price, an alt text,
a reordered gallery, a new picture, a removed variant and a product taken out of the recipes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from review_mix import apply_then_change

from support import sandbox_control, sandbox_db, shelf

TEXT_LINES = [
    "  ~ product.canvas-tote",
    '      variants.TOTE-NATURAL.price: "18.00" -> "19.00"',
    '      images[inside.png].alt: "The inside pocket" -> "The zipped inside pocket"',
    "  ~ product.wool-beanie",
    "      images: order charcoal.png, mustard.png, forest.png -> mustard.png, charcoal.png, forest.png",
    "  ~ product.everyday-socks",
    "      options[Size]: - 44-47",
    "      images: + rolled.png",
    "  ^ upload image.everyday-socks/rolled.png (97 B)",
    "  - variant.SOCKS-44-47 (delete)",
    '      sku: "SOCKS-44-47"',
    '      price: "9.50"',
    "  - deactivate product.zip-hoodie",
    "Plan: 0 to create, 3 to update, 1 to upload (97 B), 2 to delete.",
]


def _stats(repo: Path) -> dict[str, Any]:
    found: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return found


def test_the_text_plan_shows_one_line_per_changed_element(repo: Path) -> None:
    apply_then_change(repo)
    text = shelf("plan", "--detailed-exitcode")
    assert text.exit_code == 2, text.output
    lines = text.stderr.splitlines()
    positions = [lines.index(line) for line in TEXT_LINES]
    assert positions == sorted(positions), text.stderr
    # a deactivation lists no fields: the product keeps them; nothing reads as one whole JSON array
    after = lines[lines.index("  - deactivate product.zip-hoodie") + 1]
    assert after == ""
    assert '[{"ref"' not in text.stderr and "-> (none)" not in text.stderr


def test_the_json_plan_names_each_element_and_counts_add_up(repo: Path) -> None:
    apply_then_change(repo)
    document = json.loads(shelf("plan", "--format", "json").stdout)
    changes = {c["address"]: c for c in document["changes"]}
    paths = {a: [f["path"] for f in c["fields"]] for a, c in changes.items()}
    assert paths["product.canvas-tote"] == ["variants.TOTE-NATURAL.price", "images[inside.png].alt"]
    assert paths["product.wool-beanie"] == ["images.order"]
    assert paths["product.everyday-socks"] == ["options[Size][44-47]", "images[rolled.png]"]
    assert changes["variant.SOCKS-44-47"]["action"] == "delete"
    assert changes["product.zip-hoodie"]["action"] == "deactivate"
    summary = document["summary"]
    assert summary == {"create": 0, "update": 3, "upload": 1, "delete": 2, "unchanged": 9}
    by_action: dict[str, int] = {}
    for change in document["changes"]:
        by_action[change["action"]] = by_action.get(change["action"], 0) + 1
    assert by_action == {"update": 3, "upload": 1, "delete": 1, "deactivate": 1}


def test_the_saved_plan_applies_each_write_once_and_converges(repo: Path) -> None:
    apply_then_change(repo)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _stats(repo)
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    writes = {r: n for r, n in _stats(repo)["requests"].items() if not r.startswith("GET")}
    # three updates, the socks' update also dropping the variant; the deactivation; one upload
    assert writes == {"POST /product/{id}/update": 4, "POST /file": 1}, writes
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert shelf("apply", "--auto-approve").exit_code == 0
    stats = _stats(repo)
    assert stats["writes"] == 0 and stats["upload_bytes"] == 0
