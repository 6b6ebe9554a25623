"""`.shelf/cache/recipes/`: a repeat run reads only the recipe files that changed, and yields the same."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import engine
from engine.config import load_config
from engine.core import validate
from engine.errors import RecipeErrors
from engine.recipes import load_catalog, parse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from catalog import write_catalog

AN_HOUR_AGO = time.time() - 3600


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = write_catalog(tmp_path, 30, per_file=10, images=1)
    (tmp_path / "recipes" / "promotions.yaml").write_text(
        "promotions:\n  - key: sale\n    title: Sale\n    discount: {percent: 10}\n"
        "    products: [item-000001, ITEM-000002-S-Black]\n"
    )
    for path in [*files, tmp_path / "recipes" / "promotions.yaml"]:
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return tmp_path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The recipe files read (their text), in order."""
    seen: list[str] = []
    real = parse.read_document

    def counted(path: Path, limit: int) -> str:
        seen.append(path.name)
        return real(path, limit)

    monkeypatch.setattr(parse, "read_document", counted)
    return seen


def _config(root: Path):  # type: ignore[no-untyped-def]
    return load_config(root / "shelf.yaml", root)


def test_recipes_file_cache_second_validate_reads_no_recipe(repo: Path, reads: list[str]) -> None:
    config = _config(repo)
    assert validate(config) == 10 + 30 + 1
    assert sorted(reads) == sorted({*reads}) and len(reads) == 5  # each file once
    assert len(list((repo / ".shelf" / "cache" / "recipes").glob("*.json"))) == 5
    reads.clear()
    assert validate(config) == 41
    assert reads == []


def test_recipes_file_cache_yields_what_the_recipes_do(repo: Path) -> None:
    config = _config(repo)
    fresh = load_catalog(config)
    assert (repo / ".shelf" / "cache" / "recipes").is_dir()
    cached = load_catalog(config)
    assert cached == fresh
    assert repr(cached) == repr(fresh)  # sources (which take no part in equality) too
    assert len(cached.products["item-000003"].variants) == 12
    assert cached.promotions["sale"].products == ("item-000001", "item-000002")


def test_recipes_file_cache_changed_file_is_read_again(repo: Path, reads: list[str]) -> None:
    config = _config(repo)
    validate(config)
    reads.clear()
    changed = repo / "recipes" / "products-0001.yaml"
    changed.write_text(changed.read_text().replace("price: 20.50", "price: 21.00"))
    catalog = load_catalog(config)
    assert reads == ["products-0001.yaml"]
    assert catalog.products["item-000010"].variants[0].price == 21
    reads.clear()
    load_catalog(config)
    # written less than two seconds ago: its time is not trusted, its bytes are read and compared
    assert reads == ["products-0001.yaml"]


def test_recipes_file_cache_of_another_version_is_ignored(
    repo: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(repo)
    validate(config)
    monkeypatch.setattr(engine, "__version__", "99.0.0")
    reads.clear()
    validate(config)
    assert len(reads) == 5
    reads.clear()
    validate(config)
    assert reads == []


@pytest.mark.parametrize(
    "garbage",
    [
        "not json {",
        '{"format": 1}',
        "[]",
        '{"format": 1, "context": "x", "items": [[1, 2, 3]]}',
    ],
)
def test_recipes_file_cache_corrupt_entries_are_ignored(repo: Path, reads: list[str], garbage: str) -> None:
    config = _config(repo)
    expected = load_catalog(config)
    entries = list((repo / ".shelf" / "cache" / "recipes").glob("*.json"))
    for entry in entries:
        entry.write_text(garbage)
    reads.clear()
    assert load_catalog(config) == expected
    assert len(reads) == 5
    assert all(entry.read_text() != garbage for entry in entries)


def test_recipes_file_cache_entry_that_decodes_wrong_is_ignored(repo: Path, reads: list[str]) -> None:
    """An entry of the right context whose items do not decode into the model is read around."""
    config = _config(repo)
    expected = load_catalog(config)
    for entry in (repo / ".shelf" / "cache" / "recipes").glob("*.json"):
        text = entry.read_text()
        entry.write_text(text.replace('["P",', '["Q",').replace('["c","Category"', '["c","Nope"'))
    reads.clear()
    assert load_catalog(config) == expected
    assert reads == ["categories.yaml", "products-0000.yaml", "products-0001.yaml", "products-0002.yaml"]


def test_recipes_file_cache_problems_come_from_the_recipes(repo: Path, reads: list[str]) -> None:
    """A problem found while other files come from the cache is reported as a run without cache would."""
    config = _config(repo)
    validate(config)
    broken = repo / "recipes" / "products-0002.yaml"
    broken.write_text(broken.read_text().replace("key: item-000025", "key: item-000003"))
    with pytest.raises(RecipeErrors) as cached:
        validate(config)
    for entry in (repo / ".shelf" / "cache" / "recipes").glob("*.json"):
        entry.unlink()
    with pytest.raises(RecipeErrors) as uncached:
        validate(config)
    assert cached.value.render() == uncached.value.render()
    assert "recipes/products-0002.yaml:" in cached.value.render()
    assert "defined twice (first at recipes/products-0000.yaml:" in cached.value.render()
