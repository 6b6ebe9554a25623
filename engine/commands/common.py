"""What every command shares: the global options' state and small helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from engine.config import Config, load_config
from engine.output import Output


class State:
    """What the global options decide; the config is loaded on first use so `--help` needs none."""

    def __init__(self, config_path: Path | None, verbose: int, quiet: bool):
        self.config_path = config_path
        self.out = Output.from_env(quiet=quiet, verbose=verbose)
        self._config: Config | None = None

    def use_config(self, path: Path) -> None:
        """``-c FILE`` given after the command: the same as before it (the config is not loaded yet)."""
        self.config_path = path
        self._config = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path, Path.cwd())
        return self._config


pass_state = click.make_pass_decorator(State)


def emit_json(data: Any) -> None:
    """Machine output: stdout, nothing else on it."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
