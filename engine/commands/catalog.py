"""Offline commands: validate, schema, targets. None of them sends a request."""

from __future__ import annotations

import json

import click

from engine.commands.common import State, pass_state
from engine.core import validate as validate_recipes
from engine.documents.schema import load_schema


@click.command()
@pass_state
def validate(state: State) -> int:
    """Check shelf.yaml and every recipe offline; never sends a request."""
    config = state.config
    count = validate_recipes(config)
    where = state.config.path.name if state.config.path else "defaults (no shelf.yaml)"
    state.out.success(f"OK: {count} items in {len(config.recipes)} recipe path(s), config {where}.")
    return 0


@click.command()
@click.argument("kind", type=click.Choice(["recipe", "config"]), default="recipe")
def schema(kind: str) -> int:
    """Print the JSON Schema (draft-07) that editors use to complete recipes or shelf.yaml."""
    click.echo(json.dumps(load_schema(kind), indent=2, ensure_ascii=False))  # type: ignore[arg-type]
    return 0


@click.command()
@pass_state
def targets(state: State) -> int:
    """List targets, their platform, and whether their credentials resolve (never printing them)."""
    config = state.config
    for name, target in config.targets.items():
        marker = "*" if name == config.default_target else " "
        if target.sandbox:
            creds = "sandbox (built in)"
        elif target.missing_env:
            creds = "missing " + ", ".join(f"${{{v}}}" for v in target.missing_env)
        elif not target.secrets:
            creds = "none"
        else:
            creds = "resolved"
        where = "in-process sandbox" if target.sandbox else (target.base_url or "platform default")
        click.echo(f"{marker} {name:<20} {target.platform:<8} {where:<45} credentials: {creds}")
    return 0
