"""The demo licences over real HTTP: `shelf` against the AppXite sandbox served on loopback, with
credentials from the environment that never show up in output, plan files, logs or `.shelf/`."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.sandbox import serving
from engine.sandbox.appxite.app import create_app

from support import PROJECT, shelf

KEY = "subkey-3c9e71f0aa"
SECRET = "client-secret-5b2d8e"
TOKEN = "issued-token-8f41c6d2"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    issued = itertools.count(1)
    monkeypatch.setattr("engine.sandbox.auth.secrets.token_urlsafe", lambda n: f"{TOKEN}-{next(issued)}")
    app = create_app(
        tmp_path / "served.sqlite", clients={"shelf-ci": SECRET}, subscription_keys=[KEY], provision_delay=0.2
    )
    with serving(app) as url:
        yield url


@pytest.fixture
def repo(tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "catalog"
    shutil.copytree(PROJECT / "subscriptions", work / "subscriptions")
    (work / "shelf.yaml").write_text(
        "recipes: [subscriptions]\n"
        "targets:\n"
        "  licences:\n"
        "    platform: appxite\n"
        f"    base_url: {served}\n"
        "    subscription_key: ${APPXITE_SUBSCRIPTION_KEY}\n"
        "    client_id: shelf-ci\n"
        "    client_secret: ${APPXITE_CLIENT_SECRET}\n"
        "    referer: https://portal.example.com\n"
    )
    monkeypatch.chdir(work)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return work


def test_demo_licences_over_http_and_no_secret_anywhere(repo: Path, served: str) -> None:
    env = {"APPXITE_SUBSCRIPTION_KEY": KEY, "APPXITE_CLIENT_SECRET": SECRET}
    applied = shelf("-vv", "apply", "--auto-approve", env=env)
    assert applied.exit_code == 0, applied.output
    assert "subscription.acme-m365-business: provision_finished" in applied.output
    requests = httpx.get(f"{served}/_sandbox/stats").json()["requests"]
    assert requests["POST /orders/"] == 2 and requests["POST /orders/operation"] == 2

    httpx.post(f"{served}/_sandbox/stats/reset")
    planned = shelf("-vv", "plan", "--detailed-exitcode", "--out", "plan.json", env=env)
    assert planned.exit_code == 0, planned.output
    as_json = shelf("plan", "--format", "json", env=env)
    assert json.loads(as_json.stdout)["changes"] == []
    reads = httpx.get(f"{served}/_sandbox/stats").json()["requests"]
    assert set(reads) == {"POST /oauth/token", "GET /orders/"}

    written = [p.read_bytes().decode(errors="replace") for p in (repo / ".shelf").rglob("*") if p.is_file()]
    texts = [applied.output, planned.output, as_json.output, (repo / "plan.json").read_text(), *written]
    for text in texts:
        for secret in (KEY, SECRET, TOKEN):
            assert secret not in text

    wrong = shelf("plan", env={**env, "APPXITE_SUBSCRIPTION_KEY": "not-the-key"})
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert "not-the-key" not in wrong.output and "subscription key" in wrong.output
