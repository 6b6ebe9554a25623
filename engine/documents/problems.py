"""One problem at one place, and the "did you mean" hint shared by every check."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import RecipeError, Source


@dataclass(frozen=True, order=True)
class Problem:
    source: Source
    message: str
    hint: str | None = None

    def to_error(self) -> RecipeError:
        return RecipeError(self.message, where=self.source, hint=self.hint)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, if any is close enough to suggest."""
    options = [c for c in candidates if c != word]
    by_case = {c.lower(): c for c in options}
    if word.lower() in by_case:
        return by_case[word.lower()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not found:
        lowered = difflib.get_close_matches(word.lower(), list(by_case), n=1, cutoff=0.6)
        found = [by_case[lowered[0]]] if lowered else []
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint such as ``did you mean 'title'?``, or None when nothing is close."""
    match = closest(word, candidates)
    return f"did you mean '{match}'?" if match else None


def show(value: object) -> str:
    """A value as messages quote it: text and numbers as written, in quotes."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'"
