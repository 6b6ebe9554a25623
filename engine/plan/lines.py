"""One field change as one line a person reads, shared by the text, markdown and html plans.

Element paths (:mod:`engine.plan.elements`) read as what happened to the list: ``images: + back.png``,
``options[Size]: - S``, ``images: order front.png, back.png -> back.png, front.png``. A variant added to
a product reads ``variants: + TEE-XL {...}``. Everything else is ``path: before -> after`` with values as
JSON, ``(none)`` for an absent side, and only the value for an object shown in full (created or deleted).
"""

from __future__ import annotations

import json
from typing import Any

from engine.plan.elements import ORDER, split_element
from engine.plan.model import Action, Change, FieldChange

WHOLE = (Action.CREATE, Action.UPLOAD, Action.DELETE, Action.DEACTIVATE, Action.CANCEL)


def value_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _element_extra(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("alt"), str):
        return f" alt {value_text(value['alt'])}"
    if isinstance(value, list):
        return ": " + ", ".join(str(v) for v in value)
    return ""


def order_paths(f: FieldChange) -> str | None:
    """``images`` for ``images.order`` with lists on both sides, else None."""
    if f.path.endswith("." + ORDER) and isinstance(f.before, list) and isinstance(f.after, list):
        return f.path[: -len(ORDER) - 1]
    return None


def element_change(f: FieldChange) -> tuple[str, str, str, Any] | None:
    """``(list, "+" or "-", label, value)`` for an element added or removed, else None."""
    found = split_element(f.path)
    if found is None or (f.before is None) == (f.after is None):
        return None
    parent, label = found
    if f.before is None:
        return parent, "+", label, f.after
    return parent, "-", label, f.before


def added_variant(change: Change, f: FieldChange) -> tuple[str, str, Any] | None:
    """``("+", label, value)`` for a variant added to (or, listed in full, in) a product."""
    if not f.path.startswith("variants.") or (f.before is None) == (f.after is None):
        return None
    value = f.after if f.before is None else f.before
    if not isinstance(value, dict):
        return None
    sign = "-" if change.action in (Action.DELETE, Action.DEACTIVATE) or f.after is None else "+"
    return sign, f.path[len("variants.") :], value


def describe(change: Change, f: FieldChange) -> str:
    """The line for one field of one change, without indentation."""
    ordered = order_paths(f)
    if ordered is not None:
        return f"{ordered}: order {', '.join(map(str, f.before))} -> {', '.join(map(str, f.after))}"
    element = element_change(f)
    if element is not None:
        parent, sign, label, value = element
        return f"{parent}: {sign} {label}{_element_extra(value)}"
    variant = added_variant(change, f)
    if variant is not None:
        sign, label, value = variant
        return f"variants: {sign} {label} {value_text(value)}"
    if change.action in WHOLE and (f.before is None or f.after is None):
        return f"{f.path}: {value_text(f.after if f.before is None else f.before)}"
    before = "(none)" if f.before is None else value_text(f.before)
    after = "(none)" if f.after is None else value_text(f.after)
    return f"{f.path}: {before} -> {after}"
