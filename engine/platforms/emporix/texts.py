"""Localized texts between recipes and Emporix's language maps.

A recipe text written once (``{"*": text}``) means the same text in every language of the target. The
target's ``languages`` are the languages shelf manages: it reads and compares only those, writes every
one of them (a language the recipe leaves out is removed), and keeps the translations of the tenant's
other languages as they are. Translations a recipe gives for languages the target does not list are not
sent to that target (another target may use them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.model import ANY_LANGUAGE, Text


def expanded(value: Text | None, languages: Sequence[str]) -> Text | None:
    """The text in each of ``languages`` it has (the any-language text fills the others)."""
    if not value:
        return None
    result = {}
    for language in languages:
        text = value.get(language, value.get(ANY_LANGUAGE))
        if text:
            result[language] = text
    return result or None


def managed(value: Any, languages: Sequence[str]) -> Text | None:
    """A map as Emporix answers it, cut to the managed languages; a plain string is the first language."""
    if isinstance(value, str):
        return {languages[0]: value} if value else None
    if not isinstance(value, Mapping):
        return None
    result = {lang: str(value[lang]) for lang in languages if value.get(lang)}
    return result or None


def written(desired: Text | None, live: Any, languages: Sequence[str]) -> dict[str, str]:
    """What to send for a localized field: the desired managed languages and the live other ones."""
    kept = (
        {str(k): str(v) for k, v in live.items() if k not in languages} if isinstance(live, Mapping) else {}
    )
    return {**kept, **(expanded(desired, languages) or {})}


def one(value: Text | None, language: str) -> str | None:
    """The text in ``language`` (else the any-language text, else any), for fields kept in one language."""
    if not value:
        return None
    return value.get(language) or value.get(ANY_LANGUAGE) or next(iter(value.values()), None)
