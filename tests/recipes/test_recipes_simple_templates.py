"""Templates rendered without Jinja give what Jinja gives, text and failures alike."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.recipes.templates import MAX_OUTPUT, Namespace, TemplateFailure, Templates, simple_parts


class JinjaOnly(Templates):
    """Every template through Jinja, as before there was another way."""

    def _render_simple(self, text: str, context: Mapping[str, Any]) -> str | None:
        return None


class Counting(Templates):
    def __init__(self) -> None:
        super().__init__()
        self.compiled = 0

    def _render(self, template: Any, context: Mapping[str, Any]) -> str:
        self.compiled = len(self._compiled)
        return super()._render(template, context)


TEXT = ["SKU-", "-", " ", "é", "\n", "a}", "{", "}}", "\r\n", "x{y", "{{", "%"]
SUBSTITUTIONS = [
    "{{ Size }}", "{{Size}}", "{{  Size }}", "{{ Size}}", "{{ vars.currency }}", "{{vars.currency}}",
    "{{ vars.items }}", "{{ vars.missing }}", "{{ missing }}", "{{ Color | upper }}", "{{ true }}",
    "{{ none }}", "{{ n }}", "{{ d }}", "{{ b }}", "{{ lst }}", "{{ options.Size }}", "{{ options.label }}",
    "{% if n %}x{% endif %}", "{# note #}", "{{- Size }}", "{{ big }}", "{{ huge }}", "{{ plain.k }}",
    "{{ plain.keys }}", "{{ Size.upper }}", "{{ range }}", "{{ loop }}", "{{ _x }}", "{{ vars._y }}",
]  # fmt: skip
CONTEXT = {
    "Size": "XL",
    "Color": "Black",
    "n": 38,
    "d": Decimal("25.10"),
    "b": True,
    "lst": ["a", "b"],
    "big": "x" * (MAX_OUTPUT - 3),
    "huge": 10**5000,
    "plain": {"k": "v"},
    "_x": "under",
    "vars": Namespace("vars", {"currency": "EUR", "_y": "z", "items": "not a method"}),
    "options": Namespace("options", {"Size": "XL", "Color": "Black"}),
}


def _outcome(templates: Templates, text: str) -> tuple[str, str | None]:
    try:
        return "ok", templates.render(text, CONTEXT)
    except TemplateFailure as exc:
        return exc.message, exc.name


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TEXT + SUBSTITUTIONS), min_size=1, max_size=6))
def test_recipes_simple_templates_render_as_jinja_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _outcome(Templates(), text) == _outcome(JinjaOnly(), text)


def test_recipes_simple_templates_cover_what_products_write() -> None:
    """The SKU, image and price templates a catalog writes per product are split, not compiled."""
    templates = Counting()
    for i in range(50):
        assert templates.render(f"ITEM-{i:03d}-{{{{ Size }}}}-{{{{ Color }}}}", CONTEXT) == (
            f"ITEM-{i:03d}-XL-Black"
        )
        assert templates.render("images/{{ options.Color }}.png", CONTEXT) == "images/Black.png"
    assert templates.compiled == 0
    assert not templates._compiled
    assert templates.render("{{ Color | lower }}", CONTEXT) == "black"
    assert len(templates._compiled) == 1
    assert simple_parts("a{{ b }}c{{ d.e }}") == ("a", ("b", None), "c", ("d", "e"))
    assert simple_parts("{{ b | upper }}") is None
    assert simple_parts("{{ true }}") is None
