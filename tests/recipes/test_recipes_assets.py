"""Images and files named by recipes: checked before any request, described by their bytes, hashed once."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
import time
from pathlib import Path

import pytest

from engine.config import default_config, load_config
from engine.core import validate
from engine.errors import RecipeErrors
from engine.filetypes import describe, image_type, sniff
from engine.model import Catalog
from engine.recipes import load_catalog
from engine.recipes.hash_cache import HashCache

from pictures import png, write_png

TOTE = """
products:
  - key: tote
    title: Tote
    price: 18.00
    images:
      - images/front.png
      - {file: images/back.png, alt: Back view}
"""

ONE_IMAGE = TOTE.replace("      - {file: images/back.png, alt: Back view}\n", "")


def _recipe(root: Path, text: str = TOTE) -> None:
    (root / "recipes").mkdir(parents=True, exist_ok=True)
    (root / "recipes" / "r.yaml").write_text(textwrap.dedent(text))


def _load(root: Path) -> Catalog:
    return load_catalog(default_config(root), "sandbox")


def _errors(root: Path) -> list[str]:
    with pytest.raises(RecipeErrors) as caught:
        validate(default_config(root))
    return caught.value.render().splitlines()


def _age(path: Path, seconds: float = 3600) -> None:
    """Date a file back, as files checked out a while ago are (recent ones are never cached)."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_sniffing_judges_bytes_not_names() -> None:
    assert image_type(png(1)) == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"%PDF-1.7") == "application/pdf" and image_type(b"%PDF-1.7") is None
    assert describe(b"Hello, this is text") == "its bytes are text"
    assert describe(b"%PDF-1.4") == "its bytes are application/pdf"
    assert describe(b"\x00\x01\x02\xfe\xff") == "its first bytes are 00 01 02 fe"
    assert describe(b"") == "it is empty"


def test_assets_carry_hash_size_and_type(tmp_path: Path) -> None:
    _recipe(tmp_path)
    front = write_png(tmp_path / "recipes/images/front.png", seed=1)
    write_png(tmp_path / "recipes/images/back.png", seed=2)
    [first, second] = _load(tmp_path).products["tote"].images
    assert first.sha256 == hashlib.sha256(front).hexdigest()
    assert (first.size, first.mime_type) == (len(front), "image/png")
    assert second.alt == "Back view" and second.sha256 != first.sha256


def test_a_png_named_jpg_is_fine_and_typed_by_its_bytes(tmp_path: Path) -> None:
    _recipe(tmp_path, ONE_IMAGE.replace("front.png", "front.jpg"))
    write_png(tmp_path / "recipes/images/front.jpg")
    [image] = _load(tmp_path).products["tote"].images
    assert image.mime_type == "image/png"


def test_every_broken_image_is_reported_at_once(tmp_path: Path) -> None:
    _recipe(
        tmp_path,
        """
        products:
          - key: tote
            title: Tote
            price: 18.00
            images:
              - images/fronts.png
              - images/notes.jpg
              - ../../elsewhere.png
          - key: guide
            title: Guide
            digital: true
            price: 5
            files: [files/guide.pdf]
        """,
    )
    write_png(tmp_path / "recipes/images/front.png")
    (tmp_path / "recipes/images/notes.jpg").write_text("not a picture")
    assert _errors(tmp_path) == [
        "recipes/r.yaml:7:9: image 'images/fronts.png' does not exist (did you mean 'front.png'?)",
        "recipes/r.yaml:8:9: image 'images/notes.jpg' is not a JPEG, PNG, WebP or GIF image: its bytes are "
        "text (export it as one of those; the file name's extension does not decide the type)",
        "recipes/r.yaml:9:9: image '../../elsewhere.png' is outside the catalog repository (copy it into the "
        "catalog repository (the folder of shelf.yaml), next to the recipes)",
        "recipes/r.yaml:14:13: file 'files/guide.pdf' does not exist "
        "(paths are relative to the folder of the recipe file)",
    ]


def test_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _recipe(repo, ONE_IMAGE)
    write_png(tmp_path / "secret.png")
    (repo / "recipes/images").mkdir()
    (repo / "recipes/images/front.png").symlink_to(tmp_path / "secret.png")
    [line] = _errors(repo)
    assert line.startswith("recipes/r.yaml:7:9: image 'images/front.png' is a symlink to ")
    assert "outside the catalog repository" in line


def test_a_symlink_inside_the_repository_is_fine(tmp_path: Path) -> None:
    _recipe(tmp_path, ONE_IMAGE)
    write_png(tmp_path / "shared/front.png", seed=4)
    (tmp_path / "recipes/images").mkdir()
    (tmp_path / "recipes/images/front.png").symlink_to(tmp_path / "shared/front.png")
    [image] = _load(tmp_path).products["tote"].images
    assert image.sha256 == hashlib.sha256(png(4)).hexdigest()


def test_an_unreadable_image_is_reported(tmp_path: Path) -> None:
    _recipe(tmp_path, ONE_IMAGE)
    front = tmp_path / "recipes/images/front.png"
    write_png(front)
    front.chmod(0)
    try:
        if os.access(front, os.R_OK):
            pytest.skip("running as a user who can read any file (root); the folder case covers this")
        [line] = _errors(tmp_path)
    finally:
        front.chmod(0o644)
    assert line == (
        "recipes/r.yaml:7:9: image 'images/front.png' cannot be read: permission denied "
        "(make it readable (chmod a+r))"
    )


