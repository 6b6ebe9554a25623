"""End to end: the real CLI against the in-process xPage sandbox, as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support import sandbox_control, sandbox_db, shelf


def _writes(repo: Path) -> int:
    return int(sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")["writes"])


def _reset_stats(repo: Path) -> None:
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/stats/reset")


def _simple_price_line(repo: Path) -> tuple[Path, int, str]:
    """The first product-level `price:` of a simple product in the demo (no options in its block)."""
    for path in sorted((repo / "recipes").glob("*.yaml")):
        lines = path.read_text().splitlines()
        block_start = 0
        for i, line in enumerate(lines):
            if re.match(r"^  - key: ", line):
                block_start = i
            m = re.match(r"^    price: ([0-9.]+)\s*$", line)
            if m:
                block = lines[block_start:i]
                if not any(re.match(r"^    options:", b) for b in block):
                    return path, i, m.group(1)
    raise AssertionError("the demo catalog has no simple product with a price")


def test_apply_demo_then_plan_is_empty(repo: Path) -> None:
    first = shelf("apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    assert "Apply complete" in first.stderr

    again = shelf("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stderr

    _reset_stats(repo)
    second = shelf("apply", "--auto-approve")
    assert second.exit_code == 0, second.output
    assert _writes(repo) == 0
    stats = sandbox_control(sandbox_db(repo), "GET", "/_sandbox/stats")
    assert stats["upload_bytes"] == 0


def test_one_price_change_is_one_field_and_one_write(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    path, index, old = _simple_price_line(repo)
    lines = path.read_text().splitlines()
    new = f"{float(old) + 1:.2f}"
    lines[index] = lines[index].replace(old, new)
    path.write_text("\n".join(lines) + "\n")

    planned = shelf("plan", "--detailed-exitcode", "--format", "json")
    assert planned.exit_code == 2, planned.output
    document = json.loads(planned.stdout)
    assert document["summary"]["update"] == 1
    [change] = document["changes"]
    assert change["action"] == "update"
    [field] = change["fields"]
    assert field["path"].endswith("price")
    assert field["before"] == f"{float(old):.2f}" and field["after"] == new

    text = shelf("plan")
    assert f'"{float(old):.2f}" -> "{new}"' in text.stderr or f"{float(old):.2f} -> {new}" in text.stderr
    assert "Plan: 0 to create, 1 to update, 0 to upload, 0 to delete." in text.stderr

    _reset_stats(repo)
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert _writes(repo) == 1
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_apply_without_terminal_needs_auto_approve(repo: Path) -> None:
    result = shelf("apply")
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert not sandbox_db(repo).exists()


def test_plan_formats(repo: Path) -> None:
    as_json = shelf("plan", "--format", "json")
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert document["format_version"] == 1
    assert document["platform"] == "xpage" and document["target"] == "sandbox"
    assert document["summary"]["create"] >= 12
    assert document["recipes_digest"].startswith("sha256:")

    as_markdown = shelf("plan", "--format", "markdown")
    assert as_markdown.exit_code == 0
    assert "product." in as_markdown.stdout and "|" in as_markdown.stdout

    out = repo / "plan.json"
    saved = shelf("plan", "--out", str(out))
    assert saved.exit_code == 0 and out.exists()


def test_usage_errors_exit_1(repo: Path) -> None:
    result = shelf("plan", "--format", "yaml")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert shelf("no-such-command").exit_code == 1


def test_missing_environment_variable_is_named(repo: Path) -> None:
    (repo / "shelf.yaml").write_text(
        "targets:\n  shop:\n    platform: xpage\n    base_url: http://127.0.0.1:9/api/apps/v1\n"
        "    token: ${SHELF_TEST_NO_SUCH_TOKEN}\n"
    )
    result = shelf("plan", "--target", "shop", env={"SHELF_TEST_NO_SUCH_TOKEN": None})  # type: ignore[dict-item]
    assert result.exit_code == 1
    assert "SHELF_TEST_NO_SUCH_TOKEN" in result.stderr
    assert "Traceback" not in result.output


def test_schema_command_prints_draft07(repo: Path) -> None:
    for kind in ("recipe", "config"):
        result = shelf("schema", kind)
        assert result.exit_code == 0
        assert json.loads(result.stdout)["$schema"].startswith("http://json-schema.org/draft-07")


def test_validate_demo(repo: Path) -> None:
    result = shelf("validate")
    assert result.exit_code == 0, result.output
    assert not (repo / ".shelf" / "sandbox").exists()


def test_apply_asks_on_a_terminal_and_only_yes_applies(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.commands.plan_apply as plan_apply

    monkeypatch.setattr(plan_apply, "stdin_is_terminal", lambda: True)
    declined = shelf("apply", input="no\n")
    assert declined.exit_code == 1
    assert "Only 'yes' applies" in declined.stderr and "aborted" in declined.stderr
    assert _writes(repo) == 0

    accepted = shelf("apply", input="yes\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Apply complete" in accepted.stderr
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_verbose_logs_name_requests_without_query_strings_or_tokens(repo: Path) -> None:
    result = shelf("-vv", "plan")
    assert result.exit_code == 0
    assert "engine.http: GET /product -> 200" in result.stderr
    assert "page_size=" not in result.stderr
    assert "Bearer" not in result.stderr
