"""assets export: publishable image files for targets that take images by URL."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.common import State, pass_state
from engine.importing.assets_export import export_assets


@click.group()
def assets() -> None:
    """Files a target expects to find elsewhere (images published at image_base_url)."""


@assets.command("export")
@click.option("-t", "--target", help="Target from shelf.yaml (default: default_target).")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@pass_state
def export(state: State, target: str | None, folder: Path) -> int:
    """Write the target's local images into FOLDER under their content-hashed names, offline."""
    done = export_assets(state.config, target, folder)
    for item in done:
        if item.written or state.out.verbose:
            state.out.say(f"  {item.name}  <- {item.source}{'' if item.written else ' (unchanged)'}")
    written = sum(1 for item in done if item.written)
    state.out.success(f"Exported {written} file(s) to {folder} ({len(done) - written} already there).")
    return 0
