"""`--only`/`--exclude` on the parts of a product, through the real CLI against the xPage sandbox: variants
by SKU select their product's change, and an image selected alone brings the product update that places
it, so that a saved plan applies exactly what it shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import sandbox_control, sandbox_db, shelf


def _plan(*args: str) -> dict[str, Any]:
    result = shelf("plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _addresses(document: dict[str, Any]) -> list[str]:
    return [c["address"] for c in document["changes"]]


def _applied_demo_with_edits(repo: Path) -> None:
    assert shelf("apply", "--auto-approve").exit_code == 0
    accessories = repo / "recipes" / "accessories.yaml"
    text = accessories.read_text()
    text = text.replace("price: 18.00", "price: 19.00").replace("price: 24.00", "price: 26.00")
    accessories.write_text(text)


def test_variant_addresses_select_and_exclude_their_products_change(repo: Path) -> None:
    _applied_demo_with_edits(repo)
    only = _plan("--only", "variant.BEANIE-MUSTARD")
    assert _addresses(only) == ["product.wool-beanie"]
    assert only["notes"] == ["1 change(s) left out by --only/--exclude"]
    assert _addresses(_plan("--only", "variant.TOTE-*")) == ["product.canvas-tote"]
    excluded = _plan("--exclude", "variant.TOTE-NATURAL")
    assert _addresses(excluded) == ["product.wool-beanie"]
    assert excluded["notes"] == ["1 change(s) left out by --only/--exclude"]
    unchanged = shelf("plan", "--only", "variant.SOCKS-40-43", "--detailed-exitcode")
    assert unchanged.exit_code == 0, unchanged.output  # a known variant with nothing to do: no error


def test_an_image_selected_alone_brings_the_update_that_places_it(repo: Path) -> None:
    _applied_demo_with_edits(repo)
    front = repo / "recipes" / "images" / "canvas-tote" / "front.png"
    front.write_bytes(front.read_bytes() + b"\0" * 16)  # new bytes, still a PNG
    saved = shelf("plan", "--only", "image.canvas-tote/front.png", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    document = json.loads((repo / "plan.json").read_text())
    assert _addresses(document) == ["product.canvas-tote", "image.canvas-tote/front.png"]
    pulled = "product.canvas-tote pulled in: image.canvas-tote/front.png is placed on it"
    assert pulled in saved.stderr
    assert "Plan: 0 to create, 1 to update, 1 to upload" in saved.stderr

    db = sandbox_db(repo)
    sandbox_control(db, "POST", "/_sandbox/stats/reset")
    applied = shelf("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert _addresses(_plan()) == ["product.wool-beanie"]  # the tote is done, the beanie was not touched
    stats = sandbox_control(db, "GET", "/_sandbox/stats")
    again = _plan("--only", "product.canvas-tote")
    assert again["changes"] == []
    assert sandbox_control(db, "GET", "/_sandbox/stats")["upload_bytes"] == stats["upload_bytes"]


def test_excluding_a_product_keeps_its_images_out_too(repo: Path) -> None:
    _applied_demo_with_edits(repo)
    front = repo / "recipes" / "images" / "canvas-tote" / "front.png"
    front.write_bytes(front.read_bytes() + b"\0" * 16)
    saved = shelf("plan", "--exclude", "product.canvas-tote", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    assert _addresses(json.loads((repo / "plan.json").read_text())) == ["product.wool-beanie"]
    assert shelf("apply", "plan.json").exit_code == 0
    tote = _plan("--only", "product.canvas-tote")
    assert _addresses(tote) == ["product.canvas-tote", "image.canvas-tote/front.png"]
    added = [f for f in tote["changes"][0]["fields"] if f["path"] == "images[front.png]"]
    assert added and added[0]["before"] is None  # the new bytes, under the recipe's name
