"""shelf.yaml: where recipes live and which shops (targets) they go to.

Secrets (tokens, client secrets) are wrapped in :class:`Secret` the moment they are read, so that no repr,
log line, plan file or exception can show them.

shelf.yaml is read with the same strict YAML reader as recipes (errors as ``file:line:col``) and checked
against ``schemas/config.schema.json``; every problem is reported at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.documents.checking import schema_problems
from engine.documents.problems import did_you_mean
from engine.documents.reading import MAX_CONFIG_BYTES, UnreadableDocument, read_document
from engine.documents.strict_yaml import MDict, MList, YamlSyntaxError, load_yaml
from engine.errors import ConfigError, ErrorGroup, Source
from engine.secrets import Secret

SECRET_FIELDS = frozenset({"token", "client_secret", "subscription_key", "password"})


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
    source: Source | None = field(default=None, compare=False)  # where shelf.yaml defines the target
    missing_env_at: tuple[Source, ...] = field(default=(), compare=False)  # where each missing_env is read


@dataclass(frozen=True)
class Config:
    """The loaded shelf.yaml. ``root`` is the folder holding it (or the current folder without one);
    ``state_dir`` is ``root/.shelf``."""

    root: Path
    path: Path | None
    recipes: tuple[Path, ...]
    targets: Mapping[str, Target]
    default_target: str
    recipes_at: tuple[Source, ...] = field(default=(), compare=False)  # where each ``recipes`` entry is

    @property
    def state_dir(self) -> Path:
        return self.root / ".shelf"


CONFIG_NAME = "shelf.yaml"
PLATFORMS = ("xpage", "emporix", "partner", "appxite")
COMMON_FIELDS = ("platform", "sandbox", "base_url", "concurrency", "vars", "prune")
PLATFORM_SETTINGS: Mapping[str, tuple[str, ...]] = {
    "xpage": ("token", "client_id", "client_secret", "install_id", "language", "categories"),
    "emporix": ("tenant", "client_id", "client_secret", "site", "currency", "country", "languages"),
    "partner": (
        "chain_id", "token", "vendors", "locales", "image_base_url", "categories", "rate_limit", "ledger",
    ),
    "appxite": ("subscription_key", "client_id", "client_secret", "referer", "token_url"),
}
PUBLIC_BASE_URLS: Mapping[str, str] = {
    "emporix": "https://api.emporix.io",
    "appxite": "https://api.appxite.com",
}
"""The platforms' public API addresses. xPage has none (every shop has its own host); the Partner API
has one per delivery brand, so a target must say which."""

DEFAULT_CONCURRENCY = 8
SANDBOX = "sandbox"

_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?")


class ConfigErrors(ErrorGroup, ConfigError):
    """Every problem found in one shelf.yaml, reported together."""

    what = f"error(s) in {CONFIG_NAME}"


def find_config(start: Path) -> Path | None:
    """``shelf.yaml`` in ``start`` or the nearest folder above it, like git finds its repository."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def default_config(cwd: Path) -> Config:
    """The catalog without a shelf.yaml: recipes in ``recipes/``, one xPage sandbox target."""
    root = cwd.resolve()
    return Config(
        root=root,
        path=None,
        recipes=(root / "recipes",),
        targets={SANDBOX: Target(name=SANDBOX, platform="xpage", sandbox=True)},
        default_target=SANDBOX,
    )


def load_config(path: Path | None, cwd: Path) -> Config:
    """The catalog's configuration: ``path`` (relative to ``cwd``), else the nearest shelf.yaml, else the
    defaults. Raises :class:`ConfigErrors` with every problem found in the file.

    ``${NAME}`` and ``${NAME:-default}`` in any text value read the environment (an unset or empty
    variable takes the default; ``$${`` writes a literal ``${``). A variable that is missing does not fail
    here: it is recorded on its target (``missing_env``) and :func:`require_target` fails when that
    target is used, so other targets, ``shelf validate`` and ``shelf targets`` keep working.
    """
    if path is None:
        path = find_config(cwd)
        if path is None:
            return default_config(cwd)
    elif not path.is_absolute():
        path = cwd / path
    if path.exists() and not path.is_file():
        raise ConfigError(
            "the config file is not a regular file (a folder, FIFO, socket or device)",
            where=str(path),
            hint="name a shelf.yaml with -c/--config",
        )
    if not path.is_file():
        raise ConfigError(
            f"config file '{path}' does not exist",
            hint="check -c/--config, or run 'shelf init' to write one",
        )
    return _Loader(path.resolve()).load()


def require_target(config: Config, name: str | None) -> Target:
    """The named target (the default one for None), ready to use: known, and every ``${NAME}`` it reads
    set in the environment."""
    chosen = name or config.default_target
    target = config.targets.get(chosen)
    where = str(config.path.relative_to(config.root)) if config.path else None
    if target is None:
        raise ConfigError(
            f"unknown target '{chosen}'",
            where=where,
            hint=did_you_mean(chosen, config.targets) or f"targets: {', '.join(config.targets)}",
        )
    if target.missing_env:
        names = ", ".join(target.missing_env)
        several = len(target.missing_env) > 1
        needs = f"the environment variables {names}, which are" if several else f"{names}, which is"
        raise ConfigError(
            f"target '{chosen}' needs {needs} not set",
            where=target.missing_env_at[0] if target.missing_env_at else where,
            hint=f"export {target.missing_env[0]}=... before running shelf (in CI: from its secrets)",
        )
    return target


