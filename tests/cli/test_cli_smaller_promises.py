"""Small promises of the command line: global options on either side of the command, a .gitignore that
keeps saved plans out of git, a clear way out of a folder that is no catalog, and a reset that says what
it removed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import DEMO_RECIPES, shelf


def test_quiet_after_the_command_is_quiet(repo: Path) -> None:
    after, before = shelf("plan", "-q"), shelf("-q", "plan")
    assert after.exit_code == before.exit_code == 0, after.output
    assert after.stderr == before.stderr == ""
    assert shelf("plan", "--quiet", "--detailed-exitcode").exit_code == 2
    assert shelf("sandbox", "reset", "-q").stderr == ""


def test_verbose_after_the_command_shows_each_change(repo: Path) -> None:
    applied = shelf("apply", "--auto-approve", "-v")
    assert applied.exit_code == 0, applied.output
    done = [line for line in applied.stderr.splitlines() if line.strip().startswith("[")]
    assert done and all(line.endswith(" ok") for line in done)
    assert len(done) == int(applied.stderr.split("Apply complete: ")[1].split(" applied")[0])


def test_config_after_the_command_is_the_config_used(repo: Path) -> None:
    (repo / "elsewhere").mkdir()
    shutil.copy(DEMO_RECIPES / "digital.yaml", repo / "elsewhere" / "digital.yaml")
    shutil.copytree(DEMO_RECIPES / "files", repo / "elsewhere" / "files")
    shutil.copytree(DEMO_RECIPES / "images", repo / "elsewhere" / "images")
    shutil.copy(DEMO_RECIPES / "categories.yaml", repo / "elsewhere" / "categories.yaml")
    (repo / "other.yaml").write_text(
        "recipes: [elsewhere]\ndefault_target: box\ntargets:\n  box: {platform: xpage, sandbox: true}\n"
    )
    after, before = shelf("validate", "-c", "other.yaml"), shelf("-c", "other.yaml", "validate")
    assert after.exit_code == 0, after.output
    assert "config other.yaml" in after.stderr and after.stderr == before.stderr
    missing = shelf("validate", "--config", "nope.yaml")
    assert missing.exit_code == 1 and "nope.yaml' does not exist" in missing.stderr


def test_the_new_gitignore_keeps_saved_plans_and_state_out_of_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert shelf("init").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    ignored = ["plan.json", "plans/shop.plan.json", "tomorrow.plan.json", ".shelf/sandbox/xpage.sqlite"]
    kept = ["shelf.yaml", "recipes/catalog.yaml", "schemas/recipe.schema.json", "recipes/plan.yaml"]
    result = subprocess.run(["git", "check-ignore", *ignored, *kept], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.stdout.splitlines() == ignored


def test_a_folder_without_config_or_recipes_suggests_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["validate"], ["plan"], ["apply", "--auto-approve"]):
        result = shelf(*command)
        assert result.exit_code == 1, result.output
        [line] = result.stderr.splitlines()
        assert "no shelf.yaml" in line and "no recipes/ folder" in line and "run `shelf init`" in line
    assert not (tmp_path / ".shelf").exists()  # nothing was opened, let alone sent


def test_sandbox_reset_says_what_it_removed(repo: Path) -> None:
    nothing = shelf("sandbox", "reset")
    assert nothing.exit_code == 0
    assert "nothing to reset: no sandbox under" in nothing.stderr
    assert shelf("apply", "--auto-approve").exit_code == 0
    reset = shelf("sandbox", "reset", "--platform", "xpage")
    assert reset.exit_code == 0
    said = r"reset the xpage sandbox \(.*\): back to its seed: removed \d+ products, "
    assert re.search(said, reset.stderr), reset.stderr
    again = shelf("sandbox", "reset", "--platform", "xpage")
    assert "it held nothing beyond its seed" in again.stderr
