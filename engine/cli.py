"""The ``shelf`` command: parse, call the core, render, choose the exit code. Nothing else lives here.

Human output goes to stderr and machine output (``--format json``, ``--format markdown``) to stdout, so a
pipe receives only the document. Exit codes follow PRODUCT.md; click's own usage errors exit 1 too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from engine import __version__
from engine.commands import ALL_COMMANDS
from engine.commands.common import State
from engine.errors import ShelfError
from engine.output import Output


class ShelfGroup(click.Group):
    """Runs commands in non-standalone mode so every failure maps to PRODUCT.md's exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        out = Output.from_env()
        try:
            code = super().main(args=args, prog_name=prog_name or "shelf", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.Abort as exc:  # click turns Ctrl-C into Abort, before any write
            out.error("interrupted" if isinstance(exc.__context__, KeyboardInterrupt) else "aborted")
            code = 1
        except click.ClickException as exc:
            out.error(exc.format_message(), hint=_usage_hint(exc))
            code = 1
        except ShelfError as exc:
            out.shelf_error(exc)
            code = exc.exit_code
        except KeyboardInterrupt:
            out.error("interrupted")
            code = 130
        except Exception as exc:
            if logging.getLogger("engine").isEnabledFor(logging.INFO):  # -v shows the traceback
                raise
            out.error(f"internal error: {type(exc).__name__}: {exc}", hint="run again with -v for details")
            code = 1
        sys.exit(code if isinstance(code, int) else 0)


def _usage_hint(exc: click.ClickException) -> str | None:
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        return f"see '{exc.ctx.command_path} --help'"
    return None


@click.group(cls=ShelfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="shelf.yaml to use (default: the nearest one from the current folder up).")
@click.option("-v", "--verbose", count=True, help="More detail; -vv logs every request (never secrets).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and machine output.")
@click.version_option(__version__, prog_name="shelf")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Catalog as code: validate recipes, plan and apply them to live shops."""
    _configure_logging(verbose)
    ctx.obj = State(config_path, verbose, quiet)


class _ShelfLogHandler(logging.StreamHandler):
    """The one handler shelf installs, on the ``engine`` logger only: third-party loggers (httpx logs
    whole URLs, query strings included) stay out, and engine.http logs method, path and status."""


def _configure_logging(verbose: int) -> None:
    logger = logging.getLogger("engine")
    for handler in [h for h in logger.handlers if isinstance(h, _ShelfLogHandler)]:
        logger.removeHandler(handler)
    handler = _ShelfLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def main() -> None:
    cli.main()


def _late_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_object(State).use_config(value)  # type: ignore[union-attr]


def _late_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        state = ctx.find_object(State)
        assert state is not None
        state.out.verbose += value
        _configure_logging(state.out.verbose)


def _late_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        state = ctx.find_object(State)
        assert state is not None
        state.out.quiet = True


def _global_options(command: click.Command) -> None:
    """Let ``shelf plan -q`` mean ``shelf -q plan``: every command (and sub-command) also takes -c, -v
    and -q, updating what the group's own options set. Users of git, kubectl and Terraform put them
    either side of the command."""
    late = (
        click.Option(["-c", "--config", "late_config"], type=click.Path(path_type=Path, dir_okay=False),
                     expose_value=False, callback=_late_config,
                     help="shelf.yaml to use (also accepted before the command)."),
        click.Option(["-v", "--verbose", "late_verbose"], count=True, expose_value=False,
                     callback=_late_verbose, help="More detail (also accepted before the command)."),
        click.Option(["-q", "--quiet", "late_quiet"], is_flag=True, expose_value=False,
                     callback=_late_quiet, help="Only errors and machine output (also before the command)."),
    )
    taken = {opt for param in command.params for opt in param.opts}
    command.params.extend(option for option in late if not taken & set(option.opts))
    for sub in getattr(command, "commands", {}).values():
        _global_options(sub)


for _command in ALL_COMMANDS:
    _global_options(_command)
    cli.add_command(_command)
