"""A compiled validator that answers one question quickly: does this value pass the schema?

jsonschema (:mod:`engine.documents.schema`) stays the source of truth: its errors become the messages
people read. But it costs about as much as reading the YAML, on every item of every file, and almost every
item is valid. ``jsonschema-rs`` compiles the same schema and answers valid/invalid some hundred times
faster, so checks run it first and ask jsonschema for the detailed errors of what it refuses only.

The two must agree on what is valid. Where they differ by nature, the schema given to the compiled one
is adjusted so that it is never the more lenient:

* ``integer``: jsonschema-rs takes ``5.0`` as an integer (draft 7 allows it), the strict reader gives
  ``5.0`` as a :class:`~decimal.Decimal` and jsonschema refuses it. Every schema with ``"type":
  "integer"`` also carries a keyword of our own that refuses a Decimal.
* ``multipleOf`` on Decimals: jsonschema-rs compares exactly, as the decimal rule in
  :mod:`engine.documents.schema` does.
* ``pattern``: jsonschema-rs's ``$`` does not match before a final newline, Python's does; jsonschema-rs is
  then the stricter one, and jsonschema has the last word on what it refuses.

Where jsonschema-rs refuses and jsonschema finds nothing, the value is valid: the compiled validator only
ever saves work.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import jsonschema_rs

from engine.documents.schema import SchemaName, load_schema

WHOLE = "x-shelf-whole"
"""The keyword added next to every ``"type": "integer"``: the value is not a Decimal."""


class _Whole:
    """jsonschema-rs calls this with the original Python value, so a Decimal is seen as one."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        if isinstance(instance, Decimal):
            raise ValueError("a number written with a fraction is not a whole number")


def _mark_integers(node: Any) -> Any:
    if isinstance(node, dict):
        marked = {key: _mark_integers(value) for key, value in node.items()}
        if marked.get("type") == "integer":
            marked[WHOLE] = True
        return marked
    if isinstance(node, list):
        return [_mark_integers(value) for value in node]
    return node


@cache
def _compiled(name: SchemaName, definition: str | None) -> Any:
    schema = _mark_integers(load_schema(name))
    if definition is not None:
        schema = {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    return jsonschema_rs.Draft7Validator(schema, keywords={WHOLE: _Whole})


def is_valid(name: SchemaName, instance: Any, definition: str | None = None) -> bool:
    """Whether ``instance`` passes the named schema (or one of its ``definitions``); when this says
    False, jsonschema decides what, if anything, is wrong."""
    try:
        return bool(_compiled(name, definition).is_valid(instance))
    except (ValueError, TypeError, OverflowError):
        return False
