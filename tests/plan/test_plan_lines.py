"""One field change as one line: element changes read as the list gaining, losing or reordering one."""

from __future__ import annotations

from engine.plan.lines import describe
from engine.plan.model import Action, Change, FieldChange


def _line(path: str, before: object, after: object, action: Action = Action.UPDATE) -> str:
    f = FieldChange(path, before, after)
    return describe(Change("product.tee", action, [f]), f)


def test_element_lines() -> None:
    assert _line("images[back.jpg]", None, {"ref": "images/back.jpg", "sha256": "ab"}) == "images: + back.jpg"
    removed = _line("images[back.jpg]", {"ref": "back.jpg", "alt": "Back"}, None)
    assert removed == 'images: - back.jpg alt "Back"'
    assert _line("images[front.jpg].alt", "Front", "Front view") == (
        'images[front.jpg].alt: "Front" -> "Front view"'
    )
    assert _line("images.order", ["front.jpg", "back.jpg"], ["back.jpg", "front.jpg"]) == (
        "images: order front.jpg, back.jpg -> back.jpg, front.jpg"
    )
    assert _line("options[Size][XL]", None, "XL") == "options[Size]: + XL"
    assert _line("options[Fit]", None, ["Slim", "Loose"]) == "options: + Fit: Slim, Loose"
    assert _line("options[Size].order", ["S", "M"], ["M", "S"]) == "options[Size]: order S, M -> M, S"
    assert _line("files[guide.pdf]", {"ref": "files/guide.pdf"}, None) == "files: - guide.pdf"


def test_other_lines() -> None:
    assert _line("variants.TEE-XL", None, {"sku": "TEE-XL", "price": "25.00"}) == (
        'variants: + TEE-XL {"sku": "TEE-XL", "price": "25.00"}'
    )
    assert _line("variants.TEE-L.price", "25.00", "27.00") == 'variants.TEE-L.price: "25.00" -> "27.00"'
    assert _line("properties.Fit", None, "Slim") == 'properties.Fit: (none) -> "Slim"'
    assert _line("title", None, "Tee", Action.CREATE) == 'title: "Tee"'
    assert _line("sku", "TEE-L", None, Action.DELETE) == 'sku: "TEE-L"'
