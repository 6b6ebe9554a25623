"""`shelf init` makes a catalog repository that works at once: validate, plan and apply run in it, editors
find the schemas, and its CI workflow plans pull requests and applies merges.

The workflow's shell steps are run here with stand-ins for `shelf` and `gh`, so what they do with each
exit code and with an existing pull-request comment is tested, not only their spelling.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import shelf

FILES = (
    "shelf.yaml",
    "recipes/catalog.yaml",
    "schemas/recipe.schema.json",
    "schemas/config.schema.json",
    ".github/workflows/shelf.yml",
    ".gitignore",
)


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = shelf("init", "catalog")
    assert result.exit_code == 0, result.output
    assert "shelf validate" in result.stderr
    return tmp_path / "catalog"


def _workflow(repo: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((repo / ".github" / "workflows" / "shelf.yml").read_text())
    return document


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    [step] = [s for s in job["steps"] if s.get("name") == name]
    return dict(step)


def test_init_writes_the_repository(made: Path) -> None:
    for name in FILES:
        assert (made / name).is_file(), name
    assert ".shelf/" in (made / ".gitignore").read_text().splitlines()
    config = (made / "shelf.yaml").read_text()
    assert config.startswith("# yaml-language-server: $schema=schemas/config.schema.json\n")
    assert "#   token: ${XPAGE_TOKEN}" in config
    assert yaml.safe_load(config)["targets"] == {"sandbox": {"platform": "xpage", "sandbox": True}}


def test_the_recipe_points_at_a_schema_in_the_repository(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recipe = made / "recipes" / "catalog.yaml"
    first = recipe.read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    schema = (recipe.parent / first[len(prefix) :]).resolve()
    assert schema == (made / "schemas" / "recipe.schema.json").resolve()
    monkeypatch.chdir(made)
    for kind in ("recipe", "config"):
        printed = json.loads(shelf("schema", kind).stdout)
        assert json.loads((made / "schemas" / f"{kind}.schema.json").read_text()) == printed


def test_validate_plan_and_apply_work_in_the_new_repository(
    made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(made)
    validated = shelf("validate")
    assert validated.exit_code == 0, validated.output
    planned = shelf("plan", "--detailed-exitcode", "--format", "markdown", "--out", "plan.json")
    assert planned.exit_code == 2, planned.output
    assert "product.example-tee" in planned.stdout
    assert json.loads((made / "plan.json").read_text())["target"] == "sandbox"
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_the_workflow_plans_pull_requests_and_applies_merges(made: Path) -> None:
    workflow = _workflow(made)
    triggers: dict[str, Any] = workflow.get("on") or workflow[True]  # type: ignore[index]
    # (YAML 1.1 readers, PyYAML among them, take the key `on` for true)
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert "XPAGE_TOKEN" not in workflow["env"]  # only the Plan and Apply steps get credentials

    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["permissions"]["pull-requests"] == "write"
    assert plan["strategy"]["matrix"]["target"] == ["sandbox"]
    assert plan["env"]["TARGET"] == "${{ matrix.target }}"
    runs = " ".join(s.get("run", "") for s in plan["steps"])
    assert 'pip install "${SHELF_PIP_SPEC:-' in runs
    assert "shelf validate" in runs
    assert 'shelf plan --target "$TARGET" --detailed-exitcode --format markdown --out plan.json' in runs
    assert "$GITHUB_STEP_SUMMARY" in runs
    assert "<!-- shelf-plan:${TARGET} -->" in runs

    apply = workflow["jobs"]["apply"]
    assert "github.event_name == 'push'" in apply["if"]
    assert apply["concurrency"] == {"group": "shelf-apply-${{ matrix.target }}", "cancel-in-progress": False}
    assert apply["strategy"]["matrix"]["target"] == ["sandbox"]
    assert 'shelf apply --auto-approve --target "$TARGET"' in _step(apply, "Apply")["run"]


def _fake(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _run_step(
    made: Path, work: Path, job: str, name: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """One workflow step's script, run the way Actions runs `shell: bash` steps."""
    script = work / "step.sh"
    script.write_text(_step(_workflow(made)["jobs"][job], name)["run"])
    full = {**os.environ, "PATH": f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("code", "fails", "changes"), [(0, False, "false"), (2, False, "true"), (1, True, None)]
)
def test_the_plan_step_treats_exit_2_as_changes(
    made: Path, tmp_path: Path, code: int, fails: bool, changes: str | None
) -> None:
    work = tmp_path / "work"
    (work / "bin").mkdir(parents=True)
    _fake(work / "bin", "shelf", f'echo "### shelf plan for sandbox"\necho "$@" > args.txt\nexit {code}\n')
    summary, output = work / "summary.md", work / "output.txt"
    result = _run_step(
        made,
        work,
        "plan",
        "Plan",
        {
            "TARGET": "sandbox",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output),
        },
    )
    assert (result.returncode != 0) is fails, result.stderr
    assert (work / "args.txt").read_text().split() == [
        "plan",
        "--target",
        "sandbox",
        "--detailed-exitcode",
        "--format",
        "markdown",
        "--out",
        "plan.json",
    ]
    if fails:
        assert result.returncode == 1
        assert "### shelf plan" in result.stdout  # errors and annotations reach the log
    else:
        assert "### shelf plan for sandbox" in summary.read_text()
        assert f"changes={changes}" in output.read_text()


