"""A live xPage product's version (a hash of its raw JSON) is made only when a plan asks for it: a no-op
plan of a large shop hashes nothing; a changed product's version is the same hash as ever."""

from __future__ import annotations

from typing import Any

import pytest

import engine.platforms.xpage.versions as versions_module
from engine.platforms.xpage.mapping import version_of
from engine.platforms.xpage.versions import RawVersions


def test_versions_are_hashed_on_first_access_only(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[str] = []

    def counting(raw: Any) -> str:
        hashed.append(raw["slug"])
        return version_of(raw)

    monkeypatch.setattr(versions_module, "version_of", counting)
    versions = RawVersions()
    raws = {f"product.p{n}": {"id": n, "slug": f"p{n}", "title": f"P {n}"} for n in range(3)}
    for addr, raw in raws.items():
        versions.hold(addr, raw)
    assert hashed == []
    assert "product.p1" in versions and "product.nope" not in versions
    assert versions.get("product.p1") == version_of(raws["product.p1"])
    assert versions["product.p1"] == version_of(raws["product.p1"])
    assert versions.get("product.nope") is None
    with pytest.raises(KeyError):
        versions["product.nope"]
    assert hashed == ["p1"]  # once, then kept
