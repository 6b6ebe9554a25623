"""Bearer tokens and permissions, the way platforms with scoped app tokens check them.

Two kinds of token are accepted: *configured* ones (given to the app when it is made, like a token pasted
into a shop's settings) and *issued* ones (from the platform's token endpoint, stored in the database with
an expiry so that every app on the same file accepts them). Only a SHA-256 of an issued token is stored;
tokens never appear in messages.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from starlette.requests import Request

from engine.sandbox.responses import ApiError
from engine.sandbox.store import Store

Clock = Callable[[], float]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the permissions ("subject:action") of the token and, when the token is bound to
    one installation, its id. ``issued`` tells an endpoint token from a configured one."""

    permissions: frozenset[str]
    install_id: str | None = None
    issued: bool = False

    def require(self, permission: str, what: str) -> None:
        """403 unless the token carries ``permission``; ``what`` names the call in the message."""
        if permission not in self.permissions:
            raise ApiError(403, f"{what} requires permission {permission}", errors={})


def unauthenticated(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


class Tokens:
    """The tokens one app accepts: ``configured`` (token -> permissions) plus issued ones in ``store``."""

    def __init__(
        self,
        store: Store,
        configured: Mapping[str, Collection[str]],
        *,
        configured_install_id: str | None = None,
        clock: Clock = time.time,
    ):
        self._store = store
        self._configured = {
            _digest(token): Principal(frozenset(perms), configured_install_id)
            for token, perms in configured.items()
        }
        self._clock = clock

    def authenticate(self, request: Request) -> Principal:
        """The caller of ``request``, or 401 for a missing, malformed, unknown or expired token."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise unauthenticated("missing Authorization header; send Authorization: Bearer <token>")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthenticated("Authorization header must be 'Bearer <token>'")
        digest = _digest(token.strip())
        if digest in self._configured:
            return self._configured[digest]
        row = self._store.query("SELECT * FROM sandbox_tokens WHERE token_sha256 = ?", (digest,))
        if not row:
            raise unauthenticated("invalid token")
        if row[0]["expires_at"] <= self._clock():
            raise unauthenticated("token expired; request a new one")
        return Principal(frozenset(json.loads(row[0]["permissions"])), row[0]["install_id"], issued=True)

    def issue(self, permissions: Collection[str], *, ttl: int, install_id: str | None = None) -> str:
        """A new random token valid for ``ttl`` seconds from now."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._store.write() as db:
            db.execute("DELETE FROM sandbox_tokens WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT INTO sandbox_tokens (token_sha256, permissions, install_id, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (_digest(token), json.dumps(sorted(permissions)), install_id, now + ttl),
            )
        return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
