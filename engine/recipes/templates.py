"""Jinja templates inside recipe values, sandboxed.

A recipe is data, so its templates may compute text from what they are given (``vars``, the item's own
fields, a variant's option values) and nothing else: the environment is Jinja's immutable sandbox with no
loader (no file access), no access to the process environment, no ``range``, guarded ``*`` and ``**`` (so
``'x' * 10**9`` cannot exhaust memory), and undefined names are errors rather than empty text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing, object_type_repr

MAX_OUTPUT = 100_000
MAX_EXPONENT = 100

_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined")


class Namespace(dict[str, Any]):
    """A mapping templates reach with dots (``vars.currency``) whose missing names are named in errors."""

    def __init__(self, label: str, values: Mapping[str, Any]):
        super().__init__(values)
        self.label = label


class _Undefined(StrictUndefined):
    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return f"'{self._undefined_name}' is undefined"
        if isinstance(self._undefined_obj, Namespace):
            return f"'{self._undefined_obj.label}.{self._undefined_name}' is undefined"
        return f"{object_type_repr(self._undefined_obj)} has no attribute {self._undefined_name!r}"


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float | Decimal) and abs(float(right)) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                too_long = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if too_long and len(seq) * count > MAX_OUTPUT:
                    raise SecurityError(f"results longer than {MAX_OUTPUT} are not allowed")
        return super().call_binop(context, operator, left, right)


class TemplateFailure(Exception):
    """A template that cannot be rendered; ``name`` is the undefined name, when that was the cause."""

    def __init__(self, message: str, name: str | None = None):
        self.message = message
        self.name = name
        super().__init__(message)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


class Templates:
    """Renders recipe templates; compiled templates are kept, since variants repeat the same ones."""

    def __init__(self) -> None:
        self._env = _Environment(undefined=_Undefined, autoescape=False, keep_trailing_newline=True)
        for name in ("range", "lipsum", "cycler", "joiner"):
            self._env.globals.pop(name, None)
        self._compiled: dict[str, Template] = {}

    def render(self, text: str, context: Mapping[str, Any]) -> str:
        """The rendered text; raises :class:`TemplateFailure` with a message fit for the recipe's author."""
        if not is_template(text):
            return text
        try:
            template = self._compiled.get(text)
            if template is None:
                template = self._env.from_string(text)
                self._compiled[text] = template
            result = template.render(dict(context))
        except TemplateSyntaxError as exc:
            raise TemplateFailure(f"template syntax error: {exc.message}") from None
        except SecurityError as exc:
            raise TemplateFailure(f"template is not allowed to do this: {exc}") from None
        except UndefinedError as exc:
            message = str(exc)
            found = _UNDEFINED_NAME.match(message)
            raise TemplateFailure(f"template uses an undefined name: {message}", found and found[1]) from None
        except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
            if "no loader" in str(exc):
                raise TemplateFailure("templates cannot include, import or extend other files") from None
            raise TemplateFailure(f"template failed: {exc}") from None
        if len(result) > MAX_OUTPUT:
            raise TemplateFailure(f"template renders more than {MAX_OUTPUT} characters")
        return result
