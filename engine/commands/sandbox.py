"""shelf sandbox: the built-in emulators, served over HTTP or emptied."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.common import State, pass_state
from engine.core import category_names
from engine.errors import ShelfError
from engine.sandbox import SANDBOX_PLATFORMS, reset_sandbox, sandbox_app, sandbox_base_path
from engine.sandbox import serve as serve_app
from engine.sandbox.fault_profile import describe_profile
from engine.sandbox.profile_file import read_profile


@click.group()
def sandbox() -> None:
    """The built-in sandbox shops (emulators of each platform's API)."""


@sandbox.command()
@click.option("--platform", type=click.Choice(SANDBOX_PLATFORMS), required=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="SQLite file for the state (default: .shelf/sandbox/<platform>-served.sqlite).")
@click.option("--token", "tokens", multiple=True, metavar="TOKEN",
              help="Accepted bearer token with every permission (repeatable; default: 'sandbox'). "
                   "TOKEN=perm,perm grants only those permissions.")
@click.option("--tenant", metavar="TENANT",
              help="Emporix only: the tenant the sandbox serves and issues tokens for (default: sandbox).")
@click.option("--faults", "profile", metavar="PROFILE",
              help="Fail requests at random, at set rates: a JSON or YAML file, or inline JSON such as "
                   '\'{"rates": {"5xx": 0.1, "429": 0.05, "lost": 0.02}, "seed": 7}\' (docs/sandbox.md).')
@click.option("--latency", type=click.FloatRange(0, 60_000), metavar="MS",
              help="Delay every API answer by MS milliseconds (over the profile's latency_ms).")
@pass_state
def serve(state: State, platform: str, port: int, db: Path | None, tokens: tuple[str, ...],
          tenant: str | None, profile: str | None, latency: float | None) -> int:
    """Serve a sandbox as a real HTTP server on 127.0.0.1 until interrupted."""
    if tenant is not None and platform != "emporix":
        raise click.UsageError("--tenant is for --platform emporix (the other sandboxes have no tenant)")
    faults = read_profile(profile) if profile is not None else {}
    db_path = db or (state.config.state_dir / "sandbox" / f"{platform}-served.sqlite")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    grants = dict(_parse_token(t) for t in tokens) if tokens else None
    options: dict[str, object] = {"tenant": tenant} if tenant is not None else {}
    if platform == "xpage":
        options["categories"] = recipe_category_names(state)
    app = sandbox_app(platform, db_path, tokens=grants, faults=faults, latency_ms=latency, **options)
    prefix = sandbox_base_path(platform)

    def ready(bound: int) -> None:
        state.out.say(f"{platform} sandbox on http://127.0.0.1:{bound}{prefix} (state in {db_path})")
        if profile is not None or latency is not None:
            state.out.say(f"faults: {describe_profile(faults, latency)}")
        state.out.say("Ctrl-C stops it")

    serve_app(app, host="127.0.0.1", port=port, on_ready=ready)
    return 0


def recipe_category_names(state: State) -> list[str]:
    """The names of the categories the current catalog's recipes hold, which a served xPage sandbox adds
    to its seed: the apps API cannot create categories, so without them the catalog could not apply.
    Recipes that do not load leave the seed as it is (serving does not need them)."""
    try:
        return category_names(state.config)
    except ShelfError as exc:
        state.out.say(f"Note: recipes not read, so only the seed categories are served: {exc.message}")
        return []


def _parse_token(spec: str) -> tuple[str, frozenset[str] | None]:
    token, _, perms = spec.partition("=")
    return token, (frozenset(p.strip() for p in perms.split(",") if p.strip()) if perms else None)


@sandbox.command()
@click.option("--platform", type=click.Choice(SANDBOX_PLATFORMS), help="Only this platform's sandbox.")
@pass_state
def reset(state: State, platform: str | None) -> int:
    """Empty the in-process sandbox shops under .shelf/sandbox/ (back to their seed)."""
    folder = state.config.state_dir / "sandbox"
    found = False
    for name in [platform] if platform else SANDBOX_PLATFORMS:
        db_path = folder / f"{name}.sqlite"
        if db_path.exists():
            found = True
            removed = reset_sandbox(name, db_path)
            held = ", ".join(f"{n} {what}" for what, n in removed.items())
            done = f"back to its seed: removed {held}" if held else "it held nothing beyond its seed"
            state.out.say(f"reset the {name} sandbox ({db_path}): {done}")
    if not found:
        which = f"no {platform} sandbox" if platform else "no sandbox"
        state.out.say(f"nothing to reset: {which} under {folder} (a sandbox target makes one on first use)")
    return 0
