"""Over real HTTP: the Partner sandbox served by uvicorn on loopback, a secret token from the environment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.sandbox import serving
from engine.sandbox.partner import create_app

from support import PROJECT, shelf

TOKEN = "partner-loopback-secret-51c9e2"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    app = create_app(tmp_path / "served.sqlite", tokens={TOKEN: None})
    with serving(app) as url:
        yield url


def test_demo_over_http_and_the_token_appears_nowhere(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    for name in ("recipes", "promotions", "subscriptions"):
        shutil.copytree(PROJECT / name, repo / name)
    config = (PROJECT / "shelf.yaml").read_text()
    config = config.replace(
        '    sandbox: true                 # in-process emulator of the Partner API, chain "sandbox"\n',
        f"    base_url: {served}\n    chain_id: sandbox\n    token: ${{PARTNER_TOKEN}}\n",
    )
    assert TOKEN not in config and "PARTNER_TOKEN" in config
    (repo / "shelf.yaml").write_text(config)
    monkeypatch.chdir(repo)
    env = {"PARTNER_TOKEN": TOKEN}

    applied = shelf("-vv", "apply", "--auto-approve", "--target", "partner-demo", env=env)
    assert applied.exit_code == 0, applied.output
    planned = shelf("-vv", "plan", "--target", "partner-demo", "--out", "plan.json", env=env)
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.output
    written = [p.read_text(errors="replace") for p in (repo / ".shelf").rglob("*") if p.is_file()]
    assert (repo / ".shelf" / "ledger" / "partner-demo.json").exists()
    for text in (applied.output, planned.output, (repo / "plan.json").read_text(), *written):
        assert TOKEN not in text
    stats = httpx.get(f"{served}/_sandbox/stats").json()
    assert stats["requests"]["POST /v2/chains/{chain_id}/catalog"] == 1

    wrong = shelf("plan", "--target", "partner-demo", env={"PARTNER_TOKEN": "not-the-token"})
    assert wrong.exit_code == 1
    assert "not-the-token" not in wrong.output and "Traceback" not in wrong.output
