"""Every broken recipe in tests/broken/ fails `shelf validate`, `plan` and `apply` the same way:
exit 1, each expected `file:line:col: message` on stderr, no traceback, and no request to any shop.

A case whose error belongs to one target names it in `args.txt` (plan and apply take those arguments).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import PROJECT, shelf

CASES = sorted(p for p in (PROJECT / "tests" / "broken").iterdir() if (p / "expect.txt").exists())


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("command", [["validate"], ["plan"], ["apply", "--auto-approve"]], ids=" ".join)
def test_broken_recipe_is_one_clear_error_and_no_request(
    case: Path, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    extra = (case / "args.txt").read_text().split() if (case / "args.txt").exists() else []
    if command == ["validate"]:
        extra = []  # validate checks every target at once
    result = shelf(*command, *extra)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for line in (case / "expect.txt").read_text().splitlines():
        if line.strip():
            assert line.strip() in result.stderr, f"missing: {line}\n---\n{result.stderr}"
    assert not (work / ".shelf" / "sandbox").exists(), "a request was attempted while recipes are invalid"


def test_github_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = PROJECT / "tests" / "broken" / "unknown-field"
    shutil.copytree(case, tmp_path / "c")
    monkeypatch.chdir(tmp_path / "c")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = shelf("validate")
    assert result.exit_code == 1
    assert "::error file=recipes/" in result.stdout
