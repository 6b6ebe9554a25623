"""Hostile recipes: each one ends quickly, in little memory, with one clear error at its place.

The corpus runs the real `shelf validate` in a child process under a memory limit and a time limit, so a
case that ran away would fail its test instead of the machine. Each case also names the error it must
give, so a bound that stops the wrong thing (a traceback, a crash) fails too.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.documents.strict_yaml import MAX_ALIASED_VALUES, load_yaml
from engine.recipes.templates import MAX_OUTPUT, MAX_STEPS, TemplateFailure, Templates

MEMORY_LIMIT = 300 * 1024 * 1024
TIME_LIMIT = 5.0

PRODUCT = """\
products:
  - key: p
    title: {title}
    price: 10
"""


def _template(expression: str) -> str:
    return PRODUCT.format(title=_quoted(expression))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    """``make`` writes the case into a fresh repository; ``error`` must be in what validate prints."""

    name: str
    make: Callable[[Path], None]
    error: str


def _recipe(text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / "recipes").mkdir(parents=True, exist_ok=True)
        (root / "recipes" / "r.yaml").write_text(text)

    return make


def _recipe_bytes(data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / "recipes").mkdir(parents=True, exist_ok=True)
        (root / "recipes" / "r.yaml").write_bytes(data)

    return make


def _config(text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        _recipe(PRODUCT.format(title="T"))(root)
        (root / "shelf.yaml").write_text(text)

    return make


def _fifo_image(root: Path) -> None:
    _recipe(PRODUCT.format(title="T") + "    images: [pipe.png]\n")(root)
    os.mkfifo(root / "recipes" / "pipe.png")


def _fifo_recipe(root: Path) -> None:
    (root / "recipes").mkdir()
    (root / "shelf.yaml").write_text("recipes: [recipes/pipe.yaml]\n")
    os.mkfifo(root / "recipes" / "pipe.yaml")


def _huge_recipe(root: Path) -> None:
    (root / "recipes").mkdir()
    with (root / "recipes" / "r.yaml").open("wb") as stream:
        stream.write(b"products:\n  - key: p\n    title: T\n    price: 10\n    description: ")
        stream.truncate(40 * 1024 * 1024)


NESTED_LOOPS = "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}"
DOUBLING = "{% set x = 'a' * 1000 %}" + "{% set x = x ~ x %}" * 30 + "{{ x }}"
BRANCHING_MACRO = (
    "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
)
HEAVY_LIST = "{% set s = 'a' * 100000 %}{% set l = [s, s] %}" + "{% set l = [l, l] %}" * 25 + "{{ l }}"

RECURSIVE_MACRO = "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"
REPLACE_GROWTH = "{% set s = 'a' * 100000 %}{{ s | replace('a', s) }}"
JOIN_GROWTH = "{% set s = ['a' * 100000] %}{{ (s * 100000) | join }}"
LONGER = f"results longer than {MAX_OUTPUT}"

CASES = [
    Case("yaml-alias-bomb-in-recipe", _recipe(_bomb() + "products: *a9\n"), "aliases repeat more than"),
    Case("yaml-alias-bomb-in-config", _config(_bomb() + "targets: *a9\n"), "aliases repeat more than"),
    Case("yaml-python-object-tag", _recipe("products: !!python/object:os.system {a: 1}\n"), "YAML tag"),
    Case("yaml-python-name-tag", _recipe("products:\n  - !!python/name:os.system\n"), "unsupported YAML tag"),
    Case("yaml-deep-flow-nesting", _recipe("products: " + "[" * 5000 + "]" * 5000 + "\n"), "nesting depth"),
    Case("template-nested-loops", _recipe(_template(NESTED_LOOPS)), f"more than {MAX_STEPS} loop steps"),
    Case("template-concat-doubling", _recipe(_template(DOUBLING)), LONGER),
    Case("template-center", _recipe(_template("{{ 'x' | center(10**9) }}")), "numbers above"),
    Case("template-format-width", _recipe(_template("{{ '%01000000000d' | format(5) }}")), "format widths"),
    Case("template-percent-width", _recipe(_template("{{ '%01000000000d' % 5 }}")), "format widths"),
    Case("template-str-format", _recipe(_template("{{ '{:>1000000000}'.format(1) }}")), "str.format"),
    Case("template-recursive-macro", _recipe(_template(RECURSIVE_MACRO)), "recursion"),
    Case("template-branching-macro", _recipe(_template(BRANCHING_MACRO)), "template is not allowed"),
    Case("template-replace-growth", _recipe(_template(REPLACE_GROWTH)), LONGER),
    Case("template-join-growth", _recipe(_template(JOIN_GROWTH)), LONGER),
    Case("template-heavy-list", _recipe(_template(HEAVY_LIST)), LONGER),
    Case("image-is-a-fifo", _fifo_image, "not a regular file"),
    Case("recipe-is-a-fifo", _fifo_recipe, "not a regular file"),
    Case("recipe-too-large", _huge_recipe, "split it into several files"),
    Case("recipe-invalid-utf8", _recipe_bytes(b"products:\n  - key: p\n    title: \xff\xfe\n"), "not UTF-8"),
    Case("recipe-nul-byte", _recipe_bytes(b"products:\n  - key: p\n    title: a\x00b\n"), "r.yaml:"),
]


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT + 200 * 1024 * 1024,) * 2)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_recipe_is_bounded_and_clear(case: Case, tmp_path: Path) -> None:
    case.make(tmp_path)
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(
        [sys.executable, "-m", "engine", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT + 10,
        preexec_fn=_limits,
        env={**os.environ, "NO_COLOR": "1"},
    )
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert run.returncode == 1, run.stderr
    assert case.error in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert (used.ru_utime + used.ru_stime) - (started.ru_utime + started.ru_stime) < TIME_LIMIT
    assert used.ru_maxrss * 1024 < MEMORY_LIMIT


# --- the bounds, in-process --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "TEE-{{ Size }}-{{ Color | upper }}",
        "{{ Size ~ '-' ~ Color }}",
        "{% for c in Color %}{{ c }}{% endfor %}",
        "{{ '%05.2f' % 3.14159 }}",
        "{{ Color | replace('l', 'L') }}",
        "{{ Color | center(9) }}",
    ],
)
def test_honest_templates_render_as_before(text: str) -> None:
    rendered = Templates().render(text, {"Size": "S", "Color": "Black"})
    assert rendered and len(rendered) < 40


def test_output_past_the_bound_is_refused() -> None:
    with pytest.raises(TemplateFailure, match=f"more than {MAX_OUTPUT} characters"):
        Templates().render("{% set s = 'a' * 60000 %}{{ s }}{{ s }}", {})


def test_slow_templates_stop_the_whole_load_in_seconds() -> None:
    """Many items each holding an expensive template do not add up to minutes."""
    templates = Templates()
    failures = []
    for _ in range(20):
        with pytest.raises(TemplateFailure) as caught:
            templates.render(BRANCHING_MACRO, {})
        failures.append(caught.value.message)
    assert failures[-1].startswith("not rendered: templates already took more than")


def test_aliases_under_the_bound_still_work() -> None:
    text = textwrap.dedent(
        """\
        defaults: &d {price: 10, stock: 5}
        products:
          - {key: a, <<: *d}
          - {key: b, <<: *d}
        """
    )
    value, problems = load_yaml(text, "r.yaml")
    assert problems == []
    assert value["products"][1]["price"] == 10


def test_an_alias_bomb_is_one_error_at_the_alias() -> None:
    value, problems = load_yaml(_bomb(), "r.yaml")
    assert value is None
    # The anchor whose aliases crossed the bound: ``a3`` (each alias of it repeats 11,111 values).
    assert [str(p.source) for p in problems] == ["r.yaml:4:5"]
    assert problems[0].message.startswith(f"aliases repeat more than {MAX_ALIASED_VALUES} values")
