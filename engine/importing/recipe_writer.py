"""Recipe data -> YAML text that reads like the demo recipes and that shelf's strict reader reads back as
exactly the same values.

Block style, with list items indented under their key and a blank line between items; short lists and
variant entries on one line (:class:`Flow`, :class:`FlowMap`); money as bare exact decimals
(:class:`Money`: ``25.00``). Strings are quoted wherever the strict reader would take them for something
else (``'0123'``, ``'no'``, ``'1e5'``), double-quoted where only escapes can carry them (tabs, carriage
returns, Unicode line separators) or where they hold a template; text of several lines becomes a ``|``
block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from engine.recipes.templates import is_template

SCHEMA_LINE = "# yaml-language-server: $schema={ref}"
_NUMERIC = re.compile(r"^[-+.]?[0-9][0-9eE.+_-]*$")
_ESCAPED = frozenset("\t\r\x85\u2028\u2029\ufeff")


class Flow(list[Any]):
    """A list written on one line: ``[S, M, L]``."""


class FlowMap(dict[str, Any]):
    """A mapping written on one line: ``{Size: L, price: 27.00}``."""


class Money(str):
    """An amount as exact decimal text, written as a bare YAML number (``25.00``)."""


class _Dumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, as the demo recipes are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in _ESCAPED or not (ch.isprintable() or ch == "\n") for ch in value):
        style: str | None = '"'  # only double quotes can escape them; elsewhere they would be folded
    elif "\n" in value:
        body = value.removesuffix("\n")
        style = "|" if body and body == body.strip() else '"'  # blocks cannot carry edge whitespace
    elif is_template(value):
        style = '"'
    else:
        style = "'" if _misread(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _misread(value: str) -> bool:
    """Whether shelf's strict reader might read the plain scalar as a number, a flag or null.

    PyYAML already quotes what YAML 1.1 would read as another type; shelf's reader also takes ``1e5`` as
    a number, so anything that looks numeric is quoted, and the YAML 1.2 words for flags and null.
    """
    return bool(_NUMERIC.match(value)) or value.lower() in ("true", "false", "null", "~", "")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Money, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))
_Dumper.add_representer(Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(
    FlowMap,
    lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True),
)


def recipe_yaml(document: Mapping[str, Any], *, schema_ref: str, header: str | None = None) -> str:
    """The recipe file's text: the schema modeline, an optional comment, then the document, with a blank
    line between items so that each reads as a block of its own."""
    body = yaml.dump(
        dict(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    lines = [SCHEMA_LINE.format(ref=schema_ref)]
    if header:
        lines += [f"# {line}" if line else "#" for line in header.splitlines()]
    body_lines = body.splitlines()
    for index, line in enumerate(body_lines):
        top_level = bool(line) and not line.startswith(" ")
        next_item = line.startswith("  - ") and body_lines[index - 1].startswith(" ")
        if index > 0 and (top_level or next_item):
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n"
