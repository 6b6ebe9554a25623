"""`shelf targets`: every target with its platform, where it points, and whether its credentials resolve;
a missing ${VAR} is named, a secret's value never printed, and nothing is sent to any shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import shelf

SECRET = "tok-4711-never-printed"
CONFIG = """\
default_target: sandbox
targets:
  sandbox:
    platform: xpage
    sandbox: true
  shop:
    platform: xpage
    base_url: https://shop.example.com/api/apps/v1
    token: ${SHELF_TEST_SHOP_TOKEN}
  staging:
    platform: xpage
    base_url: https://staging.example.com/api/apps/v1
    client_id: staging-app
    client_secret: ${SHELF_TEST_STAGING_SECRET}
  bare:
    platform: xpage
    base_url: https://bare.example.com/api/apps/v1
"""


@pytest.fixture
def configured(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (repo / "shelf.yaml").write_text(CONFIG)
    monkeypatch.setenv("SHELF_TEST_SHOP_TOKEN", SECRET)
    monkeypatch.delenv("SHELF_TEST_STAGING_SECRET", raising=False)
    return repo


def _line(output: str, name: str) -> str:
    [line] = [line for line in output.splitlines() if line[2:].split(" ", 1)[0] == name]
    return line


def test_each_target_with_its_platform_address_and_credentials(configured: Path) -> None:
    result = shelf("targets")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    sandbox = _line(result.stdout, "sandbox")
    assert sandbox.startswith("* ")  # the default target
    assert "xpage" in sandbox and "in-process sandbox" in sandbox and "built in" in sandbox
    shop = _line(result.stdout, "shop")
    assert shop.startswith("  ") and "xpage" in shop
    assert "https://shop.example.com/api/apps/v1" in shop and "credentials: resolved" in shop
    staging = _line(result.stdout, "staging")
    assert "credentials: missing ${SHELF_TEST_STAGING_SECRET}" in staging
    bare = _line(result.stdout, "bare")
    assert "credentials: none" in bare


def test_targets_never_sends_a_request(configured: Path) -> None:
    assert shelf("targets").exit_code == 0
    assert not (configured / ".shelf").exists()


def test_a_missing_variable_fails_only_when_its_target_is_used(configured: Path) -> None:
    assert shelf("validate").exit_code == 0
    used = shelf("plan", "--target", "staging")
    assert used.exit_code == 1
    assert "SHELF_TEST_STAGING_SECRET" in used.stderr
    assert SECRET not in used.output
    assert "Traceback" not in used.output


def test_the_default_targets_without_a_config(repo: Path) -> None:
    result = shelf("targets")
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    assert line.startswith("* sandbox") and "xpage" in line and "in-process sandbox" in line
