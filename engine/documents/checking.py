"""Schema errors in words people use, at the line and column where the offending key or value was written.

jsonschema reports in its own vocabulary ("Additional properties are not allowed ('titel' was
unexpected)"); this module turns each error into ``unknown field 'titel' in product 'classic-tee'`` with a
"did you mean" hint, pointed at the key. Where a value may take several shapes (text or a mapping of
languages; a number or a template), the error of the shape the value was evidently meant to have is the
one reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from jsonschema.exceptions import ValidationError

from engine.documents.problems import Problem, did_you_mean, show
from engine.documents.schema import SchemaName, validator
from engine.documents.strict_yaml import MDict, MList
from engine.errors import Source

PathT = tuple[str | int, ...]
OwnerFn = Callable[[PathT], tuple[str, int]]
"""Given a path, the phrase naming the item it is in (``product 'classic-tee'``) and that item's depth."""

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}


def schema_problems(
    instance: Any,
    name: SchemaName,
    root: Source,
    owner: OwnerFn,
    errors: Iterable[ValidationError] | None = None,
) -> list[tuple[PathT, Problem]]:
    """Every schema error of ``instance`` as a :class:`Problem` with the path of the value it is about,
    sorted by place, each reported once. ``errors``: jsonschema's errors when the caller found them
    (see :func:`part_errors`), else all of ``instance``'s."""
    found: dict[tuple[Source, str], tuple[PathT, Problem]] = {}
    describer = _Describer(instance, root, owner)
    for error in validator(name).iter_errors(instance) if errors is None else errors:
        for problem in describer.describe(error):
            # Two schema rules can report one mistake (an unknown field is refused by the platform's list
            # and by the common one); it is said once, with a hint where either rule had one.
            place = (problem.source, problem.message)
            if place not in found or (problem.hint and not found[place][1].hint):
                found[place] = (tuple(error.absolute_path), problem)
    return [found[place] for place in sorted(found)]


def part_errors(name: SchemaName, value: Any, path: PathT, definition: str) -> Iterator[ValidationError]:
    """jsonschema's errors of one part of a document (``value``, found at ``path``) against one of the
    schema's ``definitions``, with paths as if the whole document had been checked: a document whose
    items are mostly valid is described without checking the valid ones again."""
    for error in validator(name).descend(value, {"$ref": f"#/definitions/{definition}"}):
        error.relative_path.extendleft(reversed(path))
        yield error


def locate(root_value: Any, path: Sequence[str | int], root: Source, *, key: bool = False) -> Source:
    """Where the value at ``path`` was written (or its key, with ``key=True``)."""
    node, where = root_value, root
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, MDict) and isinstance(step, str) and step in node:
            where = node.key_sources[step] if (last and key) else node.value_sources[step]
            node = node[step]
        elif isinstance(node, MList) and isinstance(step, int) and 0 <= step < len(node):
            where = node.item_sources[step]
            node = node[step]
        else:
            break
    return where


def subject(path: PathT, depth: int, owner_phrase: str) -> str:
    """How a message names the value at ``path``: ``'seo.title'``, ``'images' entry 2``, or the item."""
    rel = path[depth:]
    if not rel:
        return owner_phrase
    tail: list[str] = []
    for step in reversed(rel):
        if isinstance(step, int):
            break
        tail.insert(0, step)
    if tail:
        return "'" + ".".join(tail) + "'"
    index = rel[-1]
    assert isinstance(index, int)
    named = [s for s in rel[:-1] if isinstance(s, str)]
    return f"'{named[-1]}' entry {index + 1}" if named else f"entry {index + 1}"