def test_variant_images_and_files(tmp_path: Path) -> None:
    _recipe(
        tmp_path,
        """
        products:
          - key: tee
            title: Tee
            images: [images/black.png]
            options: {Color: [Black, Red]}
            variant_defaults:
              price: 25
              image: "images/{{ Color | lower }}.png"
          - key: guide
            title: Guide
            digital: true
            files: [files/guide.pdf, files/guide.zip]
            options: {Format: [PDF, ZIP]}
            variant_defaults:
              price: 9
              file: "files/guide.{{ Format | lower }}"
        """,
    )
    write_png(tmp_path / "recipes/images/black.png", seed=1)
    write_png(tmp_path / "recipes/images/red.png", seed=2)
    (tmp_path / "recipes/files").mkdir()
    (tmp_path / "recipes/files/guide.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "recipes/files/guide.zip").write_bytes(b"PK\x03\x04rest")
    catalog = _load(tmp_path)
    black, red = catalog.products["tee"].variants
    assert (black.image, black.own_image) == ("images/black.png", None)
    assert red.own_image is not None and red.own_image.sha256 == hashlib.sha256(png(2)).hexdigest()
    guide = catalog.products["guide"]
    assert [v.file for v in guide.variants] == ["files/guide.pdf", "files/guide.zip"]
    assert [f.mime_type for f in guide.files] == ["application/pdf", "application/zip"]


def test_the_hash_cache_spares_reading_unchanged_files(tmp_path: Path) -> None:
    _recipe(tmp_path)
    for seed, name in enumerate(("front.png", "back.png")):
        write_png(tmp_path / "recipes/images" / name, seed=seed)
        _age(tmp_path / "recipes/images" / name)
    first = _load(tmp_path)
    stored = json.loads((tmp_path / ".shelf/cache/assets.json").read_text())
    assert sorted(stored["files"]) == ["recipes/images/back.png", "recipes/images/front.png"]

    # The second load takes the hash from the cache: proved by a cache entry that lies.
    stored["files"]["recipes/images/front.png"]["sha256"] = "0" * 64
    (tmp_path / ".shelf/cache/assets.json").write_text(json.dumps(stored))
    assert _load(tmp_path).products["tote"].images[0].sha256 == "0" * 64
    assert first.products["tote"].images[0].sha256 != "0" * 64

    # A file whose bytes change (and so its modification time) is read again.
    front = tmp_path / "recipes/images/front.png"
    write_png(front, seed=7)
    _age(front, 1800)
    assert _load(tmp_path).products["tote"].images[0].sha256 == hashlib.sha256(png(7)).hexdigest()


def test_hash_cache_counts_what_it_reads(tmp_path: Path) -> None:
    picture = tmp_path / "a.png"
    write_png(picture)
    _age(picture)
    cache = HashCache(tmp_path / "cache.json", tmp_path)
    cache.facts(picture, "a.png")
    cache.facts(picture, "a.png")
    assert cache.hashed == 1
    cache.save()
    again = HashCache(tmp_path / "cache.json", tmp_path)
    assert again.facts(picture, "a.png").sha256 == hashlib.sha256(png()).hexdigest()
    assert again.hashed == 0


def test_a_file_modified_just_now_is_not_remembered(tmp_path: Path) -> None:
    picture = tmp_path / "a.png"
    write_png(picture)
    cache = HashCache(tmp_path / "cache.json", tmp_path)
    cache.facts(picture, "a.png")
    cache.save()
    assert not (tmp_path / "cache.json").exists()
    cache.facts(picture, "a.png")
    assert cache.hashed == 2


def test_a_broken_cache_is_ignored(tmp_path: Path) -> None:
    picture = tmp_path / "a.png"
    write_png(picture)
    (tmp_path / "cache.json").write_text("{not json")
    cache = HashCache(tmp_path / "cache.json", tmp_path)
    assert cache.facts(picture, "a.png").size == len(png())


def test_validate_checks_the_platform_limit_of_every_target(tmp_path: Path) -> None:
    _recipe(tmp_path, ONE_IMAGE)
    big = tmp_path / "recipes/images/front.png"
    big.parent.mkdir(parents=True)
    big.write_bytes(png(1) + bytes(6 * 1024 * 1024))
    (tmp_path / "shelf.yaml").write_text(
        "default_target: a\ntargets:\n"
        "  a: {platform: xpage, sandbox: true}\n  b: {platform: xpage, sandbox: true}\n"
    )
    with pytest.raises(RecipeErrors) as caught:
        validate(load_config(tmp_path / "shelf.yaml", tmp_path))
    assert caught.value.render().splitlines() == [
        f"recipes/r.yaml:7:9: image 'images/front.png' is 6 MB; xPage takes images of at most 5 MB (5242880 "
        f"bytes) (target '{name}') (make it smaller: fewer pixels, or stronger compression)"
        for name in ("a", "b")
    ]
