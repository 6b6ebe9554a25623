"""No secret anywhere: every command at ``-vv``, on every platform's sandbox served over loopback, with
credentials from ``${ENV}`` in shelf.yaml, on the happy path and on error paths (refused credentials, a
500 whose body echoes the token and the request, a network failure, an invalid recipe, a bad config value
from the environment, credentials written into a URL). Every output, plan file, log and file under the
repository (``.shelf/`` included) is scanned for every secret in every form it could be written in.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from engine.http import HttpClient
from engine.sandbox import serving

from support import PROJECT, Run, shelf

# Distinctive values with characters that URL-encoding, base64 and JSON each write differently.
XPAGE_TOKEN = 'xp-T0ken/7f+3Q"d1'
EMPORIX_SECRET = 'em-S3cret/9a+Kq"x2'
PARTNER_TOKEN = 'pa-T0ken/4c+Wz"m7'
APPXITE_SECRET = 'ax-S3cret/2e+Hn"p5'
APPXITE_KEY = "ax-subkey-61f0c9ad"
WRONG = 'wr-0ng/Tok+en"b8'
CLIENT_ID = "shelf-ci"


def forms(secret: str, user: str = CLIENT_ID) -> dict[str, str]:
    """Every way a secret could be written out: as is, URL-encoded, base64 (alone and as Basic auth's
    ``user:secret``) and JSON-escaped."""
    return {
        "raw": secret,
        "url": quote(secret, safe=""),
        "url-plus": quote_plus(secret),
        "base64": base64.b64encode(secret.encode()).decode(),
        "basic": base64.b64encode(f"{user}:{secret}".encode()).decode(),
        "json": json.dumps(secret)[1:-1],
    }


class Echo:
    """Wraps an emulator: while ``on``, every request is answered 500 with a body that repeats the
    request's headers and body, the token as a field name too, as a careless server would."""

    def __init__(self, app: Any):
        self.app = app
        self.on = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.on or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        auth = headers.get("authorization", "")
        echoed = {
            "message": f"refused {auth} {body.decode(errors='replace')}",
            "errors": [{"field": auth, "message": f"bad {headers}"}],
            auth or "token": "unknown",
        }
        data = json.dumps(echoed).encode()
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": data})



@pytest.fixture(autouse=True)
def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error paths retry as they always do (every attempt is scanned too); only the sleeps between
    attempts are a tenth as long, so the scan spends its time running commands rather than waiting."""
    wait = HttpClient._delay
    monkeypatch.setattr(HttpClient, "_delay", lambda self, *args: wait(self, *args) / 10)

@dataclass
class Platform:
    name: str
    make_app: Callable[[Path], Any]
    config: Callable[[str], str]
    env: dict[str, str]
    secrets: dict[str, str]
    folders: tuple[str, ...] = ("recipes",)
    target: str = "shop"  # the name the demo recipes give it, where they name one


def _xpage_app(db: Path) -> Any:
    from engine.sandbox.xpage.app import create_app

    return create_app(db, tokens={XPAGE_TOKEN: None})


def _emporix_app(db: Path) -> Any:
    from engine.sandbox.emporix.app import create_app

    return create_app(db, tenant="acme", clients={CLIENT_ID: (EMPORIX_SECRET, None)})


def _partner_app(db: Path) -> Any:
    from engine.sandbox.partner import create_app

    return create_app(db, tokens={PARTNER_TOKEN: None})


def _appxite_app(db: Path) -> Any:
    from engine.sandbox.appxite.app import create_app

    return create_app(db, clients={CLIENT_ID: APPXITE_SECRET}, subscription_keys=[APPXITE_KEY],
                      provision_delay=0.0)


PARTNER_SETTINGS = """\
    chain_id: sandbox
    vendors: [vendor-marina, vendor-downtown]
    locales: {en: en_AE, ar: ar_AE}
    image_base_url: https://cdn.example.com/catalog/
    categories:
      apparel: 5b1d3e7a-0c4f-4d2b-9a61-1f0e2d3c4b5a
      t-shirts: 6c2e4f8b-1d5a-4e3c-8b72-2a1f3e4d5c6b
      hoodies: 7d3f5a9c-2e6b-4f4d-9c83-3b2a4f5e6d7c
      accessories: 8e4a6bad-3f7c-4a5e-8d94-4c3b5a6f7e8d
      home: 9f5b7cbe-4a8d-4b6f-9ea5-5d4c6b7a8f9e
