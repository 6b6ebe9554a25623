"""Emporix service tokens: OAuth client credentials at ``POST /oauth/token``, and what a 403 means.

The token is shared by every request of one run (:class:`engine.http.TokenAuth`): it is fetched once,
kept until shortly before its ``expires_in``, and fetched again once when a request is answered 401
(the platform has no refresh token). A 403 that names the scope the credentials lack has it repeated in
shelf's error with where to grant it; one that names none gets the scopes the operation's reference lists
(:mod:`engine.platforms.emporix.scopes`). A 403 that names no scope but the tenant (the path's tenant is
not the one the token was issued for) is reported as a wrong tenant: the documents give no wording for
that refusal, so any message mentioning the tenant is read that way.
"""

from __future__ import annotations

import re

from engine.errors import AuthError
from engine.http import HttpClient, Token, TokenAuth, TokenFetch, client_credentials
from engine.platforms.emporix.scopes import operation_of
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
        return await client_credentials(
            http,
            TOKEN_PATH,
            data=form,
            collection=True,
            refused=f"the client credentials of client_id {client_id!r} were refused",
            hint="check client_id and client_secret of this target (an Emporix API key)",
        )

    return fetch


def client_auth(client_id: str, client_secret: Secret, *, mask: bool = True) -> TokenAuth:
    """Shared token auth; ``mask`` keeps the secret out of every message."""
    return TokenAuth(token_fetcher(client_id, client_secret), extra_secrets=(client_secret,) if mask else ())


def scope_error(exc: AuthError, method: str, path: str, tenant: str | None = None) -> AuthError:
    """A 403 restated with the scope the platform named, and where to grant it; when the platform names
    the tenant instead, as credentials that belong to another tenant (no scope would help); when the
    answer names neither (most services' documented 403 bodies do not), the operation and the scopes its
    reference lists for it."""
    label = f"{method} {path}"
    said = exc.message.split("(403):", 1)[-1]
    scope = missing_scope(said)
    if scope is not None:
        return AuthError(
            f"{label}: the credentials lack the scope {scope} (403)",
            where=exc.where,
            hint=f"add {scope} to the scopes of this target's Emporix API key, then run again",
            status=exc.status,
        )
    if _TENANT.search(said):
        return AuthError(
            f"{label}: the credentials are not valid for tenant {tenant!r} (403)",
            where=exc.where,
            hint="check this target's tenant: the API key (client_id) belongs to another tenant",
            status=exc.status,
        )
    operation = operation_of(method, path)
    if operation is None:
        return exc
    listed = ", ".join(operation.scopes) or "no scope"
    return AuthError(
        f"{label} ({operation.summary}): the credentials lack a scope this operation needs"
        f" (403: {said.strip()}); Emporix's reference lists {listed} for it",
        where=exc.where,
        hint=(
            f"add the scope it needs ({', '.join(operation.scopes)}) to the scopes of this target's Emporix"
            " API key, then run again"
            if operation.scopes
            else "check the scopes of this target's Emporix API key, then run again"
        ),
        status=exc.status,
    )


def missing_scope(message: str) -> str | None:
    match = _SCOPE.search(message)
    return match.group(1) if match else None