def _has_credentials(url: str) -> bool:
    """A URL with a user or password in it: sent as Basic auth by HTTP clients and printed with the URL.

    An ``@`` anywhere before the query counts too: a password holding ``/`` or ``#`` ends the host part
    early for a URL parser, which then finds no user but a "port" made of the password's first half."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    before_query = url.split("?", 1)[0].split("#", 1)[0]
    return parts.username is not None or parts.password is not None or "@" in before_query


def _bad_port(url: str) -> bool:
    try:
        port = urlsplit(url).port
    except ValueError:
        return True
    return port is not None and port <= 0


class _Loader:
    """One shelf.yaml: read, interpolate, check against the schema, then build the Config."""

    def __init__(self, path: Path):
        self.path = path
        self.root = path.parent
        self.name = path.name
        self.problems: list[ConfigError] = []
        self.missing: dict[str, list[tuple[str, Source]]] = {}
        self.unresolved: set[tuple[str | int, ...]] = set()
        self.from_env: dict[Source, list[tuple[str, str]]] = {}

    def problem(self, where: Source | str, message: str, hint: str | None = None) -> None:
        """Record a problem. A value read from the environment is never repeated: the variable is named."""
        for value, name in self.from_env.get(where, []) if isinstance(where, Source) else []:
            message = message.replace(value, f"${{{name}}}")
            hint = hint.replace(value, f"${{{name}}}") if hint else hint
        self.problems.append(ConfigError(message, where=where, hint=hint))

    def load(self) -> Config:
        try:
            text = read_document(self.path, MAX_CONFIG_BYTES)
        except UnreadableDocument as exc:
            message = f"cannot read {self.name}: {exc.reason}"
            where = Source(self.name, exc.line, exc.col) if exc.line > 1 or exc.col > 1 else str(self.path)
            raise ConfigError(message, where=where, hint=exc.hint) from None
        try:
            document, yaml_problems = load_yaml(text, self.name)
        except YamlSyntaxError as exc:
            raise ConfigError(exc.problem.message, where=exc.problem.source) from None
        for found in yaml_problems:
            self.problem(found.source, found.message)
        origin = Source(self.name, 1, 1)
        if document is None:
            document = MDict(origin)
        document = self._interpolate(document, (), origin)
        said = {found.source for found in yaml_problems}
        for _, checked in schema_problems(document, "config", origin, _owner):
            if checked.source not in said:
                self.problem(checked.source, checked.message, checked.hint)
        if self.problems:
            raise ConfigErrors(self.problems)
        config = self._build(document)
        if self.problems:
            raise ConfigErrors(self.problems)
        return config

    def _interpolate(self, value: Any, path: tuple[str | int, ...], where: Source) -> Any:
        if isinstance(value, MDict):
            copy = MDict(value.source)
            for key, item in value.items():
                copy[key] = self._interpolate(item, (*path, key), value.value_sources[key])
                copy.key_sources[key] = value.key_sources[key]
                copy.value_sources[key] = value.value_sources[key]
            return copy
        if isinstance(value, MList):
            items = MList(value.source)
            for index, (item, item_where) in enumerate(zip(value, value.item_sources, strict=True)):
                items.append(self._interpolate(item, (*path, index), item_where))
                items.item_sources.append(item_where)
            return items
        if isinstance(value, str) and "$" in value:
            return self._substitute(value, path, where)
        return value

    def _substitute(self, value: str, path: tuple[str | int, ...], where: Source) -> str:
        """The value with its references replaced; a value with a missing variable is kept as written
        (and its path recorded), so that it causes no second, misleading error."""
        missing_before = len(self.problems) + sum(len(v) for v in self.missing.values())

        def replace(match: re.Match[str]) -> str:
            text = match.group(0)
            if text == "$${":
                return "${"
            name, default = match.group(1), match.group(2)
            if name is None:
                self.problem(where, f"'{text}' is not a valid reference", "write ${NAME} or ${NAME:-default}")
                return text
            found = os.environ.get(name)
            if found:
                self.from_env.setdefault(where, []).append((found, name))
                return found
            if default is not None:
                return default
            if len(path) >= 2 and path[0] == "targets":
                self.missing.setdefault(str(path[1]), []).append((name, where))
            else:
                self.problem(where, f"the environment variable {name} is not set", f"set {name}")
            return ""

        result = _REFERENCE.sub(replace, value)
        if len(self.problems) + sum(len(v) for v in self.missing.values()) > missing_before:
            self.unresolved.add(path)
            return value
        return result

    def _build(self, document: MDict) -> Config:
        recipes = document.get("recipes", ["recipes"])
        entries = [recipes] if isinstance(recipes, str) else list(recipes)
        paths = tuple(Path(os.path.normpath(self.root / str(entry))) for entry in entries)
        if isinstance(recipes, MList):
            recipes_at = tuple(recipes.item_sources)
        else:
            recipes_at = tuple(s for s in [document.value_sources.get("recipes")] if s is not None)
        targets_map = document.get("targets")
        targets: dict[str, Target] = {}
        if isinstance(targets_map, MDict):
            for name, settings in targets_map.items():
                targets[name] = self._target(name, settings)
        else:
            targets[SANDBOX] = Target(name=SANDBOX, platform="xpage", sandbox=True)
        default = self._default_target(document, targets)
        return Config(
            root=self.root,
            path=self.path,
            recipes=paths,
            targets=targets,
            default_target=default,
            recipes_at=recipes_at,
        )

    def _target(self, name: str, data: MDict) -> Target:
        platform = str(data["platform"])
        sandbox = data.get("sandbox") is True
        missing = self.missing.get(name, [])
        missing_names = tuple(dict.fromkeys(n for n, _ in missing))
        missing_at = tuple(next(w for n, w in missing if n == m) for m in missing_names)
        unresolved = {path[2] for path in self.unresolved if len(path) > 2 and path[1] == name}
        base_url = None if "base_url" in unresolved else data.get("base_url") or None
        if sandbox and "base_url" in data:
            self.problem(
                data.key_sources["base_url"],
                f"target '{name}' sets both 'sandbox: true' and 'base_url'",
                "the sandbox runs in-process; to use a served sandbox, drop 'sandbox: true'",
            )
        elif base_url is not None and _has_credentials(str(base_url)):
            self.problem(
                data.value_sources["base_url"],
                f"'base_url' of target '{name}' holds credentials (user:password@host); shelf refuses them",
                "write the address alone, and credentials in the platform's settings (token: ${NAME})",
            )
        elif base_url is not None and _bad_port(str(base_url)):
            self.problem(
                data.value_sources["base_url"],
                f"'base_url' of target '{name}' has a port that is not a number",
                "write it as https://host:port/path",
            )
        elif base_url is not None and not str(base_url).startswith(("http://", "https://")):
            self.problem(
                data.value_sources["base_url"],
                f"'base_url' of target '{name}' must start with http:// or https://, got '{base_url}'",
            )
        elif not sandbox and "base_url" not in data and "base_url" not in unresolved:
            base_url = PUBLIC_BASE_URLS.get(platform)
            if base_url is None:
                self.problem(
                    data.source,
                    f"target '{name}' has no 'base_url', and {platform} has no public address",
                    "set base_url to the shop's API address, or 'sandbox: true' for the built-in emulator",
                )
        settings: dict[str, Any] = {}
        secrets: dict[str, Secret] = {}
        for key in PLATFORM_SETTINGS[platform]:
            if key not in data or key in unresolved:
                continue
            value = data[key]
            if key.endswith("_url") and _has_credentials(str(value)):
                self.problem(
                    data.value_sources[key],
                    f"'{key}' of target '{name}' holds credentials (user:password@host); shelf refuses them",
                    "write the address alone",
                )
            if key in SECRET_FIELDS:
                secrets[key] = Secret(str(value))
            elif key == "categories":
                settings[key] = {str(k): str(v) for k, v in value.items()}
            else:
                settings[key] = _plain(value)
        concurrency = data.get("concurrency", DEFAULT_CONCURRENCY)
        return Target(
            name=name,
            platform=platform,
            sandbox=sandbox,
            base_url=str(base_url) if base_url else None,
            concurrency=int(concurrency),
            vars=_plain(data.get("vars") or {}),
            prune=tuple(str(p) for p in data.get("prune") or ()),
            settings=settings,
            secrets=secrets,
            missing_env=missing_names,
            source=data.source,
            missing_env_at=missing_at,
        )

    def _default_target(self, document: MDict, targets: Mapping[str, Target]) -> str:
        chosen = document.get("default_target")
        if isinstance(chosen, str):
            if chosen not in targets:
                self.problem(
                    document.value_sources["default_target"],
                    f"default_target '{chosen}' is not one of the targets",
                    did_you_mean(chosen, targets) or f"targets: {', '.join(targets)}",
                )
            return chosen
        if len(targets) == 1:
            return next(iter(targets))
        if SANDBOX in targets:
            return SANDBOX
        self.problem(
            document.key_sources.get("targets", document.source),
            "there are several targets and no default_target",
            f"add 'default_target:' naming one of {', '.join(targets)}",
        )
        return next(iter(targets))


def _owner(path: tuple[str | int, ...]) -> tuple[str, int]:
    if len(path) >= 2 and path[0] == "targets":
        return f"target '{path[1]}'", 2
    return CONFIG_NAME, 0


def _plain(value: Any) -> Any:
    """Plain dicts and lists, free of source marks, for settings and vars."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
