"""The commands, one module per concern; engine/cli.py attaches them to the group."""

from __future__ import annotations

import click

from engine.commands.assets import assets
from engine.commands.catalog import schema, targets, validate
from engine.commands.plan_apply import apply, plan
from engine.commands.repo import import_, init
from engine.commands.sandbox import sandbox
from engine.commands.show import show

ALL_COMMANDS: tuple[click.Command, ...] = (
    validate, plan, show, apply, schema, targets, sandbox, init, import_, assets
)