@pytest.mark.parametrize("existing", ["", "101\n"])
def test_the_comment_step_edits_its_comment_in_place(made: Path, tmp_path: Path, existing: str) -> None:
    work = tmp_path / "work"
    (work / "bin").mkdir(parents=True)
    (work / "plan.md").write_text("### shelf plan for `sandbox` (xpage)\n")
    _fake(
        work / "bin",
        "gh",
        ('echo "$@" >> calls.txt\ncase "$*" in *--paginate*) printf "%s" "$EXISTING" ;; esac\n'),
    )
    result = _run_step(
        made,
        work,
        "plan",
        "Comment the plan on the pull request",
        {
            "TARGET": "sandbox",
            "PR": "7",
            "GITHUB_REPOSITORY": "acme/catalog",
            "EXISTING": existing,
            "GH_TOKEN": "unused",
        },
    )
    assert result.returncode == 0, result.stderr
    calls = (work / "calls.txt").read_text().splitlines()
    assert calls[0].startswith("api --paginate repos/acme/catalog/issues/7/comments --jq")
    assert "<!-- shelf-plan:sandbox -->" in calls[0]
    if existing:
        assert calls[1] == "api --method PATCH repos/acme/catalog/issues/comments/101 -F body=@comment.md"
    else:
        assert calls[1] == "api --method POST repos/acme/catalog/issues/7/comments -F body=@comment.md"
    assert len(calls) == 2
    body = (work / "comment.md").read_text()
    assert body.startswith("<!-- shelf-plan:sandbox -->\n") and "### shelf plan for `sandbox`" in body


def test_init_refuses_to_overwrite_and_names_the_files(made: Path, tmp_path: Path) -> None:
    (made / "shelf.yaml").write_text("# mine\n")
    again = shelf("init", "catalog")
    assert again.exit_code == 1
    assert "would overwrite shelf.yaml, recipes/catalog.yaml" in again.stderr
    assert "--force" in again.stderr
    assert (made / "shelf.yaml").read_text() == "# mine\n"

    forced = shelf("init", "catalog", "--force")
    assert forced.exit_code == 0, forced.output
    assert (made / "shelf.yaml").read_text().startswith("# yaml-language-server:")


def test_init_in_the_current_folder_keeps_an_existing_gitignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("node_modules/")
    assert shelf("init").exit_code == 0
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n.shelf/\nplan.json\n*.plan.json\n"
    assert shelf("init", "--force").exit_code == 0
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n.shelf/\nplan.json\n*.plan.json\n"
    assert shelf("validate").exit_code == 0


def test_init_into_a_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("")
    result = shelf("init", "taken")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
