"""What the API gateway checks before the Order API sees a request, and the token call.

Readings where ``api-overview.md`` and ``order-api.md`` are silent (each is one way the pages can be read;
``docs/platforms/appxite.md`` lists them):

* The token call is ``POST /oauth/token`` (the page cuts the address out) with a JSON body
  ``{"client_id", "client_secret"}`` (``grant_type: client_credentials`` and ``scope`` are accepted too)
  and answers ``{"access_token", "scope": "Platform=", "expires_in": 86400, "token_type": "Bearer"}``.
  Like every call it needs the subscription key. Wrong client credentials are a 401.
* A missing or unknown ``Ocp-Apim-Subscription-Key`` is a 401, as an API Management gateway answers.
* Order API calls need ``api-version: 3.1`` (missing or another version: 400), ``Referer`` holding an
  absolute http(s) URL (missing or not a URL: 400) and ``X-On-Behalf-Of`` holding an organization id
  (missing or not a GUID: 400; an organization the caller cannot act for: 403).
* Every refusal, validation included, has the sandbox's error body ``{"code", "message", "errors"}``;
  the pages list 400 for bad input, so the sandbox never answers 422.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Collection, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.sandbox.api import Endpoint, Sandbox
from engine.sandbox.auth import Principal, unauthenticated
from engine.sandbox.responses import ApiError
from engine.sandbox.validation import SchemaValidator, json_body

KEY_HEADER = "Ocp-Apim-Subscription-Key"
API_VERSION = "3.1"
TOKEN_TTL = 86400
READ = "orders:read"
WRITE = "orders:write"
ALL_PERMISSIONS = frozenset({READ, WRITE})
DEFAULT_TOKENS: Mapping[str, frozenset[str]] = {"sandbox": ALL_PERMISSIONS}
DEFAULT_CLIENTS: Mapping[str, str] = {"sandbox": "sandbox"}
DEFAULT_KEYS: tuple[str, ...] = ("sandbox",)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

TOKEN_REQUEST = SchemaValidator(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["client_id", "client_secret"],
        "properties": {
            "client_id": {"type": "string", "minLength": 1},
            "client_secret": {"type": "string", "minLength": 1},
            "grant_type": {"const": "client_credentials"},
            "scope": {"type": "string"},
        },
    }
)


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


async def body_of(request: Request, validate: SchemaValidator) -> Any:
    """The JSON body checked by ``validate``; every problem in one 400 (the pages list no 422)."""
    try:
        return await json_body(request, validate)
    except ApiError as exc:
        raise ApiError(400, "the request is invalid", errors=exc.errors) from None


class Gateway:
    """The subscription keys and organizations one sandbox accepts."""

    def __init__(self, keys: Collection[str], organizations: Collection[str] | None = None):
        self._keys = tuple(keys)
        self.organizations = organizations

    def check_key(self, request: Request) -> None:
        key = request.headers.get(KEY_HEADER)
        if not key:
            raise unauthenticated(f"access denied due to missing subscription key: send {KEY_HEADER}")
        if not any(hmac.compare_digest(key.encode(), k.encode()) for k in self._keys):
            raise unauthenticated("access denied due to invalid subscription key")

    def organization(self, request: Request, known: Collection[str]) -> str:
        """The organization the call acts for, after the Order API's header checks."""
        version = request.headers.get("api-version")
        if version is None:
            raise ApiError(400, "missing required header api-version", errors={"api-version": ["required"]})
        if version != API_VERSION:
            raise ApiError(400, f"unsupported api-version {version!r}", errors={"api-version": [API_VERSION]})
        referer = request.headers.get("referer", "")
        if not referer.startswith(("http://", "https://")):
            message = "required" if not referer else "must be the portal URL (http or https)"
            raise ApiError(400, f"Referer {message}", errors={"Referer": [message]})
        organization = request.headers.get("x-on-behalf-of", "")
        if not is_guid(organization):
            message = "required" if not organization else "must be an organization id (GUID)"
            raise ApiError(400, f"X-On-Behalf-Of {message}", errors={"X-On-Behalf-Of": [message]})
        organization = organization.lower()
        if organization not in known:
            raise ApiError(403, f"the caller may not act on behalf of organization {organization}")
        return organization


def token_endpoint(sandbox: Sandbox, gateway: Gateway, clients: Mapping[str, str]) -> Endpoint:
    async def issue(request: Request, principal: Principal | None) -> Response:
        gateway.check_key(request)
        body = await body_of(request, TOKEN_REQUEST)
        secret = clients.get(body["client_id"])
        if secret is None or not hmac.compare_digest(secret.encode(), body["client_secret"].encode()):
            raise unauthenticated("invalid client credentials")
        token = sandbox.tokens.issue(ALL_PERMISSIONS, ttl=TOKEN_TTL)
        return JSONResponse(
            {"access_token": token, "scope": "Platform=", "expires_in": TOKEN_TTL, "token_type": "Bearer"}
        )

    return Endpoint("POST", "/oauth/token", issue, auth=False, write=False)
