"""Emporix service tokens: OAuth client credentials at ``POST /oauth/token``, and what a 403 means.

The token is shared by every request of one run (:class:`engine.http.TokenAuth`): it is fetched once,
kept until shortly before its ``expires_in``, and fetched again once when a request is answered 401
(the platform has no refresh token). A 403 names the scope the credentials lack; shelf repeats that
scope in its error with where to grant it. A 403 that names no scope but the tenant (the path's tenant is
not the one the token was issued for) is reported as a wrong tenant: the documents give no wording for
that refusal, so any message mentioning the tenant is read that way.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import AuthError, PlatformError
from engine.http import HttpClient, Token, TokenAuth, TokenFetch, decode_json
from engine.secrets import Secret

TOKEN_PATH = "/oauth/token"
_SCOPE = re.compile(r"\b([a-z]+\.[a-z]+(?:_[a-z]+)+)\b")
_TENANT = re.compile(r"\btenant\b", re.IGNORECASE)


def token_fetcher(client_id: str, client_secret: Secret) -> TokenFetch:
    """A :data:`engine.http.TokenFetch` for the client credentials grant."""

    async def fetch(http: HttpClient) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret.reveal(),
        }
        try:
            response = await http.request(
                "POST", TOKEN_PATH, data=form, idempotent=True, authenticate=False, collection=True
            )
        except PlatformError as exc:
            if exc.status in (400, 401, 403):
                raise AuthError(
                    f"the client credentials of client_id {client_id!r} were refused ({exc.status})",
                    where=http.where,
                    hint="check client_id and client_secret of this target (an Emporix API key)",
                    status=exc.status,
                ) from None
            raise
        body: Any = decode_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise PlatformError(
                f"POST {TOKEN_PATH} answered without an access token", where=http.where, status=200
            )
        expires = body.get("expires_in")
        return Token(Secret(token), float(expires) if isinstance(expires, int | float) else None)

    return fetch


def client_auth(client_id: str, client_secret: Secret, *, mask: bool = True) -> TokenAuth:
    """Shared token auth; ``mask`` keeps the secret out of every message."""
    return TokenAuth(token_fetcher(client_id, client_secret), extra_secrets=(client_secret,) if mask else ())


def scope_error(exc: AuthError, label: str, tenant: str | None = None) -> AuthError:
    """A 403 restated with the scope the platform named, and where to grant it; or, when the platform
    names the tenant instead, as credentials that belong to another tenant (no scope would help)."""
    scope = missing_scope(exc.message)
    if scope is None and _TENANT.search(exc.message):
        return AuthError(
            f"{label}: the credentials are not valid for tenant {tenant!r} (403)",
            where=exc.where,
            hint="check this target's tenant: the API key (client_id) belongs to another tenant",
            status=exc.status,
        )
    if scope is None:
        return exc
    return AuthError(
        f"{label}: the credentials lack the scope {scope} (403)",
        where=exc.where,
        hint=f"add {scope} to the scopes of this target's Emporix API key, then run again",
        status=exc.status,
    )


def missing_scope(message: str) -> str | None:
    match = _SCOPE.search(message)
    return match.group(1) if match else None
