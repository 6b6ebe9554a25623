"""Localized fields: ``Content-Language`` on writes, ``Accept-Language`` on reads (``translations.md``).

Localized values are stored as maps of every language. A write with ``Content-Language: *`` sends maps;
one with a single language sends strings for that language; without the header a string is the
tenant's default language and a map is taken as a map. Readings where the pages are silent:

* a single-language write changes that language only and keeps the other translations, for ``PUT`` as
  well as ``PATCH``: the body cannot speak for the languages it does not carry;
* only configured languages may be written (400 naming the field otherwise);
* a read with ``Accept-Language: *`` answers maps; with a language list (``fr-CH, fr;q=0.9, en;q=0.8``)
  the first listed language the value has, else the default language, else any; without the header
  the default language. A field with no text at all is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request

from engine.sandbox.emporix.errors import EmporixError

ALL = "*"


def _ranked(header: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(p.strip() for p in header.split(",")):
        if not part:
            continue
        tag, _, rest = part.partition(";")
        weight = 1.0
        if rest.strip().startswith("q="):
            try:
                weight = float(rest.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def content_languages(request: Request) -> list[str] | None:
    """The languages a body is written in: ``["*"]``, a ranked list, or None when the header is absent."""
    header = request.headers.get("content-language", "").strip()
    return _ranked(header) if header else None


def accept_languages(request: Request) -> list[str] | None:
    header = request.headers.get("accept-language", "").strip()
    return _ranked(header) if header else None


def _known(tag: str, languages: Sequence[str]) -> str | None:
    if tag in languages:
        return tag
    primary = tag.split("-")[0].lower()
    return primary if primary in languages else None


def check_map(field: str, value: Mapping[str, Any], languages: Sequence[str]) -> dict[str, str]:
    unknown = [lang for lang in value if lang not in languages]
    if unknown:
        raise EmporixError(
            400,
            "Validation problem with request body.",
            errors={field: [f"language {lang!r} is not configured for the tenant" for lang in unknown]},
        )
    return {str(k): str(v) for k, v in value.items()}


def written(
    field: str, value: Any, header: list[str] | None, languages: Sequence[str]
) -> tuple[dict[str, str], bool]:
    """``value`` of a localized ``field`` as a map, and whether it covers every language (a map) or
    only the ones it names (a single-language string)."""
    if header is not None and header[0] == ALL:
        if not isinstance(value, Mapping):
            raise EmporixError(
                400,
                "Validation problem with request body.",
                errors={field: ["must be a map of translations with Content-Language: *"]},
            )
        return check_map(field, value, languages), True
    if isinstance(value, Mapping):
        if header is not None:
            raise EmporixError(
                400,
                "Validation problem with request body.",
                errors={field: [f"must be a string with Content-Language: {header[0]}"]},
            )
        return check_map(field, value, languages), True
    language = languages[0]
    if header is not None:
        known = _known(header[0], languages)
        if known is None:
            raise EmporixError(
                400,
                "Validation problem with request body.",
                errors={"Content-Language": [f"language {header[0]!r} is not configured for the tenant"]},
            )
        language = known
    return {language: str(value)}, False


def merged(old: Mapping[str, str] | None, new: Mapping[str, str], whole: bool) -> dict[str, str]:
    return dict(new) if whole else {**(old or {}), **new}


def shown(value: Mapping[str, str] | None, accept: list[str] | None, default: str) -> Any:
    """A stored map as a read answers it (see the module docstring); None when there is no text."""
    if not value:
        return None
    if accept is not None and accept[0] == ALL:
        return dict(value)
    for tag in accept or []:
        if tag == ALL:
            break
        if tag in value:
            return value[tag]
        primary = tag.split("-")[0].lower()
        if primary in value:
            return value[primary]
    if default in value:
        return value[default]
    return next(iter(value.values()))


def filtered(
    value: Mapping[str, str] | None, accept: list[str] | None, languages: Sequence[str]
) -> dict[str, str]:
    """For services that always answer maps (categories, templates): the languages asked for, or all."""
    if not value:
        return {}
    if accept is None or ALL in accept[:1]:
        return dict(value)
    wanted = []
    for tag in accept:
        if tag == ALL:
            return dict(value)
        known = _known(tag, languages)
        if known is None:
            raise EmporixError(400, f"Language {tag!r} is not configured for the tenant.")
        wanted.append(known)
    return {lang: text for lang, text in value.items() if lang in wanted}
