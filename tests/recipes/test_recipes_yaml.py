"""The strict YAML reader: YAML 1.2 scalars, exact decimals, source marks, duplicate keys, merges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.documents.strict_yaml import MDict, MList, YamlSyntaxError, load_yaml
from engine.errors import Source


def load(text: str) -> MDict:
    value, problems = load_yaml(text, "r.yaml")
    assert problems == []
    assert isinstance(value, MDict)
    return value


@pytest.mark.parametrize("word", ["no", "NO", "No", "yes", "on", "off", "y", "n", "Off"])
def test_yaml11_booleans_stay_text(word: str) -> None:
    assert load(f"v: {word}\n")["v"] == word


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("false", False), ("True", True), ("FALSE", False)]
)
def test_yaml12_booleans(text: str, value: bool) -> None:
    assert load(f"v: {text}\n")["v"] is value


@pytest.mark.parametrize("text", ["0123", "007", "0x1F", "0o17", "1_000", "+0123", "01.5"])
def test_numbers_with_leading_zeros_or_other_bases_stay_text(text: str) -> None:
    assert load(f"v: {text}\n")["v"] == text


def test_integers() -> None:
    doc = load("a: 0\nb: 123\nc: -7\n")
    assert (doc["a"], doc["b"], doc["c"]) == (0, 123, -7)
    assert all(type(v) is int for v in doc.values())


@pytest.mark.parametrize(
    ("text", "value"), [("25.10", "25.10"), ("19.99", "19.99"), ("0.1", "0.1"), ("1e3", "1E+3")]
)
def test_fractions_are_exact_decimals(text: str, value: str) -> None:
    parsed = load(f"v: {text}\n")["v"]
    assert isinstance(parsed, Decimal)
    assert parsed == Decimal(value)
    assert str(parsed) == value


def test_infinity_and_nan_stay_text() -> None:
    doc = load("a: .inf\nb: .nan\n")
    assert doc["a"] == ".inf" and doc["b"] == ".nan"


@pytest.mark.parametrize("text", ["2026-11-27", "2026-11-27T00:00:00Z", "2026-11-27 10:00:00"])
def test_dates_stay_text(text: str) -> None:
    assert load(f"v: {text}\n")["v"] == text


def test_nulls_and_quoted_text() -> None:
    doc = load("a:\nb: ~\nc: null\nd: 'null'\ne: \"123\"\n")
    assert doc["a"] is None and doc["b"] is None and doc["c"] is None
    assert doc["d"] == "null" and doc["e"] == "123"


def test_every_key_and_value_has_its_place() -> None:
    doc = load("products:\n  - key: tee\n    price: 25.00\n")
    assert doc.key_sources["products"] == Source("r.yaml", 1, 1)
    items = doc["products"]
    assert isinstance(items, MList)
    assert items.item_sources[0] == Source("r.yaml", 2, 5)
    item = items[0]
    assert item.source == Source("r.yaml", 2, 5)
    assert item.key_sources["price"] == Source("r.yaml", 3, 5)
    assert item.value_sources["price"] == Source("r.yaml", 3, 12)


def test_duplicate_key_names_both_places() -> None:
    value, problems = load_yaml("a: 1\nb: 2\na: 3\n", "r.yaml")
    assert value["a"] == 1
    [problem] = problems
    assert problem.source == Source("r.yaml", 3, 1)
    assert "duplicate key 'a'" in problem.message and "r.yaml:1:1" in problem.message


def test_anchors_aliases_and_merge_keys() -> None:
    doc = load(
        "base: &base {price: 25.00, stock: 10}\n"
        "tee:\n"
        "  <<: *base\n"
        "  stock: 5\n"
        "sizes: &sizes [S, M]\n"
        "again: *sizes\n"
    )
    assert doc["tee"] == {"price": Decimal("25.00"), "stock": 5}
    assert doc["tee"].value_sources["stock"] == Source("r.yaml", 4, 10)
    assert doc["tee"].value_sources["price"] == Source("r.yaml", 1, 21)
    assert doc["again"] == ["S", "M"]


def test_merge_keeps_the_position_of_merged_keys() -> None:
    doc = load("opts: &o {Size: [S], Color: [Black]}\np:\n  Fit: [Slim]\n  <<: *o\n  Cut: [Long]\n")
    assert list(doc["p"]) == ["Fit", "Size", "Color", "Cut"]


def test_recursive_alias_is_a_problem_not_a_crash() -> None:
    _, problems = load_yaml("a: &x [*x]\n", "r.yaml")
    assert problems and "refers to itself" in problems[0].message


def test_unsupported_tags_are_problems_and_end_the_reading() -> None:
    value, problems = load_yaml("a: !!python/object:os.system echo\nb: !!binary aGk=\n", "r.yaml")
    assert value is None
    assert [p.source.line for p in problems] == [1, 2]
    assert all("unsupported YAML tag" in p.message for p in problems)


def test_explicit_tags_that_do_not_fit_are_problems() -> None:
    _, problems = load_yaml("a: !!int twelve\n", "r.yaml")
    assert problems and "'twelve' is not a valid int" in problems[0].message


def test_syntax_error_has_a_place() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("a: [1, 2\nb: 3\n", "r.yaml")
    assert caught.value.problem.source.file == "r.yaml"
    assert caught.value.problem.source.line == 1  # the unclosed bracket, not where the parser noticed
    assert caught.value.problem.source.col == 4
    assert "YAML syntax error" in caught.value.problem.message
    assert "(noticed at line 2)" in caught.value.problem.message


def test_an_unclosed_quote_or_a_key_without_colon_points_at_its_own_line() -> None:
    for text, line in (('a: 1\nb: "two\nc: 3\n', 2), ("a: 1\nb two\nc: 3\n", 2), ("a:\n  b: 1\n c: 2\n", 3)):
        with pytest.raises(YamlSyntaxError) as caught:
            load_yaml(text, "r.yaml")
        assert caught.value.problem.source.line == line, (text, caught.value.problem)


def test_tab_indentation_is_named() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_yaml("a:\n\tb: 1\n", "r.yaml")
    assert caught.value.problem.source == Source("r.yaml", 2, 1)
    assert "tab" in caught.value.problem.message


def test_several_documents_are_refused() -> None:
    with pytest.raises(YamlSyntaxError):
        load_yaml("a: 1\n---\nb: 2\n", "r.yaml")


def test_empty_document() -> None:
    assert load_yaml("", "r.yaml") == (None, [])
    assert load_yaml("# only a comment\n", "r.yaml") == (None, [])


def test_keys_are_their_text() -> None:
    doc = load("1: a\ntrue: b\n0123: c\n")
    assert list(doc) == ["1", "true", "0123"]
