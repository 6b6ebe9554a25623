"""Content hashes of live xPage products, made when first asked for.

xPage products carry no version number, so a product's version is a hash of its raw JSON
(:func:`engine.platforms.xpage.mapping.version_of`). A plan needs the versions only of the products it
changes (and a saved plan's check only of those it holds), while hashing every product of a 10,000-product
shop was a large share of a no-op plan's CPU. The raw products are held by the provider anyway.
"""

from __future__ import annotations

from engine.platforms.xpage.api import RawProduct
from engine.platforms.xpage.mapping import version_of


class RawVersions(dict[str, str]):
    """Address -> version, hashed from the raw product held for it on first access (``[]``, ``get``,
    ``in``); iterating lists only the versions already made."""

    def __init__(self) -> None:
        super().__init__()
        self._raw: dict[str, RawProduct] = {}

    def hold(self, addr: str, raw: RawProduct) -> None:
        self._raw[addr] = raw
        self.pop(addr, None)

    def __missing__(self, addr: str) -> str:
        raw = self._raw.get(addr)
        if raw is None:
            raise KeyError(addr)
        version = version_of(raw)
        self[addr] = version
        return version

    def get(self, addr: str, default: str | None = None) -> str | None:  # type: ignore[override]
        try:
            return self[addr]
        except KeyError:
            return default

    def __contains__(self, addr: object) -> bool:
        return dict.__contains__(self, addr) or addr in self._raw
