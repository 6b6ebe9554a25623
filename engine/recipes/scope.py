"""One item's fields for one target, with templates rendered and problems collected.

What a template sees (its context):

* ``vars``: the target's ``vars`` from shelf.yaml;
* the item's own scalar fields (for a product: key, title, description, category, status, digital, sku,
  price, compare_price, stock), rendered in the order they are written, so ``description: "{{ title }}
  in cotton"`` works when ``title`` comes first. A field whose own template is written further down is
  not visible yet: that is an undefined-name error, with a hint saying so;
* in variant fields (and ``variant_defaults``): each option's value by option name (``{{ Size }}``) and
  all of them as ``options`` (``{{ options['Shoe size'] }}`` for names that are not identifiers).
  ``vars`` and ``options`` always mean the above, whatever the options are called.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.documents.problems import Problem, did_you_mean, show
from engine.documents.strict_yaml import MDict
from engine.errors import Source
from engine.model import Text, text
from engine.recipes.parse import RawItem
from engine.recipes.templates import Namespace, TemplateFailure, Templates

CONTEXT_FIELDS = {
    "categories": ("key", "name", "parent"),
    "products": (
        "key",
        "title",
        "description",
        "category",
        "status",
        "digital",
        "sku",
        "price",
        "compare_price",
        "stock",
    ),
    "promotions": ("key", "title", "code", "starts_at", "ends_at"),
    "subscriptions": ("key", "organization", "offer"),
}
TEXT_FIELDS = frozenset({"name", "title", "description"})
MONEY_FIELDS = frozenset({"price", "compare_price", "amount"})
CENT = Decimal("0.01")


class ItemScope:
    """Reads one raw item's fields, rendering templates; every problem lands in ``problems``."""

    def __init__(
        self, raw: RawItem, templates: Templates, variables: Mapping[str, Any], problems: list[Problem]
    ):
        self.raw = raw
        self.data = raw.data
        self.templates = templates
        self.problems = problems
        self.failed = False
        self.context: dict[str, Any] = {"vars": Namespace("vars", variables)}
        self.fields: dict[str, Any] = {}
        self._pending = {f for f in CONTEXT_FIELDS[raw.collection] if f in self.data}
        for name in self.data:
            if name in self._pending:
                value = self._prerender(name)
                self._pending.discard(name)
                self.fields[name] = value
                self.context[name] = value

    def _prerender(self, name: str) -> Any:
        value, where = self.data[name], self.data.value_sources[name]
        if name in TEXT_FIELDS:
            return self._text_value(value, where)
        if name in MONEY_FIELDS:
            return self.money(value, where, name)
        if isinstance(value, str):
            return self.render(value, where)
        return value

    def fail(self, where: Source, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.problems.append(Problem(where, message, hint))

    def render(self, value: str, where: Source, context: Mapping[str, Any] | None = None) -> str | None:
        """The rendered text, or None (with a problem recorded) when the template fails."""
        names = self.context if context is None else context
        try:
            return self.templates.render(value, names)
        except TemplateFailure as exc:
            self.fail(where, exc.message, _undefined_hint(exc.name, names, self._pending))
            return None

    def _text_value(self, value: Any, where: Source, context: Mapping[str, Any] | None = None) -> Any:
        if isinstance(value, str):
            return self.render(value, where, context)
        if isinstance(value, MDict):
            out: dict[str, str] = {}
            for language, item in value.items():
                rendered = self.render(str(item), value.value_sources[language], context)
                if rendered is not None:
                    out[language] = rendered
            return out
        return None

    def text(self, name: str, mapping: MDict | None = None) -> Text | None:
        """A text field (plain or per language) of the item, or of ``mapping`` inside it."""
        if mapping is None:
            if name in self.fields:
                value = self.fields[name]
                return text(value) if value is not None else None
            mapping = self.data
        if name not in mapping:
            return None
        value = self._text_value(mapping[name], mapping.value_sources[name])
        return text(value) if value is not None else None

    def string(
        self, name: str, mapping: MDict | None = None, context: Mapping[str, Any] | None = None
    ) -> str | None:
        """A plain text field, rendered."""
        if mapping is None and name in self.fields and context is None:
            value = self.fields[name]
            return value if isinstance(value, str) else None
        mapping = self.data if mapping is None else mapping
        value = mapping.get(name)
        if value is None:
            return None
        return self.render(str(value), mapping.value_sources[name], context)

    def money(
        self, value: Any, where: Source, what: str, context: Mapping[str, Any] | None = None
    ) -> Decimal | None:
        """An exact amount of at least 0 with at most 2 decimals, from a number or a rendered template."""
        if value is None:
            return None
        written = value
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            rendered = self.render(str(value), where, context)
            if rendered is None:
                return None
            written = rendered
            try:
                number = Decimal(rendered.strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or number < 0 or number % CENT != 0:
            self.fail(
                where, f"'{what}' must be a number of at least 0 with at most 2 decimals, got {show(written)}"
            )
            return None
        exponent = number.as_tuple().exponent
        return number.quantize(CENT) if isinstance(exponent, int) and exponent < -2 else number

    def field_money(self, name: str, mapping: MDict | None = None) -> Decimal | None:
        if mapping is None and name in self.fields:
            value: Decimal | None = self.fields[name]
            return value
        mapping = self.data if mapping is None else mapping
        if name not in mapping:
            return None
        return self.money(mapping[name], mapping.value_sources[name], name)

    def plain(self, value: Any) -> Any:
        """A YAML value as plain dicts and lists (form data), its strings rendered."""
        return _plain(self, value, None)


def _undefined_hint(name: str | None, context: Mapping[str, Any], pending: set[str]) -> str | None:
    if name is None:
        return None
    if name in pending:
        return f"'{name}' is itself a template written further down; templates see the fields above them"
    label, dot, rest = name.partition(".")
    namespace = context.get(label)
    if dot and isinstance(namespace, Mapping):
        match = did_you_mean(rest, [str(k) for k in namespace])
        return match.replace("'", f"'{label}.", 1) if match else None
    return did_you_mean(name, [n for n in context if n not in ("vars", "options")])


def _plain(scope: ItemScope, value: Any, where: Source | None) -> Any:
    if isinstance(value, MDict):
        return {k: _plain(scope, v, value.value_sources[k]) for k, v in value.items()}
    if isinstance(value, list):
        sources = getattr(value, "item_sources", [])
        return [_plain(scope, v, sources[i] if i < len(sources) else where) for i, v in enumerate(value)]
    if isinstance(value, str) and where is not None:
        return scope.render(value, where)
    return value
