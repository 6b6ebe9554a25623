"""An Emporix target's settings, checked once when the provider is made.

Readings chosen where the platform leaves the choice to the client:

* ``site`` defaults to ``main``, the code every Emporix tenant's first site has.
* ``languages`` defaults to ``[en]``; the first one is the language of texts Emporix keeps in one
  language only (coupon names, template names).
* ``currency`` and ``country`` have no default on a real tenant (prices need both); a sandbox target
  defaults to ``EUR`` and ``DE``, and to the tenant ``sandbox`` and the client ``sandbox``/``sandbox``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.config import Target
from engine.errors import ConfigError
from engine.secrets import Secret

SANDBOX_TENANT = "sandbox"
SANDBOX_CLIENT = "sandbox"
DEFAULT_SITE = "main"
DEFAULT_LANGUAGES = ("en",)
SANDBOX_CURRENCY = "EUR"
SANDBOX_COUNTRY = "DE"

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Settings:
    """What every Emporix request and price of one target needs."""

    tenant: str
    client_id: str
    client_secret: Secret
    site: str
    currency: str
    country: str
    languages: tuple[str, ...]
    well_known_secret: bool = False
    """The sandbox's published ``sandbox`` secret: nothing to hide, so not masked in messages (it would
    mask the tenant and host named ``sandbox`` too)."""

    @property
    def language(self) -> str:
        """The first language: the one for texts Emporix keeps in one language only."""
        return self.languages[0]


def settings_of(target: Target) -> Settings:
    """The target's Emporix settings, with the sandbox defaults for ``sandbox: true`` targets."""
    raw = target.settings
    sandbox = target.sandbox
    tenant = str(raw.get("tenant") or (SANDBOX_TENANT if sandbox else ""))
    client_id = str(raw.get("client_id") or (SANDBOX_CLIENT if sandbox else ""))
    secret = target.secrets.get("client_secret") or (Secret(SANDBOX_CLIENT) if sandbox else None)
    currency = str(raw.get("currency") or (SANDBOX_CURRENCY if sandbox else ""))
    country = str(raw.get("country") or (SANDBOX_COUNTRY if sandbox else ""))
    site = str(raw.get("site") or DEFAULT_SITE)
    languages = tuple(str(lang) for lang in raw.get("languages") or DEFAULT_LANGUAGES)
    where = target.source or target.name
    if not tenant or not _TENANT.match(tenant):
        raise ConfigError(
            f"target '{target.name}' needs the Emporix tenant" + (f", got '{tenant}'" if tenant else ""),
            where=where,
            hint="set tenant: <your tenant> (lower-case, as in https://api.emporix.io/product/<tenant>/...)",
        )
    if not client_id or secret is None:
        raise ConfigError(
            f"target '{target.name}' needs Emporix client credentials",
            where=where,
            hint="set client_id: ${EMPORIX_CLIENT_ID} and client_secret: ${EMPORIX_CLIENT_SECRET}",
        )
    if not _CURRENCY.match(currency):
        raise ConfigError(
            f"target '{target.name}' needs a currency for its prices"
            + (f"; '{currency}' is not an ISO 4217 code" if currency else ""),
            where=where,
            hint="set currency: EUR (three capital letters)",
        )
    if not _COUNTRY.match(country):
        raise ConfigError(
            f"target '{target.name}' needs a country for its prices"
            + (f"; '{country}' is not an ISO 3166 code" if country else ""),
            where=where,
            hint="set country: DE (two capital letters)",
        )
    bad = [lang for lang in languages if not _LANGUAGE.match(lang)]
    if bad or not languages or len(set(languages)) != len(languages):
        raise ConfigError(
            f"target '{target.name}' has invalid languages: {', '.join(bad or languages) or 'none'}",
            where=where,
            hint="list the tenant's language codes once each, for example languages: [en, de]",
        )
    well_known = "client_secret" not in target.secrets
    return Settings(tenant, client_id, secret, site, currency, country, languages, well_known)
