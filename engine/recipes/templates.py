"""Jinja templates inside recipe values, sandboxed and bounded.

A recipe is data, so its templates may compute text from what they are given (``vars``, the item's own
fields, a variant's option values) and nothing else: the environment is Jinja's immutable sandbox with no
loader (no file access), no access to the process environment, no ``range``, and undefined names are
errors rather than empty text.

A recipe may also be hostile (a pull request from anyone), so every template is bounded before it can
use much time or memory, and fails with a clear message instead:

* **size**: no string or list a template builds may exceed :data:`MAX_OUTPUT` characters or items. The
  operators that can grow one (``*``, ``+``, ``~``, ``%``) and every filter and method call check their
  operands *before* computing (a number argument above the bound is refused, so ``center(10**9)`` and
  ``'%01000000000d'|format`` never allocate), and the rendered text stops at the bound;
* **steps**: every loop iteration and every call (macros included, so a recursive macro too) counts one
  step; more than :data:`MAX_STEPS` in one render is refused, as is a render running past
  :data:`MAX_SECONDS`;
* ``str.format`` is not available (its widths hide inside the format text): use ``|format`` or ``%``.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing, object_type_repr

MAX_OUTPUT = 100_000
"""The longest string (and the longest list) a template may build or render."""
MAX_EXPONENT = 100
MAX_STEPS = 200_000
"""Loop iterations plus calls in one render: far above what a SKU or a title needs."""
MAX_SECONDS = 1.0
"""Wall time of one render."""
MAX_KEPT = 4096
"""Distinct template sources kept compiled (and split) at once: a catalog whose every product writes its
own template would otherwise hold them all until exit."""
SLOW_RENDER = 0.05
MAX_SLOW_SECONDS = 3.0
"""Wall time of all slow renders (each over :data:`SLOW_RENDER`) of one recipe load: a recipe of many
items each holding an expensive template stops in seconds too. An honest render takes microseconds."""

# A printf-style conversion's width and precision, where a huge number would allocate a huge string.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?[a-zA-Z%]")

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


class _Budget(threading.local):
    """The steps and the deadline of the render running in this thread."""

    steps = 0
    deadline = 0.0

    def start(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SecurityError(f"more than {MAX_STEPS} loop steps and calls are not allowed")
        if self.steps % 1024 == 0 and time.monotonic() > self.deadline:
            raise SecurityError(f"rendering took longer than {MAX_SECONDS:g} s")


def _too_long() -> SecurityError:
    return SecurityError(f"results longer than {MAX_OUTPUT} are not allowed")


def _weight(value: Any, depth: int = 0) -> int:
    """About how many characters ``value`` prints as, counted only up to just past the bound (a list
    holding the same long string many times weighs what it would print)."""
    if isinstance(value, str):
        return len(value)
    if depth > 40:
        return MAX_OUTPUT + 1
    if isinstance(value, Mapping):
        items: Iterable[Any] = (part for pair in value.items() for part in pair)
        total = len(value)
    elif isinstance(value, list | tuple | set | frozenset):
        items, total = value, len(value)
    else:
        return 1
    for item in items:
        total += _weight(item, depth + 1)
        if total > MAX_OUTPUT:
            break
    return total


def _check_weight(*values: Any) -> None:
    total = 0
    for value in values:
        total += _weight(value)
        if total > MAX_OUTPUT:
            raise _too_long()


def _check_length(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT:
        raise _too_long()
    return value


def _check_numbers(args: Iterable[Any]) -> None:
    """A number argument beyond the size bound (a width, a count) is refused before the call runs."""
    for arg in args:
        number = isinstance(arg, int | float | Decimal) and not isinstance(arg, bool)
        if number and abs(float(arg)) > MAX_OUTPUT:
            raise SecurityError(f"numbers above {MAX_OUTPUT} are not allowed as arguments")


def _check_percent(text: Any) -> None:
    if not isinstance(text, str):
        return
    for width, precision in _PERCENT_SPEC.findall(text):
        for number in (width, precision):
            if number.isdigit() and int(number) > MAX_OUTPUT:
                raise SecurityError(f"format widths above {MAX_OUTPUT} are not allowed")


def _check_replace(text: Any, new: Any) -> None:
    """``replace`` multiplies: bound its result from its operands before running it."""
    if isinstance(text, str) and len(text) * max(1, _weight(new)) > MAX_OUTPUT:
        raise _too_long()


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, Context | EvalContext | ImmutableSandboxedEnvironment)]
        if values:
            _check_weight(values[0])
            _check_numbers([*values[1:], *kwargs.values()])
        if name == "format" and values:
            _check_percent(values[0])
        if name == "replace" and len(values) > 2:
            _check_replace(values[0], values[2])
        if name == "indent" and values and isinstance(values[0], str):
            width = values[1] if len(values) > 1 else kwargs.get("width", 4)
            lines = values[0].count("\n") + 1
            if len(values[0]) + lines * (len(width) if isinstance(width, str) else int(width)) > MAX_OUTPUT:
                raise _too_long()
        return _check_length(func(*args, **kwargs))

    return bounded


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any):
        super().__init__(finalize=self._finalize, **options)
        self.budget = _Budget()
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    @staticmethod
    def _finalize(value: Any) -> Any:
        """Every ``{{ value }}`` passes here before it becomes text: nothing heavier than the bound prints."""
        _check_weight(value)
        return value

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float | Decimal) and abs(float(right)) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if repeated and _weight(seq) * count > MAX_OUTPUT:
                    raise _too_long()
        sequences = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
        if operator == "+" and sequences:
            _check_weight(left, right)
        if operator == "%":
            _check_percent(left)
            _check_numbers(right if isinstance(right, tuple | list) else [right])
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.step()
        _check_numbers([*args, *kwargs.values()])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            # A method of a string: its result grows at most with its operands, except replace's.
            _check_weight(owner, *args, *kwargs.values())
            if getattr(__obj, "__name__", "") == "replace" and len(args) > 1:
                _check_replace(owner, args[1])
        return _check_length(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> None:
        """``str.format`` hides widths inside its text, where they cannot be bounded beforehand."""
        if super().wrap_str_format(value) is not None:
            raise SecurityError("str.format is not available in recipes; use the format filter or %")
        return None

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """What every ``{% for %}`` iterates over: one step per item."""
        for item in iterable:
            self.budget.step()
            yield item

    def joined(self, *parts: Any) -> str:
        """What ``~`` compiles to: the parts' text, refused before joining when too long."""
        _check_weight(*parts)
        return "".join(str(part) for part in parts)

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        # Loops iterate through ``counted`` and ``~`` becomes a call of ``joined``, so both are bounded.
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [loop.iter], [], None, None)
        for concat in list(source.find_all(nodes.Concat)):
            joined = nodes.Call(nodes.EnvironmentAttribute("joined"), concat.nodes, [], None, None)
            _replace(source, concat, joined)
        return super()._generate(source, *args, **kwargs)


