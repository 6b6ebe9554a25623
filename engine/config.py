"""shelf.yaml: where recipes live and which shops (targets) they go to.

Secrets (tokens, client secrets) are wrapped in :class:`Secret` the moment they are read, so that no repr,
log line, plan file or exception can show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECRET_FIELDS = frozenset({"token", "client_secret", "subscription_key", "password"})


class Secret:
    """A credential that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Target:
    """One shop. ``settings`` holds the platform-specific non-secret keys (tenant, site, languages, ...);
    ``secrets`` the secret ones, already resolved from the environment."""

    name: str
    platform: str
    sandbox: bool = False
    base_url: str | None = None
    concurrency: int = 8
    vars: Mapping[str, Any] = field(default_factory=dict)
    prune: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, Secret] = field(default_factory=dict)
    missing_env: tuple[str, ...] = ()  # ${NAME}s that did not resolve; an error once the target is used


@dataclass(frozen=True)
class Config:
    """The loaded shelf.yaml. ``root`` is the folder holding it (or the current folder without one);
    ``state_dir`` is ``root/.shelf``."""

    root: Path
    path: Path | None
    recipes: tuple[Path, ...]
    targets: Mapping[str, Target]
    default_target: str

    @property
    def state_dir(self) -> Path:
        return self.root / ".shelf"
