"""The registry: a target's platform name -> its provider, and for sandbox targets, its emulator.

A ``sandbox: true`` target talks to the platform's sandbox app in-process (``httpx.ASGITransport``), with
its state in ``<config root>/.shelf/sandbox/<platform>.sqlite``; no server or network is involved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from engine.config import Config, Target
from engine.errors import ConfigError
from engine.platforms.base import Capabilities, Provider

SANDBOX_ORIGIN = "http://sandbox"

ProviderFactory = Callable[..., Provider]


def _xpage(target: Target, config: Config, *, base_url: str | None, transport: Any) -> Provider:
    from engine.platforms.xpage.provider import create_xpage_provider

    return create_xpage_provider(target, config, base_url=base_url, transport=transport)


def _emporix(target: Target, config: Config, *, base_url: str | None, transport: Any) -> Provider:
    from engine.platforms.emporix.provider import create_emporix_provider

    return create_emporix_provider(target, config, base_url=base_url, transport=transport)


def _appxite(target: Target, config: Config, *, base_url: str | None, transport: Any) -> Provider:
    from engine.platforms.appxite.factory import create_appxite_provider

    return create_appxite_provider(target, config, base_url=base_url, transport=transport)


def _emporix_sandbox(target: Target) -> dict[str, Any]:
    """The in-process Emporix sandbox serves the target's tenant (``sandbox`` unless it names one)."""
    tenant = target.settings.get("tenant")
    return {"tenant": str(tenant)} if tenant else {}


def _partner(target: Target, config: Config, *, base_url: str | None, transport: Any) -> Provider:
    from engine.platforms.partner.provider import create_partner_provider

    return create_partner_provider(target, config, base_url=base_url, transport=transport)


PROVIDERS: dict[str, ProviderFactory] = {
    "xpage": _xpage,
    "emporix": _emporix,
    "partner": _partner,
    "appxite": _appxite,
}
SANDBOX_PREFIXES: dict[str, str] = {"xpage": "/api/apps/v1", "emporix": "", "partner": "", "appxite": ""}
SANDBOX_OPTIONS: dict[str, Callable[[Target], dict[str, Any]]] = {"emporix": _emporix_sandbox}


def create_provider(
    target: Target, config: Config, *, transport: httpx.AsyncBaseTransport | None = None
) -> Provider:
    """The provider for ``target``. ``transport`` replaces the network (tests, benchmarks)."""
    factory = PROVIDERS.get(target.platform)
    if factory is None:
        raise ConfigError(
            f"platform {target.platform} is not supported yet",
            where=target.name,
            hint=f"supported platforms: {', '.join(sorted(PROVIDERS))}",
        )
    if target.missing_env:
        names = ", ".join(f"${{{n}}}" for n in target.missing_env)
        raise ConfigError(
            f"environment variable(s) {names} are not set",
            where=target.name,
            hint="export them before running shelf against this target",
        )
    base_url: str | None = None
    if target.sandbox:
        prefix = SANDBOX_PREFIXES[target.platform]
        base_url = SANDBOX_ORIGIN + prefix
        if transport is None:
            options = SANDBOX_OPTIONS[target.platform](target) if target.platform in SANDBOX_OPTIONS else {}
            transport = sandbox_transport(target.platform, sandbox_db(config, target.platform), **options)
    return factory(target, config, base_url=base_url, transport=transport)


def sandbox_db(config: Config, platform: str) -> Path:
    """Where the in-process sandbox of ``platform`` keeps its state (the folder is created)."""
    path = config.state_dir / "sandbox" / f"{platform}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def sandbox_transport(platform: str, db_path: Path, **options: Any) -> httpx.AsyncBaseTransport:
    """An in-process transport to ``platform``'s sandbox app on ``db_path`` (``options`` go to the app)."""
    from engine.sandbox.registry import sandbox_app
    from engine.sandbox.transport import InProcessTransport

    return InProcessTransport(sandbox_app(platform, db_path, **options))


def _xpage_capabilities() -> Capabilities:
    from engine.platforms.xpage.provider import XPageProvider

    return XPageProvider.capabilities


def _emporix_capabilities() -> Capabilities:
    from engine.platforms.emporix.provider import EmporixProvider

    return EmporixProvider.capabilities


def _partner_capabilities() -> Capabilities:
    from engine.platforms.partner.provider import PartnerProvider

    return PartnerProvider.capabilities


def _appxite_capabilities() -> Capabilities:
    from engine.platforms.appxite.provider import AppXiteProvider

    return AppXiteProvider.capabilities


CAPABILITIES: dict[str, Callable[[], Capabilities]] = {
    "xpage": _xpage_capabilities,
    "emporix": _emporix_capabilities,
    "partner": _partner_capabilities,


    "appxite": _appxite_capabilities,
}


PLATFORM_NAMES: dict[str, str] = {
    "xpage": "xPage",
    "emporix": "Emporix",
    "partner": "the Partner API",
    "appxite": "AppXite",
}
"""Each platform as messages name it."""


def capabilities_for(platform: str) -> Capabilities | None:
    """What ``platform`` can do, known without building a provider (so without any request or
    credentials); None for a platform shelf has no provider for."""
    lookup = CAPABILITIES.get(platform)
    return lookup() if lookup is not None else None
