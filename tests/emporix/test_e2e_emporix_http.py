"""End to end over real HTTP: `shelf` against the Emporix sandbox served by uvicorn on loopback, with the
client credentials read from the environment, as `shelf sandbox serve --platform emporix` serves it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.sandbox import serving
from engine.sandbox.emporix.app import SCOPES, create_app

from support import shelf

SECRET = "emporix-loopback-5c1e2b"
LIMITED = "emporix-limited-93ad"



@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    clients = {
        "ci": (SECRET, None),
        "catalog-only": (LIMITED, [s for s in SCOPES if not s.startswith("coupon.")]),
    }
    app = create_app(tmp_path / "served.sqlite", tenant="acme", clients=clients)
    with serving(app) as url:
        yield url


def _config(repo: Path, served: str) -> None:
    (repo / "shelf.yaml").write_text(
        "recipes: [recipes]\n"
        "default_target: shop\n"
        "targets:\n"
        "  shop:\n"
        "    platform: emporix\n"
        f"    base_url: {served}\n"
        "    tenant: acme\n"
        "    client_id: ${EMPORIX_CLIENT_ID}\n"
        "    client_secret: ${EMPORIX_CLIENT_SECRET}\n"
        "    site: main\n"
        "    currency: EUR\n"
        "    country: DE\n"
        "    languages: [en, de]\n"
    )


def test_apply_and_plan_over_http_with_credentials_from_the_environment(repo: Path, served: str) -> None:
    _config(repo, served)
    env = {"EMPORIX_CLIENT_ID": "ci", "EMPORIX_CLIENT_SECRET": SECRET}
    applied = shelf("apply", "--auto-approve", env=env)
    assert applied.exit_code == 0, applied.output
    planned = shelf("plan", "--detailed-exitcode", env=env)
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.stderr
    verbose = shelf("-vv", "plan", env=env)
    for output in (applied.output, planned.output, verbose.output, (repo / "shelf.yaml").read_text()):
        assert SECRET not in output

    stats = httpx.get(f"{served}/_sandbox/stats").json()
    # the products wait for their categories, made in two rounds (parents first): two rounds of
    # products, each one bulk request for the product documents and one for their variants
    assert stats["requests"]["PUT /product/{tenant}/products/bulk"] == 4
    assert "PUT /product/{tenant}/products/{productId}" not in stats["requests"]
    assert stats["requests"]["POST /oauth/token"] == 3


def test_wrong_credentials_are_an_error_naming_the_client_not_the_secret(repo: Path, served: str) -> None:
    _config(repo, served)
    wrong = shelf("plan", env={"EMPORIX_CLIENT_ID": "ci", "EMPORIX_CLIENT_SECRET": "not-the-secret-41"})
    assert wrong.exit_code == 1
    assert "client_id 'ci' were refused (401)" in wrong.stderr
    assert "not-the-secret-41" not in wrong.output
    assert "Traceback" not in wrong.output


def test_a_missing_scope_is_a_clear_error_naming_it(repo: Path, served: str) -> None:
    _config(repo, served)
    result = shelf("plan", env={"EMPORIX_CLIENT_ID": "catalog-only", "EMPORIX_CLIENT_SECRET": LIMITED})
    assert result.exit_code == 1
    said = result.stderr
    assert "GET /coupon/acme/coupons (Retrieving list of coupons by criteria): the credentials lack" in said
    assert "Not allowed to access this resource" in said
    assert "(coupon.coupon_manage, coupon.coupon_read)" in said and "Emporix API key" in said
    assert LIMITED not in result.output
    assert "Traceback" not in result.output
