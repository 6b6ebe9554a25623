"""xPage app authentication in the sandbox: client credentials, installations and permissions.

Readings where the API page is silent (the token endpoint is not on it):

* ``POST /auth/get-token`` takes JSON ``{client_id, client_secret, install_id?, ttl?}`` (ttl 1..86400,
  default 3600) and answers ``{"data": {"token", "expires_in"}}``. Wrong credentials are a 401. Issued
  tokens hold every permission.
* The sandbox shop is one installation, :data:`SANDBOX_INSTALL_ID`. A token issued with ``install_id``
  (which must be that one, else 403) is restricted to it. A token issued without one must name the
  installation in ``X-App-Install-Id`` on every call: missing or another id is a 403.
* Configured tokens (``create_app(tokens=...)``) are restricted tokens of the sandbox installation, like
  a token pasted into a shop's settings; they need no header, and a header naming another installation
  is a 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from engine.sandbox.api import Endpoint, Sandbox
from engine.sandbox.auth import Principal, unauthenticated
from engine.sandbox.responses import ApiError, data
from engine.sandbox.validation import json_body
from engine.sandbox.xpage.schemas import TOKEN_REQUEST

SANDBOX_INSTALL_ID = "3b0f5a52-9d8e-4c61-a7f2-5e1d0c9b8a74"
INSTALL_HEADER = "X-App-Install-Id"
DEFAULT_TTL = 3600

PERMISSIONS: Mapping[str, list[str]] = {
    "product": ["view", "create", "update", "delete"],
    "order": ["view", "create", "update", "delete", "export"],
    "customer": ["view", "create", "update", "delete"],
    "review": ["view", "create", "update", "delete"],
    "landing_page": ["view", "create", "update", "delete", "publish"],
    "shipping": ["view", "create", "update", "delete"],
    "setting": ["view", "update"],
    "payment_method": ["view", "update"],
    "analytic": ["view"],
    "domain": ["view", "create", "update", "delete"],
    "bundle": ["view", "create", "update", "delete"],
    "policy": ["view", "create", "update", "delete"],
    "plan": ["switch"],
    "invoice": ["view", "pay"],
    "file": ["browse", "upload", "delete"],
    "app": ["install", "uninstall", "boot"],
}
"""The documented ``GET /permission`` map, exactly."""

ALL_PERMISSIONS = frozenset(
    f"{subject}:{action}" for subject, actions in PERMISSIONS.items() for action in actions
)
DEFAULT_TOKENS: Mapping[str, frozenset[str]] = {"sandbox": ALL_PERMISSIONS}
DEFAULT_CLIENTS: Mapping[str, str] = {"sandbox": "sandbox"}


def authorize(request: Request, principal: Principal) -> None:
    """The installation checks that come after a valid token."""
    header = request.headers.get(INSTALL_HEADER)
    if principal.install_id is None:
        if header is None:
            raise ApiError(403, f"this token is not restricted to an installation: send {INSTALL_HEADER}")
        if header != SANDBOX_INSTALL_ID:
            raise ApiError(403, f"the app is not installed on installation {header!r}")
    elif header is not None and header != principal.install_id:
        raise ApiError(403, f"this token is restricted to another installation than {header!r}")


def auth_endpoints(sandbox: Sandbox, clients: Mapping[str, str]) -> list[Endpoint]:
    async def get_token(request: Request, principal: Principal | None) -> Response:
        body = await json_body(request, TOKEN_REQUEST)
        secret = clients.get(body["client_id"])
        if secret is None or not hmac.compare_digest(secret.encode(), body["client_secret"].encode()):
            raise unauthenticated("invalid client credentials")
        install_id = body.get("install_id")
        if install_id is not None and install_id.lower() != SANDBOX_INSTALL_ID:
            raise ApiError(403, f"the app is not installed on installation {install_id!r}")
        ttl = body.get("ttl", DEFAULT_TTL)
        token = sandbox.tokens.issue(ALL_PERMISSIONS, ttl=ttl, install_id=install_id and install_id.lower())
        return data({"token": token, "expires_in": ttl})

    async def permissions(request: Request, principal: Principal | None) -> Response:
        return data({"permissions": {k: list(v) for k, v in PERMISSIONS.items()}})

    return [
        Endpoint("POST", "/auth/get-token", get_token, auth=False, write=False),
        Endpoint("GET", "/permission", permissions, auth=False),
    ]
