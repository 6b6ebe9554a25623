"""show: a saved plan rendered again, in any format, reading nothing from any shop."""

from __future__ import annotations

from pathlib import Path

import click

from engine.commands.common import State, pass_state
from engine.commands.plan_apply import SHOW_FORMATS, max_chars_option, rendered, show_plan, write_rendering
from engine.plan.planfile import load_plan
from engine.saved import planned_target


@click.command()
@click.argument("planfile", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=SHOW_FORMATS, default="text", show_default=True)
@max_chars_option
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the plan to this file instead of printing it (in --format; html for a .html name).")
@pass_state
def show(state: State, planfile: Path, fmt: str, max_chars: int, out_path: Path | None) -> int:
    """Render a saved plan (from `shelf plan --out`) again; no shelf.yaml and no request needed.

    The file is checked as `shelf apply` checks it (format version, checksum), since a page made from an
    edited plan would show what nobody planned.
    """
    plan = load_plan(planfile, target=planned_target(planfile) or "")
    if out_path is not None:
        if fmt == "text" and out_path.suffix.lower() in (".html", ".htm"):
            fmt = "html"
        write_rendering(rendered(plan, fmt, max_chars), out_path)
        state.out.say(f"Wrote the plan ({fmt}) to {out_path}")
        return 0
    show_plan(state, plan, fmt, max_chars)
    return 0
