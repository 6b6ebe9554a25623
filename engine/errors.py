"""The errors a user can cause, each with a place and an exit code.

Everything that reaches the user goes through :class:`ShelfError`; anything else is a bug and is shown
with a traceback only under ``-v``. Messages never carry secrets: callers pass redacted text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Source:
    """Where a value came from: a file and a 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class ShelfError(Exception):
    """A failure the user can act on. ``exit_code`` follows PRODUCT.md."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | Source | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(ShelfError):
    """shelf.yaml is missing, malformed, or names something that does not exist."""


class RecipeError(ShelfError):
    """One problem in one recipe, at one place."""


class ErrorGroup(ShelfError):
    """Several located errors found in one pass, reported together in file order.

    Subclasses name the kind; ``what`` words the one-line summary.
    """

    what = "error(s)"

    def __init__(self, errors: Iterable[ShelfError]):
        self.errors = sorted(errors, key=_error_order)
        super().__init__(f"{len(self.errors)} {self.what}")

    def render(self) -> str:
        return "\n".join(e.render() for e in getattr(self, "errors", []))


class RecipeErrors(ErrorGroup):
    """Every recipe problem found in one load."""

    what = "error(s) in recipes"


def _error_order(e: ShelfError) -> tuple[str, int, int, str]:
    if isinstance(e.where, Source):
        return (e.where.file, e.where.line, e.where.col, e.message)
    return (str(e.where or ""), 0, 0, e.message)


class PlanError(ShelfError):
    """The recipes ask for something the target cannot express (named with its recipe line)."""


class PlanErrors(ErrorGroup):
    """Every plan error for one target."""

    what = "plan error(s)"


class PlatformError(ShelfError):
    """The platform refused or failed a request (auth, validation, network)."""

    def __init__(
        self,
        message: str,
        *,
        where: str | Source | None = None,
        hint: str | None = None,
        status: int | None = None,
    ):
        self.status = status
        super().__init__(message, where=where, hint=hint)


class AuthError(PlatformError):
    """Credentials were rejected (401) or lack a permission or scope (403)."""


class StalePlanError(ShelfError):
    """A saved plan no longer matches the shop."""

    exit_code = 4


class PlanFileError(ShelfError):
    """A saved plan cannot be used: wrong target, format version, or checksum."""
