"""The renderers: text for terminals, markdown for pull requests, JSON for programs."""

from __future__ import annotations

import json
from decimal import Decimal

from engine.errors import Source
from engine.model import Product, Variant
from engine.plan.model import Action, Change, FieldChange, Plan
from engine.plan.render import (
    NO_CHANGES,
    human_size,
    markdown_cell,
    plan_to_dict,
    render_json,
    render_markdown,
    render_text,
    summary_line,
)

TEE = Product(key="classic-tee", title={"*": "Classic Tee"}, variants=(Variant(price=Decimal("25")),))


def sample() -> Plan:
    long_description = "x" * 5000
    return Plan(
        target="shop",
        platform="xpage",
        unchanged=40,
        recipes_digest="sha256:abc",
        created_at="2026-11-23T18:00:00Z",
        shelf_version="0.1.0",
        notes=["category.t-shirts pulled in: product.classic-tee depends on it"],
        changes=[
            Change(
                "product.classic-tee",
                Action.CREATE,
                [FieldChange("title", None, "Classic Tee")],
                desired=TEE,
                source=Source("recipes/a.yaml", 3, 5),
                depends_on=["category.t-shirts"],
            ),
            Change(
                "product.polo",
                Action.UPDATE,
                [
                    FieldChange("variants.POLO-L.price", "25.00", "27.00"),
                    FieldChange("properties.Fit", None, "Slim"),
                ],
                live_id="17",
                live_version="sha256:def",
            ),
            Change(
                "product.old-thing",
                Action.DEACTIVATE,
                [FieldChange("status", "active", "inactive")],
                live_id="9",
            ),
            Change(
                "product.gone",
                Action.DELETE,
                [
                    FieldChange("title", "Gone | for good", None),
                    FieldChange("description", long_description, None),
                ],
                live_id="8",
            ),
            Change("image.classic-tee/front.jpg", Action.UPLOAD, size=84 * 1024),
            Change("image.classic-tee/back.jpg", Action.UPLOAD, size=84 * 1024),
        ],
    )


def test_text_blocks_symbols_and_fields() -> None:
    text = render_text(sample())
    assert '  + product.classic-tee\n      title: "Classic Tee"\n' in text
    assert '      variants.POLO-L.price: "25.00" -> "27.00"\n' in text
    assert '      properties.Fit: (none) -> "Slim"\n' in text
    assert "  - deactivate product.old-thing\n\n" in text  # no field list: the product keeps its fields
    assert "status" not in text
    assert "  - product.gone (delete)\n" in text
    assert "  ^ upload image.classic-tee/front.jpg (84 KB)\n" in text
    assert "Note: category.t-shirts pulled in: product.classic-tee depends on it\n" in text


def test_text_ends_with_the_summary_line() -> None:
    text = render_text(sample())
    assert text.endswith("Plan: 1 to create, 1 to update, 2 to upload (168 KB), 2 to delete.\n")
    assert "\x1b[" not in text


def test_text_lists_deletions_in_full() -> None:
    text = render_text(sample())
    assert f'description: "{"x" * 5000}"' in text


def test_text_summary_line_without_uploads() -> None:
    p = Plan("shop", "xpage", changes=[Change("product.a", Action.UPDATE, [FieldChange("title", "a", "b")])])
    assert summary_line(p) == "Plan: 0 to create, 1 to update, 0 to upload, 0 to delete."
    assert render_text(p).splitlines()[-1] == "Plan: 0 to create, 1 to update, 0 to upload, 0 to delete."


def test_text_empty_plan() -> None:
    assert render_text(Plan("shop", "xpage", unchanged=3)) == NO_CHANGES + "\n"
    assert NO_CHANGES == "No changes. The shop matches the recipes."


def test_text_color_only_when_asked() -> None:
    text = render_text(sample(), color=True)
    assert "\x1b[32m+ product.classic-tee\x1b[0m" in text
    assert "\x1b[33m~ product.polo\x1b[0m" in text
    assert "\x1b[31m- deactivate product.old-thing\x1b[0m" in text
    assert "\x1b[36m^ upload image.classic-tee/front.jpg (84 KB)\x1b[0m" in text