"""

PLATFORMS = [
    Platform(
        "xpage", _xpage_app,
        lambda url: f"    platform: xpage\n    base_url: {url}/api/apps/v1\n    token: ${{SHOP_TOKEN}}\n",
        {"SHOP_TOKEN": XPAGE_TOKEN}, {"SHOP_TOKEN": XPAGE_TOKEN},
    ),
    Platform(
        "emporix", _emporix_app,
        lambda url: (
            f"    platform: emporix\n    base_url: {url}\n    tenant: acme\n    client_id: {CLIENT_ID}\n"
            "    client_secret: ${SHOP_SECRET}\n    site: main\n    currency: EUR\n    country: DE\n"
            "    languages: [en, de]\n"
        ),
        {"SHOP_SECRET": EMPORIX_SECRET}, {"SHOP_SECRET": EMPORIX_SECRET},
    ),
    Platform(
        "partner", _partner_app,
        lambda url: f"    platform: partner\n    base_url: {url}\n    token: ${{SHOP_TOKEN}}\n"
        + PARTNER_SETTINGS,
        {"SHOP_TOKEN": PARTNER_TOKEN}, {"SHOP_TOKEN": PARTNER_TOKEN},
        folders=("recipes", "promotions"), target="partner-demo",
    ),
    Platform(
        "appxite", _appxite_app,
        lambda url: (
            f"    platform: appxite\n    base_url: {url}\n    subscription_key: ${{SHOP_KEY}}\n"
            f"    client_id: {CLIENT_ID}\n    client_secret: ${{SHOP_SECRET}}\n"
            "    referer: https://portal.example.com\n"
        ),
        {"SHOP_SECRET": APPXITE_SECRET, "SHOP_KEY": APPXITE_KEY},
        {"SHOP_SECRET": APPXITE_SECRET, "SHOP_KEY": APPXITE_KEY},
        folders=("subscriptions",), target="licences",
    ),
]


@dataclass
class Scan:
    """What was scanned: runs (commands), and the forms looked for in each output and file."""

    repo: Path
    secrets: list[str]
    runs: list[tuple[str, Run]] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    looked: int = 0

    def run(self, label: str, *args: str, env: dict[str, str]) -> Run:
        result = shelf("-vv", *args, env={**env, "NO_COLOR": "1"})
        assert "Traceback" not in result.output, f"{label}: {result.output}"
        self.runs.append((label, result))
        return result

    def check(self) -> None:
        texts = [(f"{label} output", run.output) for label, run in self.runs]
        for path in sorted(self.repo.rglob("*")):
            if path.is_file() and path.name != "shelf.yaml":
                texts.append((str(path.relative_to(self.repo)), path.read_bytes().decode(errors="replace")))
        for secret in self.secrets:
            for form, written in forms(secret).items():
                for where, text in texts:
                    self.looked += 1
                    if written in text:
                        self.found.append(f"{form} of a secret in {where}")
        assert self.found == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=PLATFORMS, ids=[p.name for p in PLATFORMS])
def served(request: pytest.FixtureRequest, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Platform, Echo, str, Path]]:
    platform: Platform = request.param
    echo = Echo(platform.make_app(tmp_path / "served.sqlite"))
    repo = tmp_path / "repo"
    for folder in platform.folders:
        shutil.copytree(PROJECT / folder, repo / folder)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with serving(echo) as url:
        yield platform, echo, url, repo


def _write_config(repo: Path, platform: Platform, url: str, extra: str = "") -> None:
    (repo / "shelf.yaml").write_text(
        f"recipes: [{', '.join(platform.folders)}]\ndefault_target: {platform.target}\n"
        f"targets:\n  {platform.target}:\n"
        + platform.config(url) + extra
    )


@pytest.mark.slow
def test_no_secret_in_any_output_or_file(served: tuple[Platform, Echo, str, Path]) -> None:
    platform, echo, url, repo = served
    env = platform.env
    scan = Scan(repo, [*platform.secrets.values(), WRONG])
    _write_config(repo, platform, url)

    assert scan.run("validate", "validate", env=env).exit_code == 0
    assert scan.run("targets", "targets", env=env).exit_code == 0
    planned = scan.run("plan --out", "plan", "--out", "plan.json", env=env)
    assert planned.exit_code == 0, planned.output
    assert scan.run("plan --format json", "plan", "--format", "json", env=env).exit_code == 0
    assert scan.run("show", "show", "plan.json", env=env).exit_code == 0
    assert scan.run("show --format html", "show", "plan.json", "--out", "plan.html", env=env).exit_code == 0
    applied = scan.run("apply saved plan", "apply", "plan.json", env=env)
    assert applied.exit_code == 0, applied.output
    again = scan.run("apply", "apply", "--auto-approve", env=env)
    assert again.exit_code == 0, again.output
    replan = scan.run("plan after apply", "plan", "--detailed-exitcode", env=env)
    assert replan.exit_code == 0, replan.output
    scan.run("import", "import", "--out", "imported/imported.yaml", env=env)
    if platform.name == "partner":
        assert scan.run("assets export", "assets", "export", "exported", env=env).exit_code == 0
    assert scan.run("init", "init", "fresh", env=env).exit_code == 0
    assert scan.run("schema", "schema", "config", env=env).exit_code == 0
    assert scan.run("sandbox reset", "sandbox", "reset", env=env).exit_code == 0

    # Error paths.
    wrong = {name: WRONG for name in env}
    refused = scan.run("refused credentials", "plan", env=wrong)
    assert refused.exit_code == 1, refused.output
    echo.on = True
    echoed_plan = scan.run("500 echoing the request, plan", "plan", env=env)
    echoed_apply = scan.run("500 echoing the request, apply", "apply", "--auto-approve", env=env)
    echo.on = False
    assert echoed_plan.exit_code == 1 and echoed_apply.exit_code in (1, 3), echoed_apply.output
    _write_config(repo, platform, f"http://127.0.0.1:{_closed_port()}")
    unreachable = scan.run("network failure", "plan", env=env)
    assert unreachable.exit_code == 1, unreachable.output
    secret_name = next(iter(platform.secrets))
    _write_config(repo, platform, url, f"    concurrency: ${{{secret_name}}}\n")
    bad_value = scan.run("bad config value from the environment", "validate", env=env)
    assert bad_value.exit_code == 1 and f"${{{secret_name}}}" in bad_value.output, bad_value.output
    host = url.removeprefix("http://")
    _write_config(repo, platform, f"http://{CLIENT_ID}:${{{secret_name}}}@{host}")
    in_url = scan.run("credentials in base_url", "targets", env=env)
    in_url_plan = scan.run("credentials in base_url, plan", "plan", env=env)
    assert in_url_plan.exit_code == 1, in_url_plan.output
    _write_config(repo, platform, url)
    broken = repo / platform.folders[0] / "zz-broken.yaml"
    broken.write_text("products:\n  - key: Broken Key\n    price: -1\n")
    invalid = scan.run("invalid recipe", "plan", env=env)
    assert invalid.exit_code == 1, invalid.output
    broken.unlink()
    del in_url

    scan.check()
    counted = f"{len(scan.secrets)} secrets x {len(forms('x'))} forms"
    print(f"{platform.name}: {len(scan.runs)} commands, {counted}, {scan.looked} looks,"
          f" {len(scan.found)} found")