def _replace(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Put ``new`` where ``old`` stands in ``tree`` (Jinja nodes keep children in named fields)."""
    for parent in tree.find_all(nodes.Node):
        for field in parent.fields:
            value = getattr(parent, field, None)
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(item is old for item in value):
                setattr(parent, field, [new if item is old else item for item in value])
                return


class TemplateFailure(Exception):
    """A template that cannot be rendered; ``name`` is the undefined name, when that was the cause."""

    def __init__(self, message: str, name: str | None = None):
        self.message = message
        self.name = name
        super().__init__(message)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


_SIMPLE_PART = re.compile(r"\{\{ ?([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))? ?\}\}")
_JINJA_WORDS = frozenset(
    {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else"}
)
_PLAIN_VALUES = (str, int, Decimal)
Simple = tuple[str | tuple[str, str | None], ...]
"""A template of text and plain substitutions: text parts as they are, ``(name, attribute)`` for
``{{ name }}`` and ``{{ name.attribute }}``."""


def simple_parts(text: str) -> Simple | None:
    """``text`` split into text and plain substitutions, or None when it holds anything else (filters,
    tests, statements, comments, whitespace control, other spacing): such a template goes to Jinja."""
    parts: list[str | tuple[str, str | None]] = []
    position = 0
    for match in _SIMPLE_PART.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        name, attribute = match[1], match[2]
        if name in _JINJA_WORDS or attribute in _JINJA_WORDS:
            return None
        parts.append((name, attribute))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    if any(isinstance(p, str) and ("{" in p or "}" in p or "\r" in p) for p in parts):
        return None
    return tuple(parts)


def _plain_value(context: Mapping[str, Any], name: str, attribute: str | None) -> str | None:
    """The text Jinja would print for one substitution, or None when only Jinja can say (a missing
    name, a value that is not plain text or a number, an attribute that is a method of a mapping)."""
    value = context.get(name, missing)
    if attribute is not None:
        if type(value) not in (dict, Namespace) or hasattr(value, attribute):
            return None
        value = value.get(attribute, missing)
    if type(value) not in _PLAIN_VALUES:
        return None
    try:
        shown = str(value)
    except ValueError:  # an integer too long to print: Jinja says so
        return None
    return shown if len(shown) <= MAX_OUTPUT else None


class Templates:
    """Renders recipe templates.

    A template of text and plain substitutions (``{{ Size }}``, ``{{ vars.currency }}``) is rendered here
    directly when every name it uses holds text or a number: Jinja (no autoescape, ``finalize`` only
    weighing the value) would print exactly ``str(value)`` for each, so the result is the same and no
    compile is paid for a template written once per product. Anything else, and every failure (so
    every error message), goes through Jinja; compiled templates are kept by source.
    """

    def __init__(self) -> None:
        self._env = _Environment(undefined=_Undefined, autoescape=False, keep_trailing_newline=True)
        for name in ("range", "lipsum", "cycler", "joiner"):
            self._env.globals.pop(name, None)
        self._compiled: dict[str, Template] = {}
        self._simple: dict[str, Simple | None] = {}
        self._slow_seconds = 0.0

    def _render_simple(self, text: str, context: Mapping[str, Any]) -> str | None:
        """The rendered text of a simple template, or None when Jinja must render it."""
        parts = self._simple.get(text, missing)
        if parts is missing:
            if len(self._simple) >= MAX_KEPT:
                self._simple.clear()
            parts = self._simple[text] = simple_parts(text)
        if parts is None:
            return None
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            shown = _plain_value(context, *part)
            if shown is None:
                return None
            out.append(shown)
        result = "".join(out)
        return result if len(result) <= MAX_OUTPUT else None

    def render(self, text: str, context: Mapping[str, Any]) -> str:
        """The rendered text; raises :class:`TemplateFailure` with a message fit for the recipe's author."""
        if not is_template(text):
            return text
        if self._slow_seconds > MAX_SLOW_SECONDS:
            raise TemplateFailure(f"not rendered: templates already took more than {MAX_SLOW_SECONDS:g} s")
        simple = self._render_simple(text, context)
        if simple is not None:
            return simple
        started = time.monotonic()
        try:
            template = self._compiled.get(text)
            if template is None:
                template = self._env.from_string(text)
                if len(self._compiled) >= MAX_KEPT:
                    self._compiled.clear()
                self._compiled[text] = template
            result = self._render(template, context)
        except TemplateSyntaxError as exc:
            raise TemplateFailure(f"template syntax error: {exc.message}") from None
        except SecurityError as exc:
            raise TemplateFailure(f"template is not allowed to do this: {exc}") from None
        except UndefinedError as exc:
            message = str(exc)
            found = _UNDEFINED_NAME.match(message)
            raise TemplateFailure(f"template uses an undefined name: {message}", found and found[1]) from None
        except RecursionError:
            raise TemplateFailure("template recursion is too deep (a macro that calls itself?)") from None
        except MemoryError:
            raise TemplateFailure("template needs too much memory") from None
        except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
            if "no loader" in str(exc):
                raise TemplateFailure("templates cannot include, import or extend other files") from None
            raise TemplateFailure(f"template failed: {exc}") from None
        finally:
            spent = time.monotonic() - started
            if spent > SLOW_RENDER:
                self._slow_seconds += spent
        return result

    def _render(self, template: Template, context: Mapping[str, Any]) -> str:
        """Render chunk by chunk, stopping at the first chunk past the size bound."""
        self._env.budget.start()
        chunks: list[str] = []
        size = 0
        for chunk in template.root_render_func(template.new_context(dict(context))):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateFailure(f"template renders more than {MAX_OUTPUT} characters")
            chunks.append(chunk)
        return "".join(chunks)
