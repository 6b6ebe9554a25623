"""shelf assets export: the files a Partner target's image URLs point at."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from partner_support import partner_db, vendor_products

from support import PROJECT, shelf


def test_exported_files_are_what_the_image_urls_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("recipes", "promotions", "subscriptions"):
        shutil.copytree(PROJECT / name, tmp_path / name)
    shutil.copy(PROJECT / "shelf.yaml", tmp_path / "shelf.yaml")
    monkeypatch.chdir(tmp_path)
    exported = shelf("assets", "export", "--target", "partner-demo", "cdn")
    assert exported.exit_code == 0, exported.output
    files = {p.name: p.read_bytes() for p in (tmp_path / "cdn").iterdir()}
    front = (tmp_path / "recipes" / "images" / "stoneware-mug" / "front.png").read_bytes()
    name = f"front.{hashlib.sha256(front).hexdigest()[:12]}.png"
    assert files[name] == front

    again = shelf("assets", "export", "--target", "partner-demo", "cdn")
    assert f"0 file(s) to cdn ({len(files)} already there)" in again.output

    assert shelf("apply", "--auto-approve", "--target", "partner-demo").exit_code == 0
    [mug] = [p for p in vendor_products(partner_db(tmp_path), "vendor-marina") if p["sku"] == "MUG-STONE"]
    urls = [image["url"] for image in mug["images"]]
    assert urls[0] == f"https://cdn.example.com/catalog/{name}"
    assert {u.rsplit("/", 1)[1] for u in urls} <= set(files)

    xpage = shelf("assets", "export", "--target", "sandbox", "cdn2")
    assert xpage.exit_code == 1 and "nothing to export" in xpage.output
