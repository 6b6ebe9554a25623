"""The JSON Schemas: valid draft-07, documented for editors, and in agreement with the documented examples."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from engine.config import load_config
from engine.documents.checking import schema_problems
from engine.documents.schema import load_schema, schema_path
from engine.documents.strict_yaml import load_yaml
from engine.errors import Source
from engine.recipes import load_catalog, validate_all

from pictures import write_png

PROJECT = Path(__file__).resolve().parents[2]
PRODUCT_DOC = PROJECT.parent / "shared" / "docs" / "PRODUCT.md"
NAMES = ("recipe", "config")


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def _write_named_files(recipe: str, folder: Path) -> None:
    """Every image and file path an example names, as real files beside it: recipes are checked
    against the files they name."""
    named = set(re.findall(r"[\w./-]+\.(?:jpe?g|png|webp|gif|pdf|zip|epub)\b", recipe))
    for seed, ref in enumerate(sorted(named)):
        if "://" in ref or ref.startswith(("/", "cdn.")):
            continue
        path = folder / ref
        if not ref.endswith((".jpg", ".jpeg", ".png", ".webp", ".gif")):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF-1.4\n%%EOF\n")
        else:
            write_png(path, seed=seed)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and not ("description" in node and "examples" in node):
        pointer = node["$ref"].removeprefix("#/").split("/")
        target: Any = schema
        for part in pointer:
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property a document can have, walking the schema's subschemas (not its conditions)."""
    if not isinstance(node, dict):
        return
    for name, sub in (node.get("properties") or {}).items():
        yield f"{path}/properties/{name}", sub
        yield from _properties(sub, f"{path}/properties/{name}")
    for name, sub in (node.get("definitions") or {}).items():
        yield from _properties(sub, f"{path}/definitions/{name}")
    for keyword in ("items", "additionalProperties", "then", "else"):
        yield from _properties(node.get(keyword), f"{path}/{keyword}")
    for keyword in ("anyOf", "oneOf", "allOf"):
        for index, sub in enumerate(node.get(keyword) or ()):
            yield from _properties(sub, f"{path}/{keyword}/{index}")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_draft07(name: str) -> None:
    schema = load_schema(name)  # type: ignore[arg-type]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    assert schema_path(name).resolve() == PROJECT / "schemas" / f"{name}.schema.json"


@pytest.mark.parametrize("name", NAMES)
def test_every_property_is_described_with_examples(name: str) -> None:
    schema = load_schema(name)  # type: ignore[arg-type]
    found = list(_properties(schema))
    assert len(found) > 20
    for where, prop in found:
        resolved = _resolve(schema, prop)
        assert resolved.get("description"), f"{where} has no description"
        assert resolved.get("examples"), f"{where} has no examples"


def test_load_schema_gives_a_fresh_copy() -> None:
    first = load_schema("recipe")
    first["title"] = "changed"
    assert load_schema("recipe")["title"] != "changed"


def test_demo_recipes_pass_the_schema() -> None:
    files = sorted((PROJECT / "recipes").glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        document, problems = load_yaml(path.read_text(), path.name)
        assert problems == []
        assert schema_problems(document, "recipe", Source(path.name, 1, 1), lambda p: ("x", 0)) == []


def test_documented_examples_are_valid(tmp_path: Path) -> None:
    """The shelf.yaml and recipe examples of the product documentation load without an error."""
    shelf_yaml, recipe = _yaml_blocks(PRODUCT_DOC.read_text())[:2]
    (tmp_path / "shelf.yaml").write_text(shelf_yaml)
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "catalog.yaml").write_text(recipe)
    _write_named_files(recipe, tmp_path / "recipes")
    config = load_config(tmp_path / "shelf.yaml", tmp_path)
    assert validate_all(config) == 6
    shop = load_catalog(config, "shop")
    assert [v.sku for v in shop.products["classic-tee"].variants] == [
        "TEE-S-BLACK",
        "TEE-M-BLACK",
        "TEE-M-WHITE",
        "TEE-L-BLACK",
        "TEE-L-WHITE",
    ]
    assert shop.promotions["black-friday"].products == ("classic-tee",)
    assert "classic-tee" not in load_catalog(config, "sandbox").products


def test_reference_examples_are_valid(tmp_path: Path) -> None:
    """Every recipe example in docs/recipes.md is a valid recipe."""
    blocks = [b for b in _yaml_blocks((PROJECT / "docs" / "recipes.md").read_text()) if "shelf.yaml" not in b]
    assert len(blocks) >= 5
    (tmp_path / "shelf.yaml").write_text(
        "targets:\n  sandbox: {platform: xpage, sandbox: true, vars: {brand: Sandbox}}\n"
        "  shop: {platform: xpage, base_url: 'https://shop.example.com/api/apps/v1', vars: {brand: Acme}}\n"
        "  emporix-eu: {platform: emporix, vars: {brand: Acme}}\n"
        "default_target: shop\n"
    )
    for index, block in enumerate(blocks):
        folder = tmp_path / "recipes" / f"{index:02d}"
        folder.mkdir(parents=True)
        (folder / "r.yaml").write_text(block)
        _write_named_files(block, folder)
        config = dataclasses.replace(load_config(tmp_path / "shelf.yaml", tmp_path), recipes=(folder,))
        validate_all(config)
