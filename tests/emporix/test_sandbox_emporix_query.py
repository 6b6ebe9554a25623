"""The ``q`` parameter and language negotiation of the Emporix sandbox, as pure functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.sandbox.emporix.errors import EmporixError
from engine.sandbox.emporix.i18n import shown, written
from engine.sandbox.emporix.q import QueryError, parse_q

DOCS: list[dict[str, Any]] = [
    {
        "id": "a",
        "code": "TEE-S",
        "name": {"en": "Yoghurt im Glas", "de": "Joghurt"},
        "published": True,
        "mixins": {"attrs": {"max": 20}},
        "refIds": [{"id": "p1", "type": "PRODUCT"}],
        "metadata": {"createdAt": "2021-05-19T07:27:27.455Z"},
        "price": Decimal("10.50"),
    },
    {
        "id": "b",
        "code": "AB CD",
        "name": {"en": "Cup"},
        "published": False,
        "mixins": {"attrs": {"max": 5}},
        "refIds": [{"id": "p2", "type": "CATEGORY"}],
        "metadata": {"createdAt": "2021-05-21T07:27:27.455Z"},
        "description": None,
    },
]


def matching(q: str) -> list[str]:
    match = parse_q(q)
    return [d["id"] for d in DOCS if match(d)]


@pytest.mark.parametrize(
    ("q", "ids"),
    [
        ("code:TEE-S", ["a"]),
        ('code:"AB CD"', ["b"]),
        ("name.de:Joghurt", ["a"]),
        ("name:Cup", ["b"]),
        ("id:(a,b)", ["a", "b"]),
        ('id:("b")', ["b"]),
        ("mixins.attrs.max:20", ["a"]),
        ("mixins.attrs.max:>5", ["a"]),
        ("mixins.attrs.max:<=5", ["b"]),
        ("mixins.attrs.max:(>=10 AND <=20)", ["a"]),
        ('metadata.createdAt:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")', ["a"]),
        ("published:true", ["a"]),
        ("description:null", ["a", "b"]),
        ("mixins.attrs:exists", ["a", "b"]),
        ("price:missing", ["b"]),
        ("price:10.5", ["a"]),
        ("code:~^TEE", ["a"]),
        ("code:(~AB CD)", ["b"]),
        ("name.en:~(Yoghurt im)", ["a"]),
        ("refIds.id:p2", ["b"]),
        ("refIds.type:PRODUCT published:true", ["a"]),
        ("refIds.type:PRODUCT published:false", []),
        ("compoundLogicalQuery:((code:TEE-S) OR (id:b))", ["a", "b"]),
        (
            "compoundLogicalQuery:(((code:TEE-S) AND (published:true)) OR ((id:b) AND (published:true)))",
            ["a"],
        ),
    ],
)
def test_q_forms(q: str, ids: list[str]) -> None:
    assert matching(q) == ids


@pytest.mark.parametrize(
    "q",
    [
        "code",
        "code:(a",
        ":x",
        "code:~(",
        "compoundLogicalQuery:(code:a)",
        "compoundLogicalQuery:((a:b) OR (c:d) AND (e:f))",
        "",
    ],
)
def test_unreadable_q_is_an_error(q: str) -> None:
    with pytest.raises(QueryError):
        parse_q(q)


def test_written_languages() -> None:
    languages = ("en", "de")
    assert written("name", {"en": "A"}, ["*"], languages) == ({"en": "A"}, True)
    assert written("name", "B", ["de"], languages) == ({"de": "B"}, False)
    assert written("name", "C", None, languages) == ({"en": "C"}, False)
    assert written("name", "D", ["de-CH"], languages) == ({"de": "D"}, False)
    for value, header in (("E", ["*"]), ({"en": "F"}, ["en"]), ({"fr": "G"}, None), ("H", ["fr"])):
        with pytest.raises(EmporixError) as caught:
            written("name", value, header, languages)
        assert caught.value.status == 400


def test_shown_languages() -> None:
    value = {"en": "Cup", "de": "Tasse"}
    assert shown(value, ["*"], "en") == value
    assert shown(value, ["fr", "de"], "en") == "Tasse"
    assert shown(value, ["de-AT"], "en") == "Tasse"
    assert shown(value, ["fr"], "en") == "Cup"
    assert shown(value, None, "de") == "Tasse"
    assert shown({"it": "Tazza"}, None, "en") == "Tazza"
    assert shown({}, None, "en") is None