def test_text_verbose_adds_identity_dependencies_source_and_unchanged() -> None:
    text = render_text(sample(), verbose=True)
    assert "      # after category.t-shirts; from recipes/a.yaml:3:5\n" in text
    assert "      # id 17; version sha256:def\n" in text
    assert "40 unchanged.\n" in text
    assert text.endswith("to delete.\n")


def test_human_size() -> None:
    assert human_size(512) == "512 B"
    assert human_size(84 * 1024) == "84 KB"
    assert human_size(3 * 1024 * 1024 + 1) == "3.0 MB"
    assert human_size(5 * 1024**3) == "5.0 GB"


def test_markdown_heading_summary_table_and_details() -> None:
    md = render_markdown(sample())
    lines = md.splitlines()
    assert lines[0] == "### shelf plan for `shop` (xpage)"
    assert "| create | update | upload | delete | unchanged |" in lines
    assert "| 1 | 1 | 2 (168 KB) | 2 | 40 |" in lines
    assert "`+ product.classic-tee`" in lines
    assert '| variants\\.POLO-L.price | "25.00" | "27.00" |' not in md  # dots are not escaped
    assert '| variants.POLO-L.price | "25.00" | "27.00" |' in lines
    assert '| properties.Fit | *(none)* | "Slim" |' in lines
    assert "After: `category.t-shirts`" in lines


def test_markdown_deletions_are_open_and_in_full_with_cells_escaped() -> None:
    md = render_markdown(sample())
    assert "**`- deactivate product.old-thing`**" in md
    assert "**`- product.gone (delete)`**" in md
    assert "<details" not in md.split("#### Changes")[0]
    assert '| title | "Gone \\| for good" |' in md
    assert "x" * 5000 in md


def test_markdown_cell_escaping() -> None:
    assert markdown_cell("a|b") == "a\\|b"
    assert markdown_cell("<script>") == "\\<script\\>"
    assert markdown_cell("*bold* _it_ `code` [l](u) $x$ ~s~ &amp; \\") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u) \\$x\\$ \\~s\\~ \\&amp; \\\\"
    )
    assert markdown_cell("one\ntwo") == "one<br>two"


def test_markdown_empty_plan() -> None:
    md = render_markdown(Plan("shop", "xpage"))
    assert md.splitlines() == ["### shelf plan for `shop` (xpage)", "", NO_CHANGES, ""]


def test_json_document_keys_and_values() -> None:
    document = json.loads(render_json(sample()))
    assert list(document) == [
        "format_version",
        "shelf_version",
        "target",
        "platform",
        "recipes_digest",
        "created_at",
        "summary",
        "changes",
        "notes",
    ]
    assert document["format_version"] == 1
    assert document["summary"] == {"create": 1, "update": 1, "upload": 2, "delete": 2, "unchanged": 40}
    create, update = document["changes"][:2]
    assert create == {
        "address": "product.classic-tee",
        "action": "create",
        "fields": [{"path": "title", "before": None, "after": "Classic Tee"}],
        "live_version": None,
        "depends_on": ["category.t-shirts"],
        "live_id": None,
        "source": "recipes/a.yaml:3:5",
    }
    assert update["fields"][0] == {"path": "variants.POLO-L.price", "before": "25.00", "after": "27.00"}
    assert update["live_version"] == "sha256:def" and update["live_id"] == "17"
    assert "size" not in update
    assert document["changes"][4]["size"] == 84 * 1024
    assert document["notes"] == ["category.t-shirts pulled in: product.classic-tee depends on it"]
    assert plan_to_dict(sample()) == document


def test_json_replace_counts_as_delete_and_create() -> None:
    p = Plan(
        "shop", "xpage", changes=[Change("product.a", Action.REPLACE, [FieldChange("digital", False, True)])]
    )
    assert plan_to_dict(p)["summary"] == {"create": 1, "update": 0, "upload": 0, "delete": 1, "unchanged": 0}
    assert "  -/+ product.a\n      digital: false -> true\n" in render_text(p)
