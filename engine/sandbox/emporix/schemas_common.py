"""Schema pieces every Emporix body shares, written from the services' references."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STRING: Mapping[str, Any] = {"type": "string"}
NONEMPTY: Mapping[str, Any] = {"type": "string", "minLength": 1}
BOOLEAN: Mapping[str, Any] = {"type": "boolean"}
OBJECT: Mapping[str, Any] = {"type": "object"}
STRINGS: Mapping[str, Any] = {"type": "array", "items": STRING}
LOCALIZED: Mapping[str, Any] = {"type": ["string", "object"], "additionalProperties": STRING}
"""``localizedValue``: a string in one language or a map of translations (see ``sandbox_i18n``)."""
TRANSLATIONS: Mapping[str, Any] = {"type": "object", "additionalProperties": STRING}
MIXIN_SCHEMAS: Mapping[str, Any] = {"type": "object", "additionalProperties": STRING}
"""``metadata.mixins``: mixin name -> URL of its JSON schema."""
MONEY: Mapping[str, Any] = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"}
"""An amount: a JSON number, or its text (the price guide sends ``"priceValue": "629.00"``)."""
CURRENCY: Mapping[str, Any] = {
    "type": "string",
    "pattern": "^[A-Z]{3}$",
    "x-format": "ISO 4217 currency code",
}
COUNTRY: Mapping[str, Any] = {
    "type": "string",
    "pattern": "^[A-Z]{2}$",
    "x-format": "ISO 3166-1 alpha-2 code",
}
DATETIME: Mapping[str, Any] = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$",
    "x-format": "ISO 8601 date-time",
}


def strict(properties: Mapping[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties (others are refused as unknown fields)."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": dict(properties)}
    if required:
        schema["required"] = list(required)
    return schema
