"""Building an AppXite provider from a target: its settings, credentials and HTTP client.

A sandbox target needs no settings: it uses the emulator's subscription key and client (``sandbox``) and
a made-up portal URL, and polls provisioning often (the emulator provisions in a fraction of a second).
"""

from __future__ import annotations

from typing import Any

import httpx

from engine.config import Config, Target
from engine.errors import ConfigError
from engine.http import RETRY_STATUSES as HTTP_RETRY_STATUSES
from engine.http import HttpClient, TokenAuth
from engine.platforms.appxite.api import AppXiteApi
from engine.platforms.appxite.auth import same_origin, token_fetcher
from engine.platforms.appxite.provider import DEFAULT_POLL, AppXiteProvider
from engine.secrets import Secret

SANDBOX_POLL = 0.05
TOKEN_PATH = "/oauth/token"
SANDBOX_CREDENTIAL = "sandbox"
SANDBOX_PORTAL = "https://portal.sandbox.example"
RETRY_STATUSES = frozenset({408, *HTTP_RETRY_STATUSES})
UNACTED_STATUSES = frozenset({408, 429})
"""The overview page: 408 and 429 are worth a retry (the request was not acted on); 5xx answers are
retried for reads, and for writes only after looking the object up (:func:`engine.http.create_once`)."""


def create_appxite_provider(
    target: Target,
    config: Config,
    *,
    base_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    poll_interval: float | None = None,
    **http_options: Any,
) -> AppXiteProvider:
    """The provider for ``target``; a sandbox target gets the emulator's default credentials and a short
    poll interval (its provisioning takes a fraction of a second)."""
    url = base_url or target.base_url
    if not url:
        raise ConfigError(
            "an AppXite target needs base_url",
            where=target.name,
            hint="leave base_url out for https://api.appxite.com, or set it",
        )
    credentials = _credentials(target)
    key, client_id, secret, referer = credentials
    token_url = str(target.settings.get("token_url") or f"{url.rstrip('/')}{TOKEN_PATH}")
    fetch = token_fetcher(token_url, client_id, secret, key if same_origin(token_url, url) else None)
    http = HttpClient(
        url,
        auth=TokenAuth(fetch, extra_secrets=(secret, key)),
        transport=transport,
        concurrency=target.concurrency,
        where=target.name,
        secrets=(secret, key, *target.secrets.values()),
        retry_statuses=RETRY_STATUSES,
        unacted_statuses=UNACTED_STATUSES,
        **http_options,
    )
    poll = poll_interval if poll_interval is not None else (SANDBOX_POLL if target.sandbox else DEFAULT_POLL)
    return AppXiteProvider(target.name, AppXiteApi(http, key, referer), poll_interval=poll)


def _credentials(target: Target) -> tuple[Secret, str, Secret, str]:
    """Subscription key, client id, client secret and portal URL; a sandbox target defaults them."""
    settings, secrets = target.settings, target.secrets
    if target.sandbox:
        return (
            secrets.get("subscription_key") or Secret(SANDBOX_CREDENTIAL),
            str(settings.get("client_id") or SANDBOX_CREDENTIAL),
            secrets.get("client_secret") or Secret(SANDBOX_CREDENTIAL),
            str(settings.get("referer") or SANDBOX_PORTAL),
        )
    missing = [name for name in ("subscription_key", "client_secret") if name not in secrets]
    missing += [name for name in ("client_id", "referer") if not settings.get(name)]
    if missing:
        raise ConfigError(
            f"an AppXite target needs {', '.join(missing)}",
            where=target.name,
            hint="set subscription_key: ${APPXITE_SUBSCRIPTION_KEY}, client_id, "
            "client_secret: ${APPXITE_CLIENT_SECRET} and referer: <your portal URL>",
        )
    return (
        secrets["subscription_key"],
        str(settings["client_id"]),
        secrets["client_secret"],
        str(settings["referer"]),
    )
