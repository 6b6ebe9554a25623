"""Credentials for one tenant used on another: the 403 says the tenant is wrong, not that a scope is
missing, since no scope would help."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.config import load_config
from engine.core import open_session, read_and_plan
from engine.errors import AuthError
from engine.sandbox.emporix.app import create_app


async def test_a_token_of_another_tenant_is_named_as_a_wrong_tenant(tmp_path: Path) -> None:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "mug.yaml").write_text("products:\n  - key: mug\n    title: Mug\n    price: 5\n")
    (tmp_path / "shelf.yaml").write_text(
        "targets:\n  eu:\n    platform: emporix\n    base_url: http://emporix\n    tenant: acme\n"
        "    client_id: sandbox\n    client_secret: sandbox\n    currency: EUR\n    country: DE\n"
    )
    app = create_app(tmp_path / "shop.sqlite", tenant="globex")
    config = load_config(None, tmp_path)
    async with open_session(config, "eu", transport=httpx.ASGITransport(app=app)) as session:
        with pytest.raises(AuthError) as raised:
            await read_and_plan(session)
    assert "the credentials are not valid for tenant 'acme' (403)" in raised.value.message
    assert raised.value.hint == (
        "check this target's tenant: the API key (client_id) belongs to another tenant"
    )
