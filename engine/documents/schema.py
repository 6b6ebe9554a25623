"""The JSON Schemas (draft-07) of recipes and shelf.yaml, and the validator that checks against them.

The schema files in the top-level ``schemas/`` folder are the single source: editors complete recipes from
them and shelf validates with them, so the two never disagree.

Money is :class:`decimal.Decimal` here, and ``multipleOf: 0.01`` must hold exactly; jsonschema's own
``multipleOf`` divides through float, so it is replaced by a decimal one. ``errorMessage`` is a
non-standard keyword (understood by VS Code's YAML and JSON support) that says in plain words what a value
must be; the message builder uses it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

import engine

SchemaName = Literal["recipe", "config"]

# ``engine/schemas`` links to the top-level folder, so an installed (non-editable) package carries the
# same files as package data.
SCHEMA_DIR = Path(engine.__file__).parent / "schemas"


def schema_path(name: str) -> Path:
    """Where the named schema lives (``recipe`` -> ``schemas/recipe.schema.json``)."""
    return SCHEMA_DIR / f"{name}.schema.json"


@cache
def _read(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def load_schema(name: SchemaName) -> dict[str, Any]:
    """A fresh copy of the named schema, as a dict."""
    result: dict[str, Any] = json.loads(_read(name))
    return result


def _decimal_multiple_of(
    validator: Validator, step: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "number"):
        return
    exact = Decimal(str(step))
    if Decimal(str(instance)) % exact != 0:
        yield ValidationError(f"{instance} is not a multiple of {step}")


_ExactValidator = jsonschema.validators.extend(Draft7Validator, {"multipleOf": _decimal_multiple_of})


@cache
def validator(name: SchemaName) -> Validator:
    """The validator for the named schema (built once)."""
    result: Validator = _ExactValidator(load_schema(name))
    return result
