"""Human output on stderr: errors, progress and results, coloured only where a person reads them.

Colour follows ``NO_COLOR`` and whether stderr is a terminal; progress is shown only on a terminal, so CI
logs stay quiet. On GitHub Actions, located errors are also printed as workflow annotations, which put them
on the pull request's diff.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine.errors import RecipeError, ShelfError, Source


class Output:
    def __init__(self, stream: TextIO, *, color: bool, quiet: bool = False, verbose: int = 0,
                 annotations: bool = False):
        self.stream = stream
        self.color = color
        self.quiet = quiet
        self.verbose = verbose
        self.annotations = annotations

    @classmethod
    def from_env(cls, *, quiet: bool = False, verbose: int = 0) -> Output:
        stream = sys.stderr
        tty = _isatty(stream)
        color = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        return cls(stream, color=color, quiet=quiet, verbose=verbose,
                   annotations=os.environ.get("GITHUB_ACTIONS") == "true")

    @property
    def interactive(self) -> bool:
        """Whether a person watches: progress bars and prompts only then."""
        return _isatty(self.stream) and not self.quiet and "CI" not in os.environ

    def _console(self) -> Console:
        return Console(file=self.stream, no_color=not self.color, highlight=False)

    @contextmanager
    def activity(self, text: str) -> Iterator[None]:
        """A spinner while something long runs (reading a shop); nothing when nobody watches."""
        if not self.interactive:
            yield
            return
        with self._console().status(text):
            yield

    @contextmanager
    def progress(self, text: str, total: int) -> Iterator[Callable[[], None]]:
        """A progress bar over ``total`` steps; the yielded function advances it by one."""
        if not self.interactive or total <= 1:
            yield lambda: None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self._console(), transient=True) as bar:
            task = bar.add_task(text, total=total)
            yield lambda: bar.advance(task)

    def _style(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def raw(self, text: str) -> None:
        """Text that was already rendered (with or without colour) for this stream."""
        if not self.quiet:
            self.stream.write(text if text.endswith("\n") else text + "\n")
            self.stream.flush()

    def success(self, text: str) -> None:
        self.say(self._style(text, "32"))

    def warn(self, text: str) -> None:
        print(self._style("warning: ", "33") + text, file=self.stream, flush=True)

    def error(self, text: str, *, hint: str | None = None) -> None:
        line = self._style("error: ", "31;1") + text
        if hint:
            line += f" ({hint})"
        print(line, file=self.stream, flush=True)

    def shelf_error(self, exc: ShelfError) -> None:
        errors = getattr(exc, "errors", None) or [exc]
        for err in errors:
            self.error(err.render())
            if self.annotations and isinstance(err.where, Source):
                self._annotate(err)
        if len(errors) > 1:
            self.error(f"{len(errors)} errors; nothing was sent to any shop"
                       if all(isinstance(e, RecipeError) for e in errors) else f"{len(errors)} errors")

    def _annotate(self, err: ShelfError) -> None:
        where = err.where
        assert isinstance(where, Source)
        message = err.message + (f" ({err.hint})" if err.hint else "")
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error file={where.file},line={where.line},col={where.col}::{message}", file=sys.stdout,
              flush=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
