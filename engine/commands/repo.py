"""The catalog repository itself: ``shelf init`` starts one, ``shelf import`` writes recipes from a shop.

The work is in :mod:`engine.importing`; here the options are parsed and the results shown. The imported
recipe goes to ``--out`` or stdout; every message goes to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.common import State, pass_state
from engine.config import require_target
from engine.errors import ShelfError
from engine.importing.scaffold import write_scaffold
from engine.importing.shop import import_shop, write_recipe


@click.command()
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@pass_state
def init(state: State, directory: Path, force: bool) -> int:
    """Start a catalog repository: shelf.yaml, an example recipe, schemas, .gitignore and a CI workflow."""
    written = write_scaffold(directory, force=force)
    for path in written:
        state.out.say(f"  wrote {path}")
    where = "" if directory == Path(".") else f"cd {directory} && "
    state.out.success(f"A new catalog repository. Next: {where}shelf validate && shelf plan")
    return 0


@click.command("import")
@click.option("-t", "--target", help="Target from shelf.yaml to read (default: default_target).")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the recipe to this file (default: stdout).",
)
@click.option(
    "--download-images",
    "images_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Download images and digital files into this folder and refer to them as files.",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@pass_state
def import_(
    state: State, target: str | None, out_path: Path | None, images_dir: Path | None, force: bool
) -> int:
    """Write recipes for what the shop holds, so that the next plan shows no changes."""
    config = state.config
    chosen = require_target(config, target)
    if out_path is not None and out_path.exists() and not force:
        raise ShelfError(
            "the file already exists",
            where=str(out_path),
            hint="choose another --out, or add --force to replace it",
        )
    result = import_shop(config, chosen, out_path, images_dir)
    for note in result.notes:
        state.out.say(note)
    for warning in result.warnings:
        state.out.warn(warning)
    if out_path is None:
        click.echo(result.text, nl=False)
    else:
        write_recipe(out_path, result.text)
    where = f" into {out_path}" if out_path is not None else ""
    state.out.success(
        f"Imported {_count(result.products, 'product')} and {_count(result.categories, 'category')} "
        f"from target '{chosen.name}'{where}."
    )
    return 0




def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


