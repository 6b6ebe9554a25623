"""Hostile recipes: each one ends quickly, in little memory, with one clear error at its place.

The corpus runs the real `shelf validate` in a child process under a memory limit and a time limit, so a
case that ran away would fail its test instead of the machine. Each case also names the error it must
give, so a bound that stops the wrong thing (a traceback, a crash) fails too.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.documents.strict_yaml import MAX_ALIASED_VALUES, MAX_PROBLEMS, MAX_TEXT, load_yaml
from engine.recipes.templates import MAX_OUTPUT, MAX_STEPS, TemplateFailure, Templates

from support import shelf

SUMMARY = re.compile(r"^error: \d+ errors")
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
    """``make`` writes the case into a fresh repository; ``error`` must be in what validate prints, and
    ``where`` (the place: ``file:line:col`` or the path) too."""

    name: str
    make: Callable[[Path], None]
    error: str
    where: str = "recipes/r.yaml:"
    args: tuple[str, ...] = ()
    most: int = 1


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


def _config_bytes(data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        _recipe(PRODUCT.format(title="T"))(root)
        (root / "shelf.yaml").write_bytes(data)

    return make


def _field(name: str, value: str) -> Callable[[Path], None]:
    """A product whose ``name`` is written as ``value`` (YAML text), the rest honest."""
    fields = {"key": "p", "title": "T", "price": "10", name: value}
    return _recipe("products:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items()) + "\n")


def _with_image(path: str, link_to: str | None = None, folder: bool = False) -> Callable[[Path], None]:
    """A product naming ``path`` as its image; with ``link_to``, ``path`` is a symlink to it."""

    def make(root: Path) -> None:
        _recipe(PRODUCT.format(title="T") + f"    images: [{_quoted(path)}]\n")(root)
        if link_to is not None:
            target = link_to.replace("{root}", str(root))
            (root / "recipes" / path).symlink_to(target, target_is_directory=folder)

    return make


def _with_file(path: str) -> Callable[[Path], None]:
    return _recipe(PRODUCT.format(title="T") + f"    digital: true\n    files: [{_quoted(path)}]\n")


def _recipes_entry(entry: str) -> Callable[[Path], None]:
    return _config(f"recipes: [{_quoted(entry)}]\n")


def _recipe_link(link_to: str, *, honest: bool = True) -> Callable[[Path], None]:
    """``recipes/linked.yaml`` a symlink to ``link_to`` (beside an honest recipe, unless not ``honest``)."""

    def make(root: Path) -> None:
        (root / "recipes").mkdir()
        if honest:
            _recipe(PRODUCT.format(title="T"))(root)
        (root / "recipes" / "linked.yaml").symlink_to(link_to.replace("{root}", str(root)))

    return make


def _fifo_image(root: Path) -> None:
    _recipe(PRODUCT.format(title="T") + "    images: [pipe.png]\n")(root)
    os.mkfifo(root / "recipes" / "pipe.png")


def _fifo_recipe(root: Path) -> None:
    (root / "recipes").mkdir()
    (root / "shelf.yaml").write_text("recipes: [recipes/pipe.yaml]\n")
    os.mkfifo(root / "recipes" / "pipe.yaml")


def _fifo_in_recipes_folder(root: Path) -> None:
    _recipe(PRODUCT.format(title="T"))(root)
    os.mkfifo(root / "recipes" / "pipe.yaml")


def _fifo_config(root: Path) -> None:
    _recipe(PRODUCT.format(title="T"))(root)
    os.mkfifo(root / "fifo.yaml")


def _huge_recipe(root: Path) -> None:
    (root / "recipes").mkdir()
    with (root / "recipes" / "r.yaml").open("wb") as stream:
        stream.write(b"products:\n  - key: p\n    title: T\n    price: 10\n    description: ")
        stream.truncate(40 * 1024 * 1024)


def _sparse_recipe(root: Path) -> None:
    (root / "recipes").mkdir()
    with (root / "recipes" / "r.yaml").open("wb") as stream:
        stream.truncate(1 << 40)


def _huge_config(root: Path) -> None:
    _recipe(PRODUCT.format(title="T"))(root)
    (root / "shelf.yaml").write_text("# " + "x" * (2 * 1024 * 1024) + "\nrecipes: [recipes]\n")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")  # with its byte order mark


def _alias_bomb_of_maps(levels: int = 9) -> str:
    lines = ["m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}"]
    for i in range(1, levels + 1):
        lines.append(f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(10)) + "}")
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int = 9) -> str:
    """Each level merges ten copies of the last and adds a key, so every level is bigger than the last."""
    lines = ["m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}"]
    for i in range(1, levels + 1):
        lines.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 10) + f"], n{i}: *m{i - 1}}}")
    return "\n".join(lines) + "\n"


def _wide_anchor() -> str:
    wide = "[" + ", ".join(["lol"] * 20_000) + "]"
    return f"w: &w {wide}\nproducts: [" + ", ".join(["*w"] * 100) + "]\n"


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
UNSAFE = "template is not allowed to do this"
LONG = "x" * 10_000
OUTSIDE = "is outside the catalog repository"

CASES = [
    # --- YAML bombs: aliases, merges, wide and deep anchors ------------------------------------------
    Case("yaml-alias-bomb-in-recipe", _recipe(_bomb() + "products: *a9\n"), "aliases repeat more than"),
    Case("yaml-alias-bomb-in-config", _config(_bomb() + "targets: *a9\n"), "aliases repeat more than",
         "shelf.yaml:"),
    Case("yaml-alias-bomb-in-config-vars",
         _config(_bomb() + "targets:\n  s: {platform: xpage, sandbox: true, vars: {x: *a9}}\n"),
         "aliases repeat more than", "shelf.yaml:"),
    Case("yaml-alias-bomb-of-mappings", _recipe(_alias_bomb_of_maps() + "products: [*m9]\n"),
         "aliases repeat more than"),
    Case("yaml-merge-key-bomb", _recipe(_merge_bomb() + "products: [*m9]\n"), "aliases repeat more than"),
    Case("yaml-wide-anchor", _recipe(_wide_anchor()), "aliases repeat more than"),
    Case("yaml-alias-bomb-in-template-field",
         _recipe(_bomb() + "products:\n  - key: p\n    title: *a9\n    price: 10\n"),
         "aliases repeat more than"),
    Case("yaml-alias-to-itself", _recipe("products: &p [*p]\n"), "alias", "recipes/r.yaml:1:"),
    Case("yaml-undefined-alias", _recipe("products: [*nowhere]\n"), "alias", "recipes/r.yaml:1:"),
    # --- tags that are not plain YAML ----------------------------------------------------------------
    Case("yaml-python-object-tag", _recipe("products: !!python/object:os.system {a: 1}\n"), "YAML tag"),
    Case("yaml-python-name-tag", _recipe("products:\n  - !!python/name:os.system\n"), "unsupported YAML tag"),
    Case("yaml-python-apply-tag-on-list",
         _recipe("products: !!python/object/apply:os.system [echo]\n"), "unsupported YAML tag"),
    Case("yaml-binary-tag", _field("title", "!!binary aGVsbG8="), "unsupported YAML tag"),
    Case("yaml-set-tag", _recipe("products: !!set {a, b}\n"), "unsupported YAML tag"),
    Case("yaml-local-tag-in-config", _config("recipes: !include secrets.yaml\n"), "unsupported YAML tag",
         "shelf.yaml:1:"),
    # --- deep nesting ---------------------------------------------------------------------------------
    Case("yaml-deep-flow-nesting", _recipe("products: " + "[" * 5000 + "]" * 5000 + "\n"), "nesting depth"),
    Case("yaml-deep-flow-lists-10k", _recipe("products: " + "[" * 10_000 + "]" * 10_000 + "\n"),
         "nesting depth"),
    Case("yaml-deep-flow-maps-10k", _recipe("products: " + "{a: " * 10_000 + "b" + "}" * 10_000 + "\n"),
         "nesting depth"),
    Case("yaml-deep-block-lists-10k", _recipe("products:\n" + "- " * 10_000 + "x\n"), "nesting depth"),
    Case("yaml-deep-nesting-in-config", _config("vars: " + "[" * 10_000 + "]" * 10_000 + "\n"),
         "nesting depth", "shelf.yaml:"),
    # --- templates: bounded work and size -------------------------------------------------------------
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
    Case("template-string-times-billion", _recipe(_template("{{ 'a' * 10**9 }}")), LONGER),
    Case("template-huge-power", _recipe(_template("{{ 9 ** 999999 }}")), "exponent above"),
    Case("template-ljust-method", _recipe(_template("{{ 'x'.ljust(10**9) }}")), "numbers above"),
    Case("template-range-is-absent", _recipe(_template("{% for i in range(10) %}{% endfor %}")),
         "'range' is undefined"),
    # --- templates: sandbox breakouts -------------------------------------------------------------------
    Case("template-dunder-class", _recipe(_template("{{ ''.__class__.__mro__ }}")), UNSAFE),
    Case("template-subclasses",
         _recipe(_template("{{ ''.__class__.__mro__[1].__subclasses__() }}")), UNSAFE),
    Case("template-cycler-globals", _recipe(_template("{{ cycler.__init__.__globals__.os }}")), "unsafe"),
    Case("template-lipsum-globals", _recipe(_template("{{ lipsum.__globals__['os'] }}")),
         "'lipsum' is undefined"),
    Case("template-self-context", _recipe(_template("{{ self._TemplateReference__context }}")), UNSAFE),
    Case("template-attr-filter", _recipe(_template("{{ ''|attr('__class__') }}")), UNSAFE),
    Case("template-format-attribute", _recipe(_template("{{ '{0.__class__}'.format(1) }}")), "str.format"),
    Case("template-mutate-list", _recipe(_template("{% set l = [] %}{{ l.append(1) }}")), UNSAFE),
    Case("template-include-file", _recipe(_template("{% include '/etc/passwd' %}")),
         "cannot include, import or extend"),
    Case("template-import-file", _recipe(_template("{% import '../shelf.yaml' as c %}{{ c }}")),
         "cannot include, import or extend"),
    Case("template-extends-file", _recipe(_template("{% extends 'r.yaml' %}")),
         "cannot include, import or extend"),
    Case("template-environment", _recipe(_template("{{ environ }}")), "'environ' is undefined"),
    # --- paths: traversal, symlinks, devices, FIFOs --------------------------------------------------
    Case("image-is-a-fifo", _fifo_image, "not a regular file"),
    Case("recipe-is-a-fifo", _fifo_recipe, "not a regular file", "recipes/pipe.yaml"),
    Case("recipe-folder-holds-a-fifo", _fifo_in_recipes_folder, "not a regular file", "recipes/pipe.yaml"),
    Case("config-is-a-fifo", _fifo_config, "not a regular file", "fifo.yaml", ("-c", "fifo.yaml")),
    Case("config-is-dev-zero", _recipe(PRODUCT.format(title="T")), "not a regular file", "/dev/zero",
         ("-c", "/dev/zero")),
    Case("image-traversal", _with_image("../../etc/passwd"), OUTSIDE),
    Case("image-absolute", _with_image("/etc/passwd"), "must be a path relative to the recipe file"),
    Case("image-home", _with_image("~/.ssh/id_rsa"), "does not exist"),
    Case("image-dev-zero", _with_image("/dev/zero"), "must be a path relative to the recipe file"),
    Case("image-dev-urandom-link", _with_image("noise.png", "/dev/urandom"), "outside the catalog"),
    Case("image-symlink-out", _with_image("passwd.png", "/etc/passwd"), "outside the catalog"),
    Case("image-symlink-loop", _with_image("loop.png", "{root}/recipes/loop.png"), "symlink that loops"),
    Case("image-dangling-symlink", _with_image("gone.png", "{root}/recipes/nowhere.png"), "does not exist"),
    Case("file-traversal", _with_file("../../etc/shadow"), OUTSIDE),
    Case("recipes-path-traversal", _recipes_entry("../../../.."), "outside the catalog repository",
         "shelf.yaml:1:"),
    Case("recipes-path-absolute", _recipes_entry("/etc"), "outside the catalog repository", "shelf.yaml:1:"),
    Case("recipes-path-home", _recipes_entry("~/recipes"), "does not exist", "shelf.yaml:1:"),
    Case("recipes-path-dev-urandom", _recipes_entry("/dev/urandom"), "outside the catalog repository",
         "shelf.yaml:1:"),
    Case("recipe-symlink-out", _recipe_link("/etc/passwd"), "outside the catalog repository",
         "recipes/linked.yaml"),
    Case("recipe-symlink-loop", _recipe_link("{root}/recipes/linked.yaml"), "linked.yaml",
         "recipes/linked.yaml"),
    Case("recipe-dangling-symlink", _recipe_link("{root}/recipes/gone.yaml"), "leads nowhere",
         "recipes/linked.yaml"),
    Case("recipe-symlink-to-dev-zero", _recipe_link("/dev/zero"), "outside the catalog repository",
         "recipes/linked.yaml"),
    # --- huge files, lines and scalars --------------------------------------------------------------
    Case("recipe-too-large", _huge_recipe, "split it into several files", "recipes/r.yaml"),
    Case("recipe-sparse-terabyte", _sparse_recipe, "split it into several files", "recipes/r.yaml"),
    Case("config-too-large", _huge_config, "split it into several files", "shelf.yaml"),
    Case("recipe-huge-scalar", _field("description", "|\n      " + "x" * (12 * 1024 * 1024)),
         f"values hold at most {MAX_TEXT}", "recipes/r.yaml:5:"),
    Case("recipe-huge-line", _field("description", "x" * (12 * 1024 * 1024)),
         f"values hold at most {MAX_TEXT}", "recipes/r.yaml:5:"),
    Case("recipe-many-documents", _recipe("products: []\n---\n" * 10_000), "document", "recipes/r.yaml:2:"),
    # --- bytes that are not text ------------------------------------------------------------------------
    Case("recipe-invalid-utf8", _recipe_bytes(b"products:\n  - key: p\n    title: \xff\xfe\n"), "not UTF-8"),
    Case("recipe-utf16-bom", _recipe_bytes(_utf16(PRODUCT.format(title="T"))), "not UTF-8",
         "recipes/r.yaml:1:"),
    Case("config-invalid-utf8", _config_bytes(b"recipes: [\xc3\x28]\n"), "not UTF-8", "shelf.yaml:1:"),
    Case("recipe-nul-byte", _recipe_bytes(b"products:\n  - key: p\n    title: a\x00b\n"), "r.yaml:"),
    Case("config-nul-byte", _config_bytes(b"recipes: [rec\x00ipes]\n"), "U+0000", "shelf.yaml:1:14"),
    Case("recipe-escape-sequence", _recipe_bytes(b"products:\n  - key: p\n    title: \x1b[2J\n"),
         "U+001B", "recipes/r.yaml:3:12"),
    Case("recipe-lone-surrogate", _field("title", '"\\ud800"'), "invalid Unicode", "recipes/r.yaml:3:"),
    Case("recipe-tab-indent", _recipe("products:\n\t- key: p\n"), "tab", "recipes/r.yaml:2:1"),
    # --- absurd numbers --------------------------------------------------------------------------------
    Case("price-1e400", _field("price", "1e400"), "out of range", "recipes/r.yaml:4:"),
    Case("price-tiny-exponent", _field("price", "1e-400"), "out of range", "recipes/r.yaml:4:"),
    Case("price-huge-exponent", _field("price", "1e999999999"), "out of range", "recipes/r.yaml:4:"),
    Case("price-400-digit-int", _field("price", "1" + "0" * 400), "out of range", "recipes/r.yaml:4:"),
    Case("price-5000-digit-int", _field("price", "9" * 5000), "out of range", "recipes/r.yaml:4:"),
    Case("price-negative", _field("price", "-0.01"), "at least 0", "recipes/r.yaml:4:"),
    Case("price-nan", _field("price", ".nan"), "price", "recipes/r.yaml:4:"),
    Case("price-inf", _field("price", ".inf"), "price", "recipes/r.yaml:4:"),
    Case("price-hex", _field("price", "0x1F"), "price", "recipes/r.yaml:4:"),
    Case("price-octal", _field("price", "0o17"), "price", "recipes/r.yaml:4:"),
    Case("stock-negative", _field("stock", "-1"), "stock", "recipes/r.yaml:5:"),
    Case("stock-huge", _field("stock", "1" + "0" * 400), "out of range", "recipes/r.yaml:5:"),
    Case("stock-fraction", _field("stock", "1.5"), "stock", "recipes/r.yaml:5:"),
    Case("config-concurrency-huge", _config("targets:\n  s: {platform: xpage, sandbox: true, concurrency: "
                                            + "9" * 5000 + "}\n"), "out of range", "shelf.yaml:2:"),
    # --- long keys and values, duplicates -----------------------------------------------------------
    Case("field-name-10k", _field(LONG, "1"), "YAML syntax error", "recipes/r.yaml:5:"),
    Case("field-name-10k-explicit", _recipe(PRODUCT.format(title="T") + f"    ? {LONG}\n    : 1\n"),
         "keys hold at most", "recipes/r.yaml:5:"),
    Case("key-10k", _recipe(f"products:\n  - key: {LONG}\n    title: T\n    price: 1\n"), "200 characters",
         "recipes/r.yaml:2:"),
    Case("sku-10k", _field("sku", LONG), "'sku' must be at most 200 characters", "recipes/r.yaml:5:"),
    Case("title-10k-language", _field("title", "{? " + LONG + ": T}"), "keys hold at most",
         "recipes/r.yaml:3:"),
    Case("duplicate-key", _recipe("products:\n  - key: p\n    title: T\n    title: U\n    price: 1\n"),
         "duplicate key 'title'", "recipes/r.yaml:4:5"),
    Case("duplicate-key-in-config", _config("recipes: [recipes]\nrecipes: [other]\n"),
         "duplicate key 'recipes'", "shelf.yaml:2:1"),
    Case("ten-thousand-duplicate-keys", _recipe("products: []\n" + "products: []\n" * 10_000),
         "duplicate key 'products'", "recipes/r.yaml:2:1", most=MAX_PROBLEMS + 1),
]


def test_the_corpus_is_large_and_its_names_distinct() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@dataclass(frozen=True)
class Child:
    """What one ``shelf validate`` in a child process did, measured by the kernel for that child alone."""

    code: int
    stderr: str
    cpu_seconds: float
    wall_seconds: float
    max_rss: int


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT + 200 * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (int(TIME_LIMIT) * 2,) * 2)


def _validate_in_child(root: Path, args: tuple[str, ...]) -> Child:
    """``shelf [args] validate`` under memory and CPU limits; ``os.wait4`` gives this child's own usage
    (``RUSAGE_CHILDREN`` would mix in every earlier child of the test process)."""
    with (root / ".stderr").open("w+") as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "engine", *args, "validate"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=_limits,
            env={**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""},
        )
        killer = threading.Timer(TIME_LIMIT * 4, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        err.seek(0)
        stderr = err.read()
    return Child(child.returncode, stderr, usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss * 1024)


def _errors(stderr: str) -> list[str]:
    """The error lines, without the count that closes a list of several."""
    return [line for line in stderr.splitlines() if line.startswith("error") and not SUMMARY.match(line)]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_bounded_and_clear(case: Case, tmp_path: Path) -> None:
    case.make(tmp_path)
    run = _validate_in_child(tmp_path, case.args)
    assert run.code == 1, run.stderr
    errors = _errors(run.stderr)
    assert 1 <= len(errors) <= case.most, run.stderr[:3000]
    assert case.error in errors[0], errors[0][:3000]
    assert case.where in errors[0], errors[0][:3000]
    assert len(errors[0]) < 1000, "an error repeats what it was given: " + errors[0][:300]
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert run.cpu_seconds < TIME_LIMIT and run.wall_seconds < TIME_LIMIT * 3
    assert run.max_rss < MEMORY_LIMIT


QUICK = [
    "yaml-alias-bomb-in-recipe", "yaml-python-object-tag", "yaml-deep-flow-maps-10k", "template-center",
    "template-format-width", "template-recursive-macro", "template-subclasses", "image-symlink-loop",
    "recipe-symlink-out", "recipe-escape-sequence", "price-5000-digit-int", "field-name-10k-explicit",
]


@pytest.mark.parametrize("name", QUICK)
def test_hostile_input_in_process(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A few cases of the corpus without a child process, so the default run guards the bounds too."""
    case = next(c for c in CASES if c.name == name)
    case.make(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    started = time.process_time()
    run = shelf(*case.args, "validate")
    assert time.process_time() - started < TIME_LIMIT
    assert run.exit_code == 1
    errors = _errors(run.stderr)
    assert len(errors) == 1 and case.error in errors[0] and case.where in errors[0], run.stderr


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
