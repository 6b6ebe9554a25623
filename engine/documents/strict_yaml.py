"""Strict YAML with a source mark on every key and value.

Recipes are written by people and read by machines that must not guess. So the reader follows the YAML 1.2
core schema rather than PyYAML's YAML 1.1 habits:

* only ``true``/``false`` (any case style YAML 1.2 allows) are booleans: ``no``, ``on``, ``yes``, ``off``
  stay text, so a size called ``NO`` or a country code ``NO`` survives;
* integers are plain decimal without leading zeros: ``0123``, ``0x1F``, ``1_000`` stay text (a SKU or a
  postcode with a leading zero is never a number);
* numbers with a fraction or an exponent become :class:`decimal.Decimal` parsed from the text as written,
  never through a binary float, so ``25.10`` is exactly 25.10;
* dates and timestamps stay text; the schema checks their shape;
* a duplicate key is an error naming both places; anchors, aliases and ``<<`` merge keys work, and keys
  written next to a merge win over merged ones, as YAML specifies;
* only plain YAML: a tag such as ``!!python/object`` is refused on a mapping or a list as on a scalar,
  and the document is read no further (what it holds was meant for another reader);
* numbers stay within :data:`MAX_DIGITS` digits either side of the point (``1e400``, a 5,000-digit
  integer): beyond that no price, stock or setting means anything, and Python's own limits would fail
  later with no place to name. A key holds at most :data:`MAX_KEY` characters, a text value at most
  :data:`MAX_TEXT`; a character YAML itself refuses (a raw control character) is named at its line and
  column. Escaped ones (``"\\x1b"``) are text like any other: a shop may hold them, and ``shelf import``
  writes them so;
* at most :data:`MAX_PROBLEMS` problems are listed per document, then how many more there are;
* aliases may repeat at most :data:`MAX_ALIASED_VALUES` values in all: an alias is built once and
  shared, but every later check walks what it stands for, so nine levels of tenfold aliases (a "billion
  laughs") would cost minutes and gigabytes there. Such a document is one error instead.

Mappings come back as :class:`MDict` and sequences as :class:`MList`: plain ``dict``/``list`` subclasses
that remember where each key and value was written, so every later check can name ``file:line:col``.
Mapping keys are always the key's text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from engine.errors import Source

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"

MAX_ALIASED_VALUES = 100_000
"""Values that aliases may repeat in one document (each alias counts the values it stands for)."""

MAX_DIGITS = 30
"""Digits a number may have before (and zeros after) its point."""
MAX_TEXT = 100_000
"""Characters in one text value: as long as the longest text a template may render."""
MAX_KEY = 200
"""Characters in one mapping key: a field name, a language, an option or a setting is short."""
MAX_PROBLEMS = 100
"""Problems listed for one document; a document with more is broken throughout, not in 10,000 places."""

_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")


@dataclass(frozen=True)
class YamlProblem:
    source: Source
    message: str


class YamlSyntaxError(Exception):
    """The text is not YAML at all; nothing of it can be used."""

    def __init__(self, problem: YamlProblem):
        self.problem = problem
        super().__init__(f"{problem.source}: {problem.message}")


class MDict(dict[str, Any]):
    """A mapping that knows where it, each of its keys and each of its values were written."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source
        self.key_sources: dict[str, Source] = {}
        self.value_sources: dict[str, Source] = {}


