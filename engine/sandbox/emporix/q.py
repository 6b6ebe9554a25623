"""The standard ``q`` query parameter (``standard-practices_q-param.md``), as a predicate over documents.

Supported forms, matched against the document as the service renders it with every language:

* ``field:value`` (exact; ``"quoted value"`` too), ``field.en:value`` for one language; a localized
  field without a language matches when any translation does;
* ``field:(a,b,c)`` any of the values; ``field:~regex`` and ``field:(~a regex with spaces)``;
* ``field:>N``, ``>=``, ``<``, ``<=``, and ranges ``field:(>=10 AND <=20)``; numbers compare as numbers,
  quoted dates (``"2021-05-18T07:27:27.455Z"``) as instants, anything else as text;
* ``field:null`` (absent or null), ``field:exists``, ``field:missing``; ``true``/``false`` for booleans;
* several conditions separated by spaces must all hold;
* ``compoundLogicalQuery:((expr) OR (expr))`` with nested ``AND``/``OR`` groups.

A path through a list (``refIds.id``) matches when any element matches. Anything else is a
:class:`QueryError`, which the endpoints answer with 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]
COMPOUND = "compoundLogicalQuery:"


class QueryError(ValueError):
    pass


def _split_top(text: str, sep: str = " ") -> list[str]:
    """Split on ``sep`` outside parentheses and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("unbalanced parentheses in q")
        if char == sep and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0 or quoted:
        raise QueryError("unbalanced parentheses or quotes in q")
    parts.append("".join(current))
    return [p for p in (part.strip() for part in parts) if p]


def _values(node: Any, path: list[str]) -> Iterator[Any]:
    """Every value at ``path``; lists along the way fan out. Missing paths yield nothing."""
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
        return
    if not path:
        if isinstance(node, Mapping) and node and all(isinstance(v, str) for v in node.values()):
            yield from node.values()  # a localized map: any translation
        yield node
        return
    if isinstance(node, Mapping) and path[0] in node:
        yield from _values(node[path[0]], path[1:])


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _equals(wanted: str) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if isinstance(value, bool):
            return wanted.lower() == str(value).lower()
        if isinstance(value, int | float | Decimal):
            number = _number(wanted)
            return number is not None and number == _number(value)
        return isinstance(value, str) and value == wanted

    return test


_COMPARE = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _comparison(text: str) -> Callable[[Any], bool]:
    for op in (">=", "<=", ">", "<"):
        if text.startswith(op):
            raw = text[len(op) :].strip()
            break
    else:
        raise QueryError(f"expected a comparison, got {text!r}")
    compare = _COMPARE[op]
    quoted = raw.startswith('"')
    bound = _unquote(raw)
    instant = _instant(bound) if quoted else None
    number = None if quoted else _number(bound)

    def test(value: Any) -> bool:
        if instant is not None and isinstance(value, str):
            other = _instant(value)
            return other is not None and compare(other, instant)
        if number is not None:
            other_number = _number(value)
            return other_number is not None and compare(other_number, number)
        return isinstance(value, str) and compare(value, bound)

    return test


def _condition(field: str, text: str) -> Predicate:
    path = field.split(".")
    if not field or not all(path):
        raise QueryError(f"invalid field name {field!r} in q")
    if text in ("null", "missing"):
        return lambda doc: all(v is None for v in _values(doc, path))
    if text == "exists":
        return lambda doc: any(v is not None for v in _values(doc, path))
    tests: list[Callable[[Any], bool]]
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if inner.startswith("~"):
            tests = [_regex(inner[1:])]
        elif " AND " in inner:
            ranges = [_comparison(part.strip()) for part in inner.split(" AND ")]
            return lambda doc: any(all(t(v) for t in ranges) for v in _values(doc, path) if v is not None)
        else:
            tests = [_equals(_unquote(option)) for option in _split_top(inner, ",")]
    elif text.startswith("~"):
        tests = [_regex(text[1:])]
    elif text[:1] in "<>":
        tests = [_comparison(text)]
    else:
        tests = [_equals(_unquote(text))]
    return lambda doc: any(t(v) for v in _values(doc, path) if v is not None for t in tests)


def _regex(pattern: str) -> Callable[[Any], bool]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {pattern!r}: {exc}") from None
    return lambda value: isinstance(value, str) and compiled.search(value) is not None


def _term(text: str) -> Predicate:
    if text.startswith(COMPOUND):
        return _group(text[len(COMPOUND) :].strip())
    field, colon, condition = text.partition(":")
    if not colon or not condition:
        raise QueryError(f"expected field:value, got {text!r}")
    return _condition(field.strip(), condition.strip())


def _terms(text: str) -> Predicate:
    predicates = [_term(part) for part in _split_top(text)]
    if not predicates:
        raise QueryError("empty q")
    return lambda doc: all(p(doc) for p in predicates)


def _group(text: str) -> Predicate:
    """``((a) OR (b) OR (c))`` or ``((a) AND (b))``; operands may be groups themselves."""
    if not (text.startswith("(") and text.endswith(")")):
        raise QueryError("compoundLogicalQuery needs a parenthesized expression")
    return _sequence(text[1:-1].strip())


def _sequence(text: str) -> Predicate:
    """``(a) OR (b)``: parenthesized operands joined by one operator."""
    tokens = _split_top(text)
    operands: list[Predicate] = []
    operators: set[str] = set()
    for position, token in enumerate(tokens):
        if position % 2:
            if token not in ("AND", "OR"):
                raise QueryError(f"expected AND or OR, got {token!r}")
            operators.add(token)
            continue
        if not (token.startswith("(") and token.endswith(")")):
            raise QueryError(f"each operand of compoundLogicalQuery is parenthesized, got {token!r}")
        inner = token[1:-1].strip()
        operands.append(_sequence(inner) if inner.startswith("(") else _terms(inner))
    if not operands or len(tokens) % 2 == 0:
        raise QueryError("incomplete compoundLogicalQuery")
    if len(operators) > 1:
        raise QueryError("mixing AND and OR in one group needs nested parentheses")
    if operators == {"OR"}:
        return lambda doc: any(p(doc) for p in operands)
    return lambda doc: all(p(doc) for p in operands)


def parse_q(text: str) -> Predicate:
    """The predicate ``q`` stands for; raises :class:`QueryError` when it cannot be read."""
    return _terms(text.strip())
