"""``shelf init``: the files of a new catalog repository, ready to validate, plan and run in CI.

The repository gets ``shelf.yaml`` (a sandbox target, and a real xPage target to uncomment), an example
recipe, the JSON Schemas beside them (copied from this shelf, so editors complete fields offline), a
``.gitignore`` for ``.shelf/`` and saved plans, and a GitHub Actions workflow that plans pull requests
and applies merges.

The files are Jinja templates shipped inside the package, in ``templates/`` beside this module. They use
``[[ ]]`` as delimiters, because the workflow is full of GitHub's ``${{ }}`` and the recipe of shelf's own
``{{ }}``, both of which must come out as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from engine import DISTRIBUTION, __version__
from engine.documents.schema import load_schema
from engine.errors import ShelfError

DEFAULT_TARGET = "sandbox"
GITIGNORE_LINE = ".shelf/"
GITIGNORE_PLANS = ("plan.json", "*.plan.json")
"""Saved plans: ``shelf plan --out plan.json`` (or ``<name>.plan.json``) is for applying once, soon; a
committed one would be stale by the next change to the shop."""


@dataclass(frozen=True)
class ScaffoldFile:
    """One file of the new repository: its path relative to the repository, and its text."""

    path: str
    text: str


class ScaffoldConflict(ShelfError):
    """``shelf init`` would overwrite files that already exist."""


def _environment() -> Environment:
    return Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _template(name: str) -> str:
    return resources.files("engine.importing").joinpath("templates", name).read_text(encoding="utf-8")


def scaffold_files(*, targets: tuple[str, ...] = (DEFAULT_TARGET,)) -> list[ScaffoldFile]:
    """Every file ``shelf init`` writes, in the order it writes them.

    ``targets`` are the workflow's matrix; the first is the sandbox target written into shelf.yaml.
    """
    environment = _environment()
    values = {
        "version": __version__,
        "distribution": DISTRIBUTION,
        "default_target": targets[0],
        "targets": "[" + ", ".join(targets) + "]",
    }

    def render(name: str) -> str:
        return environment.from_string(_template(name)).render(values)

    return [
        ScaffoldFile("shelf.yaml", render("shelf.yaml.j2")),
        ScaffoldFile("recipes/catalog.yaml", render("catalog.yaml.j2")),
        ScaffoldFile("schemas/recipe.schema.json", _json(load_schema("recipe"))),
        ScaffoldFile("schemas/config.schema.json", _json(load_schema("config"))),
        ScaffoldFile(".github/workflows/shelf.yml", render("shelf.yml.j2")),
    ]


def _json(schema: object) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_scaffold(directory: Path, *, force: bool = False) -> list[Path]:
    """Write the new repository into ``directory`` (created if needed); the paths written.

    Existing files are never overwritten without ``force``: the error names every one of them, and
    nothing is written. ``.gitignore`` is the exception: an existing one keeps its lines and gains
    ``.shelf/`` and the saved-plan patterns it lacks.
    """
    files = scaffold_files()
    existing = [f.path for f in files if (directory / f.path).exists()]
    if existing and not force:
        raise ScaffoldConflict(
            f"shelf init would overwrite {', '.join(existing)}",
            where=str(directory.resolve()),
            hint="run `shelf init --force` to replace them, or init into an empty folder",
        )
    written: list[Path] = []
    path = directory
    try:
        for item in files:
            path = directory / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(item.text, encoding="utf-8")
            written.append(path)
        path = directory / ".gitignore"
        if _add_gitignore_line(path):
            written.append(path)
    except OSError as exc:
        raise ShelfError(
            f"cannot write {path.name}: {exc.strerror or exc}",
            where=str(path),
            hint="choose a folder you can write to",
        ) from None
    return written


def _add_gitignore_line(path: Path) -> bool:
    """Make ``path`` ignore ``.shelf/`` and saved plans; whether the file changed."""
    if not path.exists():
        path.write_text(_template("gitignore.j2"), encoding="utf-8")
        return True
    text = path.read_text(encoding="utf-8")
    lines = {line.strip() for line in text.splitlines()}
    wanted = [GITIGNORE_LINE, *GITIGNORE_PLANS]
    missing = [w for w in wanted if not lines & {w, w.rstrip("/"), "/" + w}]
    if not missing:
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    path.write_text(text + separator + "".join(m + "\n" for m in missing), encoding="utf-8")
    return True
