"""The AppXite bearer token: the client credentials call the overview page describes.

Reading where the page is silent (its token address and body are cut out): ``POST <token_url>`` with the
JSON body ``{"client_id", "client_secret"}``, answered ``{"access_token", "expires_in": 86400, ...}``.
``token_url`` defaults to ``<base_url>/oauth/token``. The subscription key goes with the token call only
when the token URL is on the API's own host: a key is never sent to another host.

The token is shared by every request of one run (:class:`engine.http.TokenAuth`), kept in memory only,
and fetched again once when a request is answered 401.
"""

from __future__ import annotations

import httpx

from engine.http import HttpClient, Token, TokenFetch, client_credentials
from engine.secrets import Secret

KEY_HEADER = "Ocp-Apim-Subscription-Key"


def same_origin(a: str, b: str) -> bool:
    first, second = httpx.URL(a), httpx.URL(b)
    return (first.scheme, first.host, first.port) == (second.scheme, second.host, second.port)


def token_fetcher(token_url: str, client_id: str, client_secret: Secret, key: Secret | None) -> TokenFetch:
    """A :data:`engine.http.TokenFetch` for the client credentials call; ``key`` None sends no key."""

    async def fetch(http: HttpClient) -> Token:
        headers = {KEY_HEADER: key.reveal()} if key is not None else {}
        body = {"client_id": client_id, "client_secret": client_secret.reveal()}
        return await client_credentials(
            http,
            token_url,
            json=body,
            headers=headers,
            refused=f"the client credentials of client_id {client_id!r} or the subscription key were refused",
            hint="check client_id, client_secret and subscription_key of this target",
        )

    return fetch
