"""A mixed catalog change, as a reviewer reads it in every plan format, then applied exactly once.

The demo catalog is applied to the xPage sandbox, then changed (:mod:`review_mix`): a price, an alt text,
a reordered gallery, a new picture, a removed variant and a product taken out of the recipes. The xPage
API sets alt text only with an upload, so the alt change is also an upload of that picture.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from review_mix import apply_then_change

from support import DEMO_RECIPES, sandbox_control, sandbox_db, shelf

TEXT_LINES = [
    "  ~ product.canvas-tote",
    '      variants.TOTE-NATURAL.price: "18.00" -> "19.00"',
    '      images[inside.png].alt: "The inside pocket" -> "The zipped inside pocket"',
    "  ^ upload image.canvas-tote/inside.png (1 KB)",
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
    "Plan: 0 to create, 3 to update, 2 to upload (1 KB), 2 to delete.",
]


@pytest.fixture(scope="module")
def _mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """One applied-then-changed copy of the demo for the tests that only plan (they leave the shop as is)."""
    root = tmp_path_factory.mktemp("mixed")
    shutil.copytree(DEMO_RECIPES, root / "recipes")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("GITHUB_ACTIONS", raising=False)
        picture = apply_then_change(root)
    return root, picture


@pytest.fixture
def mixed(_mixed: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(_mixed[0])
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return _mixed[0]


def _stats(repo: Path) -> dict[str, Any]:
    found: dict[str, Any] = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")
    return found


def test_the_text_plan_shows_one_line_per_changed_element(mixed: Path) -> None:
    text = shelf("plan", "--detailed-exitcode")
    assert text.exit_code == 2, text.output
    lines = text.stderr.splitlines()
    positions = [lines.index(line) for line in TEXT_LINES]
    assert positions == sorted(positions), text.stderr
    # a deactivation lists no fields: the product keeps them; nothing reads as one whole JSON array
    after = lines[lines.index("  - deactivate product.zip-hoodie") + 1]
    assert after == ""
    assert '[{"ref"' not in text.stderr and "-> (none)" not in text.stderr


def test_the_json_plan_names_each_element_and_counts_add_up(mixed: Path) -> None:
    document = json.loads(shelf("plan", "--format", "json").stdout)
    changes = {c["address"]: c for c in document["changes"]}
    paths = {a: [f["path"] for f in c["fields"]] for a, c in changes.items()}
    assert paths["product.canvas-tote"] == ["variants.TOTE-NATURAL.price", "images[inside.png].alt"]
    assert paths["product.wool-beanie"] == ["images.order"]
    assert paths["product.everyday-socks"] == ["options[Size][44-47]", "images[rolled.png]"]
    assert changes["variant.SOCKS-44-47"]["action"] == "delete"
    assert changes["product.zip-hoodie"]["action"] == "deactivate"
    summary = document["summary"]
    assert summary == {"create": 0, "update": 3, "upload": 2, "delete": 2, "unchanged": 9}
    by_action: dict[str, int] = {}
    for change in document["changes"]:
        by_action[change["action"]] = by_action.get(change["action"], 0) + 1
    assert by_action == {"update": 3, "upload": 2, "delete": 1, "deactivate": 1}


def test_the_saved_plan_applies_each_write_once_and_converges(repo: Path) -> None:
    # a shop that drops what an update leaves out; under the default reading the variant would stay
    # (tests/e2e/test_e2e_variant_deletion_saved.py)
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/readings", {"updates": "replace"})
    apply_then_change(repo)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    _stats(repo)
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    writes = {r: n for r, n in _stats(repo)["requests"].items() if not r.startswith("GET")}
    # three updates, the socks' update also dropping the variant; the deactivation; two uploads, the
    # alt text's replacing (and deleting) the file it had
    assert writes == {"POST /product/{id}/update": 4, "POST /file": 2, "POST /file/{id}": 1}, writes
    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert shelf("apply", "--auto-approve").exit_code == 0
    stats = _stats(repo)
    assert stats["writes"] == 0 and stats["upload_bytes"] == 0


MARKDOWN_LINES = [
    "| 0 | 3 | 2 (1 KB) | 2 | 9 |",
    "#### Deletions (2)",
    "**`- variant.SOCKS-44-47 (delete)`**",
    '| sku | "SOCKS-44-47" |',
    "**`- deactivate product.zip-hoodie`**",
    "#### Changes (5)",
    "`~ product.canvas-tote`",
    '| variants.TOTE-NATURAL.price | "18.00" | "19.00" |',
    '| images\\[inside.png\\].alt | "The inside pocket" | "The zipped inside pocket" |',
    "- `^ upload image.canvas-tote/inside.png (1 KB)`",
    "`~ product.wool-beanie`",
    "| images (order) | charcoal.png, mustard.png, forest.png | mustard.png, charcoal.png, forest.png |",
    "`~ product.everyday-socks`",
    "| options\\[Size\\] | - 44-47 |  |",
    "| images |  | + rolled.png |",
    "- `^ upload image.everyday-socks/rolled.png (97 B)`",
]


def test_the_markdown_plan_shows_every_change_unfolded(mixed: Path) -> None:
    markdown = shelf("plan", "--format", "markdown").stdout
    lines = markdown.splitlines()
    positions = [lines.index(line) for line in MARKDOWN_LINES]
    assert positions == sorted(positions), markdown
    assert "<details" not in markdown  # a price change is seen without clicking
    assert "more changes are not shown" not in markdown


def test_the_html_plan_has_a_card_per_change_with_the_changes_marked(
    mixed: Path, _mixed: tuple[Path, bytes]
) -> None:
    repo, picture = _mixed
    made = shelf("plan", "--format", "html", "--out", "plan.html")
    assert made.exit_code == 0, made.output
    page = (repo / "plan.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    for card in (
        'class="card delete" id="variant.SOCKS-44-47"',
        'class="card deactivate" id="product.zip-hoodie"',
        'class="card update" id="product.canvas-tote"',
        'class="card update" id="product.wool-beanie"',
        'class="card update" id="product.everyday-socks"',
    ):
        assert card in page, card
    assert '<td class="changed"><del>&quot;18.00&quot;</del> <ins>&quot;19.00&quot;</ins></td>' in page
    assert '<tr class="removed" title="variant.SOCKS-44-47 (delete)">' in page
    embedded = "data:image/png;base64," + base64.b64encode(picture).decode()
    assert f'<figure class="added"><img src="{embedded}"' in page
    order = "images: order charcoal.png, mustard.png, forest.png -&gt; mustard.png, charcoal.png, forest.png"
    assert order in page
    assert "http://sandbox" not in page  # the in-process sandbox's URLs lead nowhere
    assert page.count('class="card ') == 5  # the upload is shown in its product's card
    printed = shelf("plan", "--format", "html").stdout  # without --out, the page goes to stdout
    assert printed.startswith("<!DOCTYPE html>") and printed.count('class="card ') == 5


def test_show_renders_a_saved_plan_again_without_reading_the_shop(mixed: Path, tmp_path: Path) -> None:
    repo = mixed
    saved = shelf("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    text = shelf("plan").stderr
    _stats(repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "plan.json").write_text((repo / "plan.json").read_text())
    os.chdir(elsewhere)  # no shelf.yaml, no recipes, no sandbox here
    shown = shelf("show", "plan.json")
    assert shown.exit_code == 0, shown.output
    assert shown.stderr == text
    markdown = shelf("show", "plan.json", "--format", "markdown").stdout
    assert "**`- variant.SOCKS-44-47 (delete)`**" in markdown
    page = shelf("show", "plan.json", "--format", "html").stdout
    assert 'id="product.everyday-socks"' in page and "data:image/png;base64," in page
    assert json.loads(shelf("show", "plan.json", "--format", "json").stdout)["summary"]["delete"] == 2
    assert shelf("show", "plan.json", "--format", "markdown", "--out", "plan.md").exit_code == 0
    assert (elsewhere / "plan.md").read_text() == markdown.removesuffix("\n")
    assert shelf("show", "plan.json", "--out", "plan.html").exit_code == 0
    assert (elsewhere / "plan.html").read_text() == page
    assert not (elsewhere / ".shelf").exists()
    os.chdir(repo)
    assert _stats(repo)["requests"] == {}
    edited = (elsewhere / "plan.json").read_text().replace('"19.00"', '"1.00"')
    (elsewhere / "plan.json").write_text(edited)
    refused = shelf("show", str(elsewhere / "plan.json"))
    assert refused.exit_code == 1 and "checksum" in refused.stderr


def test_max_chars_keeps_the_deletions_and_counts_the_rest(mixed: Path) -> None:
    markdown = shelf("plan", "--format", "markdown", "--max-chars", "1200").stdout
    assert len(markdown) <= 1200 + 1  # click.echo adds the final newline
    assert "**`- variant.SOCKS-44-47 (delete)`**" in markdown
    assert "**`- deactivate product.zip-hoodie`**" in markdown
    assert "more changes are not shown here**" in markdown
    unlimited = shelf("plan", "--format", "markdown", "--max-chars", "0").stdout
    assert "more changes are not shown" not in unlimited and "`~ product.everyday-socks`" in unlimited