class MList(list[Any]):
    """A sequence that knows where it and each of its items were written."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source
        self.item_sources: list[Source] = []


class _Resolver(BaseResolver):
    yaml_implicit_resolvers: dict[Any, Any] = {}


# Integers first: a text that is both an integer and a float pattern is an integer.
_Resolver.add_implicit_resolver(BOOL, _BOOL_RE, list("tTfF"))
_Resolver.add_implicit_resolver(NULL, _NULL_RE, ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(INT, _INT_RE, list("-+0123456789"))
_Resolver.add_implicit_resolver(FLOAT, _FLOAT_RE, list("-+0123456789."))


class _PyLoader(Reader, Scanner, Parser, Composer, _Resolver):
    def __init__(self, text: str):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


try:  # libyaml parses about ten times faster; the resolver (what a scalar means) stays ours either way
    from yaml._yaml import CParser

    class _CLoader(CParser, _Resolver):
        def __init__(self, text: str):
            CParser.__init__(self, text)
            _Resolver.__init__(self)

    _Loader: Any = _CLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader


def load_yaml(text: str, file: str) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document. ``file`` is how places are named in messages.

    Returns the value and the problems found while building it (duplicate keys, unsupported tags); raises
    :class:`YamlSyntaxError` when the text cannot be parsed at all. An empty document is ``None``.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise YamlSyntaxError(_syntax_problem(exc, file, text)) from None
    except ReaderError as exc:
        raise YamlSyntaxError(_reader_problem(exc, file, text)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(YamlProblem(Source(file, 1, 1), str(exc))) from None
    finally:
        loader.dispose()
    if node is None:
        return None, []
    builder = _Builder(file)
    try:
        value = builder.build(node)
    except RecursionError:
        return None, [YamlProblem(Source(file, 1, 1), "the document nests too deeply")]
    except _TooManyAliased as exc:
        message = f"aliases repeat more than {MAX_ALIASED_VALUES} values (the last one refers to this anchor)"
        return None, [YamlProblem(exc.source, message)]
    if builder.fatal:
        return None, builder.fatal
    problems = builder.problems
    if len(problems) > MAX_PROBLEMS:
        more = YamlProblem(problems[MAX_PROBLEMS].source, f"and {len(problems) - MAX_PROBLEMS} more problems")
        problems = [*problems[:MAX_PROBLEMS], more]
    return value, problems


def _reader_problem(exc: ReaderError, file: str, text: str) -> YamlProblem:
    """A character YAML does not allow, at its line and column (the reader only knows its offset)."""
    position = min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return YamlProblem(
        Source(file, line, col),
        f"the character U+{character:04X} is not allowed in YAML (a control character); remove it",
    )


_UNFINISHED = ("while scanning", "while parsing a flow")
"""Contexts of a construct that began at ``context_mark`` and was still open where the parser gave up
(a quote, a bracket, a key without its ``:``): the parser notices on a later line, the fault is where it
began."""


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "not valid YAML"
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "'\\t'" in problem or (mark and line[mark.column : mark.column + 1] == "\t"):
        where = Source(file, mark.line + 1, mark.column + 1) if mark else Source(file, 1, 1)
        return YamlProblem(where, "a tab character cannot indent YAML; indent with spaces")
    context = f"{exc.context}: " if exc.context else ""
    start = exc.context_mark
    if start is not None and exc.context and exc.context.startswith(_UNFINISHED):
        noticed = ""
        if mark is not None and mark.line >= len(lines):
            noticed = " (noticed at the end of the file)"
        elif mark is not None and mark.line != start.line:
            noticed = f" (noticed at line {mark.line + 1})"
        return YamlProblem(
            Source(file, start.line + 1, start.column + 1), f"YAML syntax error: {context}{problem}{noticed}"
        )
    where = Source(file, mark.line + 1, mark.column + 1) if mark else Source(file, 1, 1)
    return YamlProblem(where, f"YAML syntax error: {context}{problem}")


class _TooManyAliased(Exception):
    def __init__(self, source: Source):
        self.source = source


class _Builder:
    """Turns composed nodes into values; shared (aliased) nodes are built once, and the values they
    stand for are counted each time they are used again."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[YamlProblem] = []
        self.fatal: list[YamlProblem] = []
        self._built: dict[int, Any] = {}
        self._building: set[int] = set()
        self._sizes: dict[int, int] = {}
        self._aliased = 0

    def source(self, node: Node) -> Source:
        mark = node.start_mark
        return Source(self.file, mark.line + 1, mark.column + 1)

    def build(self, node: Node) -> Any:
        ident = id(node)
        if ident in self._built:
            self._aliased += self._sizes[ident]
            if self._aliased > MAX_ALIASED_VALUES:
                raise _TooManyAliased(self.source(node))
            return self._built[ident]
        if ident in self._building:
            self.fatal.append(YamlProblem(self.source(node), "an alias refers to itself"))
            return None
        self._building.add(ident)
        try:
            if isinstance(node, MappingNode):
                value: Any = self._mapping(node)
            elif isinstance(node, SequenceNode):
                value = self._sequence(node)
            else:
                value = self._scalar(node)
        finally:
            self._building.discard(ident)
        self._built[ident] = value
        self._sizes[ident] = 1 + sum(self._sizes.get(id(child), 1) for child in _children(node))
        return value

    def _scalar(self, node: Node) -> Any:
        text = str(node.value)
        tag = node.tag
        if tag in (STR, "!"):
            return self._text(text, node)
        if tag == NULL and _NULL_RE.match(text):
            return None
        if tag == BOOL and _BOOL_RE.match(text):
            return text.lower() == "true"
        if tag == INT and _INT_RE.match(text):
            if len(text.lstrip("+-")) > MAX_DIGITS:
                return self._out_of_range(text, node)
            return int(text)
        if tag == FLOAT:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                if number and not -MAX_DIGITS <= number.adjusted() < MAX_DIGITS:
                    return self._out_of_range(text, node)
                return number
        if tag in (NULL, BOOL, INT, FLOAT):
            kind = tag.rsplit(":", 1)[1]
            self.problems.append(YamlProblem(self.source(node), f"'{text}' is not a valid {kind}"))
            return text
        self.fatal.append(YamlProblem(self.source(node), _unsupported(tag)))
        return text

    def _text(self, text: str, node: Node) -> str:
        if len(text) > MAX_TEXT:
            message = f"a text of {len(text)} characters; values hold at most {MAX_TEXT}"
            self.problems.append(YamlProblem(self.source(node), message))
            return text[:MAX_TEXT]
        return text

    def _out_of_range(self, text: str, node: Node) -> str:
        shown = text if len(text) <= 40 else text[:37] + "..."
        message = f"the number '{shown}' is out of range: numbers hold at most {MAX_DIGITS} digits"
        self.problems.append(YamlProblem(self.source(node), message + "; quote it if it is text"))
        return text

    def _collection_tag(self, node: Node, plain: str) -> None:
        if node.tag not in (plain, "!"):
            self.fatal.append(YamlProblem(self.source(node), _unsupported(node.tag)))

    def _sequence(self, node: SequenceNode) -> MList:
        self._collection_tag(node, SEQ)
        result = MList(self.source(node))
        for item in node.value:
            result.append(self.build(item))
            result.item_sources.append(self.source(item))
        return result

    def _mapping(self, node: MappingNode) -> MDict:
        self._collection_tag(node, MAP)
        result = MDict(self.source(node))
        explicit: dict[str, Source] = {}
        for key_node, _ in node.value:
            if _is_merge(key_node) or not isinstance(key_node, ScalarNode):
                continue
            key, where = str(key_node.value), self.source(key_node)
            if len(key) > MAX_KEY:
                message = f"a key of {len(key)} characters; keys hold at most {MAX_KEY}"
                self.problems.append(YamlProblem(where, message))
            if key in explicit:
                self.problems.append(
                    YamlProblem(where, f"duplicate key '{key}' (first written at {explicit[key]})")
                )
            else:
                explicit[key] = where
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                for merged in self._merged(value_node):
                    for key in merged:
                        if key not in explicit and key not in result:
                            result[key] = merged[key]
                            result.key_sources[key] = merged.key_sources[key]
                            result.value_sources[key] = merged.value_sources[key]
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(YamlProblem(self.source(key_node), "a mapping key must be plain text"))
                continue
            key, where = str(key_node.value), self.source(key_node)
            if key in result or explicit[key] != where:
                continue
            result[key] = self.build(value_node)
            result.key_sources[key] = where
            result.value_sources[key] = self.source(value_node)
        return result

    def _merged(self, node: Node) -> Iterator[MDict]:
        value = self.build(node)
        values = value if isinstance(value, MList) else [value]
        for item in values:
            if isinstance(item, MDict):
                yield item
            else:
                self.problems.append(
                    YamlProblem(self.source(node), "'<<' merges mappings only (an alias of a mapping)")
                )


def _unsupported(tag: str) -> str:
    return f"unsupported YAML tag {tag!r}: only plain YAML is read (remove the tag)"


def _children(node: Node) -> list[Node]:
    """The nodes a node holds: a list's items, a mapping's values (merged mappings included)."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [value for _, value in node.value]
    return []


def _is_merge(node: Node) -> bool:
    return isinstance(node, ScalarNode) and not node.style and node.value == "<<"
