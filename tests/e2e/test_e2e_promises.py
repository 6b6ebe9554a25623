"""PRODUCT.md's safety promises, end to end through the CLI and the xPage sandbox: partial failure is
exit 3 and a re-run converges; a create whose answer was lost is not duplicated; -q keeps quiet."""

from __future__ import annotations

import json
from pathlib import Path

from support import sandbox_control, sandbox_db, shelf, xpage_api


def _live_slugs(repo: Path) -> list[str]:
    response = xpage_api(sandbox_db(repo), "GET", "/product", params={"page_size": 200})
    return sorted(p["slug"] for p in response.json()["data"]["products"])


def _prime(repo: Path) -> None:
    """Create the sandbox file (a plan reads the empty shop) so faults can be injected before apply."""
    assert shelf("plan").exit_code == 0


def test_a_refused_change_is_exit_3_and_a_rerun_converges(repo: Path) -> None:
    _prime(repo)
    fault = {"route": "POST /product", "status": 400, "times": 1}
    sandbox_control(sandbox_db(repo), "POST", "/_sandbox/faults", fault)
    failed = shelf("apply", "--auto-approve")
    assert failed.exit_code == 3, failed.output
    assert "FAILED" in failed.stderr and "1 failed" in failed.stderr
    assert "Traceback" not in failed.output

    again = shelf("apply", "--auto-approve")
    assert again.exit_code == 0, again.output
    assert "1 applied" in again.stderr or "applied, 0 failed" in again.stderr
    assert shelf("plan", "--detailed-exitcode").exit_code == 0
    assert len(_live_slugs(repo)) == 13


def test_a_create_whose_answer_was_lost_is_not_sent_twice(repo: Path) -> None:
    _prime(repo)
    sandbox_control(
        sandbox_db(repo), "POST", "/_sandbox/faults",
        {"route": "POST /product", "status": 503, "times": 3, "after_commit": True},
    )
    applied = shelf("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    slugs = _live_slugs(repo)
    assert len(slugs) == len(set(slugs)) == 13
    assert shelf("plan", "--detailed-exitcode").exit_code == 0


def test_quiet_plan_prints_only_machine_output(repo: Path) -> None:
    quiet = shelf("-q", "plan")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""
    as_json = shelf("-q", "plan", "--format", "json")
    assert json.loads(as_json.stdout)["summary"]["create"] == 13
    assert as_json.stderr == ""

