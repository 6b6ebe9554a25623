"""The workflow `shelf init` writes: the full plan as an artifact linked from the comment, and the daily
drift job that keeps one issue per target. Its shell steps run here with stand-ins for `shelf` and `gh`
(and the real `shelf` where it only renders a saved plan)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import shelf


@pytest.fixture
def workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(tmp_path)
    assert shelf("init", "catalog").exit_code == 0
    document: dict[str, Any] = yaml.safe_load((tmp_path / "catalog/.github/workflows/shelf.yml").read_text())
    return document


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    [step] = [s for s in job["steps"] if s.get("name") == name]
    return step


def _fake(work: Path, name: str, script: str) -> None:
    path = work / "bin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _run(script: str, work: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (work / "step.sh").write_text(script)
    full = {**os.environ, "PATH": f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(work / "step.sh")],
                          cwd=work, env=full, capture_output=True, text=True, timeout=60, check=False)


def test_the_drift_job_runs_daily_and_plans_every_target(workflow: dict[str, Any]) -> None:
    triggers: dict[str, Any] = workflow.get("on") or workflow[True]  # type: ignore[index]
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()
    drift = workflow["jobs"]["drift"]
    assert "schedule" in drift["if"]
    assert drift["permissions"]["issues"] == "write"
    assert drift["strategy"]["matrix"]["target"] == ["sandbox"]
    run = _step(drift, "Plan")["run"]
    assert 'shelf plan --target "$TARGET" --detailed-exitcode --format markdown' in run
    # the pull-request and merge jobs stay out of the scheduled run
    assert workflow["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert "push" in workflow["jobs"]["apply"]["if"]


@pytest.mark.parametrize(("code", "drift"), [(0, "false"), (2, "true"), (1, None)])
def test_the_drift_plan_step_treats_exit_2_as_drift(
    workflow: dict[str, Any], tmp_path: Path, code: int, drift: str | None
) -> None:
    work = tmp_path / "work"
    _fake(work, "shelf", f'echo "### shelf plan for shop"\necho "$@" > args.txt\nexit {code}\n')
    output, summary = work / "output.txt", work / "summary.md"
    result = _run(_step(workflow["jobs"]["drift"], "Plan")["run"], work,
                  {"TARGET": "shop", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)})
    assert (work / "args.txt").read_text().split()[:5] == ["plan", "--target", "shop", "--detailed-exitcode",
                                                           "--format"]
    if drift is None:
        assert result.returncode == 1 and "### shelf plan" in result.stdout
    else:
        assert result.returncode == 0, result.stderr
        assert output.read_text() == f"drift={drift}\n"


GH = """echo "$@" >> calls.txt
case "$*" in *--paginate*) printf "%s" "$OPEN" ;; esac
"""


@pytest.mark.parametrize(
    ("drift", "open_issue", "expected"),
    [
        ("true", "", ["POST repos/acme/catalog/issues -f title=shelf: shop differs from the recipes"]),
        ("true", "42\n", ["PATCH repos/acme/catalog/issues/42 -F body=@issue.md"]),
        ("false", "42\n", ["POST repos/acme/catalog/issues/42/comments",
                           "PATCH repos/acme/catalog/issues/42 -f state=closed"]),
        ("false", "", []),
    ],
)
def test_the_drift_issue_is_opened_updated_and_closed(
    workflow: dict[str, Any], tmp_path: Path, drift: str, open_issue: str, expected: list[str]
) -> None:
    work = tmp_path / "work"
    _fake(work, "gh", GH)
    (work / "plan.md").write_text("### shelf plan for `shop` (xpage)\n\n**`- deactivate product.x`**\n")
    result = _run(_step(workflow["jobs"]["drift"], "Open, update or close the drift issue")["run"], work, {
        "TARGET": "shop", "DRIFT": drift, "OPEN": open_issue, "GITHUB_REPOSITORY": "acme/catalog",
        "RUN_URL": "https://ci.example/run/9", "GH_TOKEN": "unused",
    })
    assert result.returncode == 0, result.stderr
    calls = (work / "calls.txt").read_text().splitlines()
    assert calls[0].startswith("api --paginate repos/acme/catalog/issues?state=open")
    assert "<!-- shelf-drift:shop -->" in calls[0]
    writes = [c.removeprefix("api --method ") for c in calls[1:]]
    assert len(writes) == len(expected)
    for call, start in zip(writes, expected, strict=True):
        assert call.startswith(start), call
    if drift == "true":
        body = (work / "issue.md").read_text()
        assert body.startswith("<!-- shelf-drift:shop -->\n") and "- deactivate product.x" in body


def test_the_pull_request_comment_links_the_full_plan(workflow: dict[str, Any], tmp_path: Path) -> None:
    plan = workflow["jobs"]["plan"]
    kept = _step(plan, "Keep the plan")["with"]["path"].split()
    assert kept == ["plan.json", "plan.md", "plan.html"]
    work = tmp_path / "work"
    _fake(work, "gh", GH)
    (work / "plan.md").write_text("### shelf plan for `sandbox` (xpage)\n")
    result = _run(_step(plan, "Comment the plan on the pull request")["run"], work, {
        "TARGET": "sandbox", "PR": "7", "GITHUB_REPOSITORY": "acme/catalog", "OPEN": "", "GH_TOKEN": "unused",
        "RUN_URL": "https://github.com/acme/catalog/actions/runs/9",
    })
    assert result.returncode == 0, result.stderr
    body = (work / "comment.md").read_text()
    assert body.rstrip().endswith(
        "Full plan: [plan.html and plan.json](https://github.com/acme/catalog/actions/runs/9#artifacts)"
        " (artifact shelf-plan-sandbox)"
    )


def test_the_page_step_renders_the_saved_plan(workflow: dict[str, Any], tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    os.chdir(catalog)
    assert shelf("plan", "--out", "plan.json").exit_code == 0
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(catalog / "plan.json", work / "plan.json")
    real = shutil.which("shelf")
    assert real is not None
    result = _run(_step(workflow["jobs"]["plan"], "Render the full plan as a page")["run"], work,
                  {"PATH": f"{Path(real).parent}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    page = (work / "plan.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'id="product.' in page
