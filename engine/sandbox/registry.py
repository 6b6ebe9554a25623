"""Which platforms have a sandbox, and how to make or reset one by platform name.

Each platform's emulator lives in its own folder, ``engine/sandbox/<name>/``; its ``app`` module exposes
``create_app(db_path, *, tokens=..., ...)``, ``reset_database(db_path)``, ``ALL_PERMISSIONS`` and
``BASE_PATH`` (where its API lives in the app), and may name its ``SHOP_TABLES`` so that a reset can say
what it removed. Modules
are imported only when asked for, so using one sandbox never loads the others.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Collection, Mapping
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

from engine.errors import ConfigError

SANDBOX_MODULES: Mapping[str, str] = {
    "appxite": "engine.sandbox.appxite.app",
    "emporix": "engine.sandbox.emporix.app",
    "partner": "engine.sandbox.partner.app",
    "xpage": "engine.sandbox.xpage.app",
}

SANDBOX_PLATFORMS: tuple[str, ...] = tuple(sorted(SANDBOX_MODULES))

Tokens = Mapping[str, Collection[str] | None] | Collection[str]


def sandbox_platforms() -> tuple[str, ...]:
    return SANDBOX_PLATFORMS


def default_db_path(state_dir: str | Path, platform: str) -> Path:
    """Where a ``sandbox: true`` target keeps its shop: ``<state_dir>/sandbox/<platform>.sqlite``."""
    return Path(state_dir) / "sandbox" / f"{platform}.sqlite"


def _module(platform: str) -> ModuleType:
    if platform not in SANDBOX_MODULES:
        raise ConfigError(
            f"there is no sandbox for platform {platform!r}",
            where=f"platform {platform}",
            hint=f"sandboxes exist for: {', '.join(sandbox_platforms())}",
        )
    return importlib.import_module(SANDBOX_MODULES[platform])


def sandbox_app(platform: str, db_path: str | Path, tokens: Tokens | None = None, **options: Any) -> Any:
    """The ASGI app emulating ``platform`` with its shop in ``db_path``.

    ``tokens`` is either token -> permissions (None: every permission), or just the accepted tokens,
    each then holding every permission (what ``shelf sandbox serve --token T`` means). ``options`` go to
    the platform's ``create_app`` (``rate_limit``, ``clients``, ``base_path``, ...; every platform takes
    ``faults``, a fault profile, and ``latency_ms``: :mod:`engine.sandbox.fault_profile`).
    """
    module = _module(platform)
    if tokens is not None and not isinstance(tokens, Mapping):
        if isinstance(tokens, str):
            tokens = [tokens]
        tokens = {token: module.ALL_PERMISSIONS for token in tokens}
    return module.create_app(db_path, tokens=tokens, **options)


def sandbox_base_path(platform: str) -> str:
    """The path under which ``platform``'s sandbox serves its API (xPage: ``/api/apps/v1``)."""
    return str(_module(platform).BASE_PATH)


def reset_sandbox(platform: str, db_path: str | Path) -> dict[str, int]:
    """Empty the sandbox shop in ``db_path`` back to its seed (creating the file if needed).

    Returns what the reset removed: rows per shop table (``SHOP_TABLES`` of the platform's module, named
    without the platform prefix: ``products``), seeded rows not counted, tables it left alone omitted.
    """
    module = _module(platform)
    tables: tuple[str, ...] = tuple(getattr(module, "SHOP_TABLES", ()))
    before = _row_counts(db_path, tables)
    module.reset_database(db_path)
    after = _row_counts(db_path, tables)
    removed = {table: count - after.get(table, 0) for table, count in reversed(before.items())}
    prefix = f"{platform}_"
    return {
        table.removeprefix(prefix).replace("_", " "): count for table, count in removed.items() if count > 0
    }


def _row_counts(db_path: str | Path, tables: tuple[str, ...]) -> dict[str, int]:
    if not tables or not Path(db_path).is_file():
        return {}
    with closing(sqlite3.connect(db_path)) as db:
        known = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables if t in known}