class _Describer:
    def __init__(self, instance: Any, root: Source, owner: OwnerFn):
        self.instance = instance
        self.root = root
        self.owner = owner

    def describe(self, error: ValidationError) -> list[Problem]:
        if error.validator in ("anyOf", "oneOf"):
            chosen = self._meant_branch(error)
            if chosen is not None:
                return [p for e in chosen for p in self.describe(e)]
        if "propertyNames" in error.relative_schema_path:
            return [self._property_name(error)]
        path: PathT = tuple(error.absolute_path)
        phrase, depth = self.owner(path)
        what = subject(path, depth, phrase)
        where = locate(self.instance, path, self.root)
        handler = getattr(self, f"_{error.validator}", None)
        if handler is not None:
            result: list[Problem] = handler(error, path, phrase, depth, what, where)
            return result
        return [Problem(where, self._custom(error, what) or f"{what}: {error.message}")]

    def _meant_branch(self, error: ValidationError) -> list[ValidationError] | None:
        """The errors of the first alternative whose shape the value has, if any; else None."""
        if error.validator == "oneOf" and isinstance(error.schema, dict) and error.schema.get("errorMessage"):
            return None
        depth = len(error.absolute_path)
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context or ():
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        for index in sorted(branches, key=str):
            subs = branches[index]
            if not any(s.validator == "type" and len(s.absolute_path) == depth for s in subs):
                return subs
        return None

    def _custom(self, error: ValidationError, what: str) -> str | None:
        message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        if not message:
            return None
        if isinstance(error.instance, dict | list) and error.validator != "type":
            return f"{what} {message}"
        return f"{what} {message}, got {show(error.instance)}"

    def _property_name(self, error: ValidationError) -> Problem:
        path: PathT = tuple(error.absolute_path)
        name = str(error.instance)
        phrase, depth = self.owner(path)
        where = locate(self.instance, (*path, name), self.root, key=True)
        place = phrase if len(path) <= depth else f"{subject(path, depth, phrase)} of {phrase}"
        if error.validator == "enum":
            return Problem(
                where, f"unknown field '{name}' in {place}", did_you_mean(name, error.validator_value)
            )
        message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        return Problem(where, f"'{name}' in {place} {message or 'is not allowed here'}")

    def _additionalProperties(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        known = list((error.schema.get("properties") or {}).keys())
        patterns = [re.compile(p) for p in error.schema.get("patternProperties") or {}]
        instance = error.instance if isinstance(error.instance, dict) else {}
        extras = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        place = phrase if len(path) <= depth else f"{what} of {phrase}"
        if not path:
            place = phrase
        return [
            Problem(
                locate(self.instance, (*path, k), self.root, key=True),
                f"unknown field '{k}' in {place}",
                did_you_mean(k, known),
            )
            for k in extras
        ]

    def _required(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        instance = error.instance if isinstance(error.instance, dict) else {}
        place = phrase if len(path) <= depth else f"{what} of {phrase}"
        return [
            Problem(where, f"{place} is missing required field '{k}'")
            for k in error.validator_value
            if k not in instance
        ]

    def _type(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        custom = self._custom(error, what)
        if custom:
            return [Problem(where, custom)]
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(dict.fromkeys(_TYPE_WORDS.get(str(t), str(t)) for t in wanted))
        return [Problem(where, f"{what} must be {words}, got {show(error.instance)}")]

    def _enum(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        allowed = [str(v) for v in error.validator_value]
        hint = did_you_mean(str(error.instance), allowed) if isinstance(error.instance, str) else None
        return [
            Problem(where, f"{what} must be one of {', '.join(allowed)}, got {show(error.instance)}", hint)
        ]

    def _const(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [Problem(where, f"{what} must be {show(error.validator_value)}, got {show(error.instance)}")]

    def _pattern(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        message = self._custom(error, what) or (
            f"{what} must match {error.validator_value}, got {show(error.instance)}"
        )
        return [Problem(where, message)]

    def _multipleOf(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        places = -int(Decimal(str(error.validator_value)).as_tuple().exponent)
        words = f"a number with at most {places} decimals" if places > 0 else "a whole number"
        return [Problem(where, f"{what} must be {words}, got {show(error.instance)}")]

    def _minimum(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [
            Problem(where, f"{what} must be at least {error.validator_value}, got {show(error.instance)}")
        ]

    def _maximum(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [Problem(where, f"{what} must be at most {error.validator_value}, got {show(error.instance)}")]

    def _exclusiveMinimum(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [
            Problem(where, f"{what} must be more than {error.validator_value}, got {show(error.instance)}")
        ]

    def _minLength(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [Problem(where, f"{what} must not be empty")]

    def _minItems(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        count = int(error.validator_value)
        words = "one value" if count == 1 else f"{count} values"
        return [Problem(where, f"{what} must list at least {words}")]

    def _minProperties(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        return [Problem(where, self._custom(error, what) or f"{what} must not be empty")]

    def _maxProperties(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        fallback = f"{what} must have at most {error.validator_value} field(s)"
        return [Problem(where, self._custom(error, what) or fallback)]

    def _uniqueItems(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        items = list(error.instance) if isinstance(error.instance, list) else []
        seen: list[Any] = []
        for i, item in enumerate(items):
            if item in seen:
                item_where = locate(self.instance, (*path, i), self.root)
                return [Problem(item_where, f"{what} lists {show(item)} more than once")]
            seen.append(item)
        return [Problem(where, f"{what} lists a value more than once")]

    def _oneOf(
        self, error: ValidationError, path: PathT, phrase: str, depth: int, what: str, where: Source
    ) -> list[Problem]:
        message = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        if message and isinstance(error.instance, dict):
            return [Problem(where, f"{what} {message}")]
        return [Problem(where, self._custom(error, what) or f"{what} {error.message}")]

    _anyOf = _oneOf
