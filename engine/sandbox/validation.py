"""Request bodies checked against JSON Schemas written as data, with field-keyed messages.

Each emulator describes a body once, as a schema; this module turns every violation into the
``{"field.path": ["message"]}`` map that platform error bodies carry, all at once. JSON numbers are read as
:class:`~decimal.Decimal` so that money is checked (and stored) exactly; ``x-decimals`` caps the number of
decimal places, and ``x-format`` names what a ``pattern`` stands for in messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from jsonschema import Draft7Validator, ValidationError, validators
from starlette.requests import Request

from engine.sandbox.responses import FieldErrors, invalid

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
UUID: Mapping[str, Any] = {"type": "string", "pattern": UUID_PATTERN, "x-format": "UUID"}


def _decimals(
    validator: Any, places: int, instance: Any, schema: Mapping[str, Any]
) -> Iterable[ValidationError]:
    if isinstance(instance, Decimal) and instance.is_finite():
        exponent = instance.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            yield ValidationError(f"must have at most {places} decimal places")


def _no_op(validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]) -> Iterable[ValidationError]:
    return ()


_Validator = validators.extend(Draft7Validator, {"x-decimals": _decimals, "x-format": _no_op})


class SchemaValidator:
    """A compiled body schema; calling it returns the field errors (empty when the body is valid).

    ``prefix`` names the body in error keys: with ``"metadata"``, an unknown ``foo`` is ``metadata.foo``.
    """

    def __init__(self, schema: Mapping[str, Any], prefix: str = ""):
        _Validator.check_schema(schema)
        self.schema = schema
        self._validator = _Validator(schema)
        self._prefix = prefix

    def __call__(self, instance: Any) -> FieldErrors:
        errors: FieldErrors = {}
        for error in self._validator.iter_errors(instance):
            for path, message in _explain(error):
                key = ".".join(p for p in (self._prefix, *map(str, path)) if p) or "body"
                messages = errors.setdefault(key, [])
                if message not in messages:
                    messages.append(message)
        return dict(sorted(errors.items()))


def _explain(error: ValidationError) -> list[tuple[list[Any], str]]:
    path = list(error.absolute_path)
    kind, value, schema = error.validator, error.validator_value, error.schema
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        return [([*path, extra], "unknown field") for extra in error.instance if extra not in known]
    if kind == "required" and isinstance(error.instance, dict):
        return [([*path, name], "required") for name in value if name not in error.instance]
    if kind == "dependencies" and isinstance(error.instance, dict):
        return [
            ([*path, needed], f"required with {name}")
            for name, needs in value.items()
            if name in error.instance and isinstance(needs, list)
            for needed in needs
            if needed not in error.instance
        ]
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return [(path, "must be " + " or ".join(_TYPE_NAMES.get(str(n), str(n)) for n in names))]
    if kind == "enum":
        return [(path, "must be one of: " + ", ".join("null" if v is None else str(v) for v in value))]
    if kind == "pattern":
        return [
            (path, f"must be a {schema['x-format']}" if "x-format" in schema else "has an invalid format")
        ]
    return [(path, _MESSAGES.get(str(kind), "{message}").format(value=value, message=error.message))]


_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_MESSAGES = {
    "minimum": "must be at least {value}",
    "maximum": "must be at most {value}",
    "exclusiveMinimum": "must be greater than {value}",
    "minLength": "must be at least {value} character(s) long",
    "maxLength": "must be at most {value} characters long",
    "minItems": "must have at least {value} item(s)",
    "maxItems": "must have at most {value} items",
    "uniqueItems": "must not repeat items",
    "const": "must be {value}",
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str | bytes) -> Any:
    """Strict JSON: floats as Decimal, no NaN or Infinity. Raises ValueError with a readable reason."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError:
        raise ValueError("malformed JSON: not UTF-8") from None


async def json_body(request: Request, validate: SchemaValidator | None = None) -> Any:
    """The request's JSON body, checked by ``validate``; a 422 names every problem."""
    raw = await request.body()
    if not raw.strip():
        body: Any = {}
    else:
        try:
            body = parse_json(raw)
        except ValueError as exc:
            raise invalid({"body": [str(exc)]}) from None
    if validate is not None:
        errors = validate(body)
        if errors:
            raise invalid(errors)
    return body
