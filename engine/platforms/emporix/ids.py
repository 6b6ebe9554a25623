"""Deterministic ids: the same recipe always names the same Emporix objects.

Emporix lets clients choose ids and answers ``PUT`` with an id as an upsert, so a create that is sent
twice (a lost answer, an interrupted apply run again) lands on the same object instead of making a second
one. Every id shelf chooses is derived from recipe keys:

* a product's id is its key when the key fits Emporix's product ids (at most 32 characters; recipe keys
  are already lower-case slugs), else the key's first 19 characters, ``-`` and 12 hex digits of the
  key's SHA-256 (32 characters in all);
* a variant's id is built the same way from the product key and its option values, so it changes only
  when the variant's identity (its options) changes;
* a template's id is ``shelf-options-`` and 16 hex digits of the SHA-256 of what it holds (attribute
  keys, option names in every language, values), so products with the same option set share one, and a
  create sent twice finds the first; ``<product id>-options`` is the id earlier versions gave each
  product's own template, still recognised as shelf's; a category's id is its key;
* a price's id is its item's id, currency, country and site joined by ``-`` (hashed when the site code
  is not a plain word);
* an asset's id is built from the product's id and the image's ref and content (its SHA-256, or its
  URL), so new bytes make a new asset and unchanged bytes are never sent again.
"""

from __future__ import annotations

import hashlib
import re

ID_LIMIT = 32
PREFIX_LIMIT = ID_LIMIT - 13
_PLAIN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_WORD = re.compile(r"^[A-Za-z0-9_-]+$")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def digest(text: str, length: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def hashed(prefix: str, text: str) -> str:
    """``<prefix, cut to 19>-<12 hex digits of text's SHA-256>``: at most 32 characters."""
    head = prefix[:PREFIX_LIMIT].rstrip("-") or "x"
    return f"{head}-{digest(text)}"


def product_id(key: str) -> str:
    if len(key) <= ID_LIMIT and _PLAIN.match(key):
        return key
    return hashed(key, key)


def variant_id(key: str, options: tuple[tuple[str, str], ...]) -> str:
    identity = "\x1f".join([key, *(f"{name}\x1e{value}" for name, value in options)])
    return hashed(key, identity)


def template_id(key: str) -> str:
    """The id of a product's own template, as earlier versions made it (one per product)."""
    return f"{product_id(key)}-options"


SHARED_TEMPLATE_PREFIX = "shelf-options-"


def shared_template_id(identity: str) -> str:
    """The template of one option set (``identity``: its contents, canonically written)."""
    return SHARED_TEMPLATE_PREFIX + digest(identity, 16)


def category_id(key: str) -> str:
    return key


def price_id(item_id: str, currency: str, country: str, site: str) -> str:
    if _WORD.match(site):
        return f"{item_id}-{currency}-{country}-{site}".lower()
    return hashed(item_id, f"{item_id}|{currency}|{country}|{site}")


def asset_id(owner_id: str, ref: str, content: str) -> str:
    return hashed(owner_id, f"{ref}\x1f{content}")


def attribute_keys(names: list[str]) -> list[str]:
    """A template attribute key per option name: its letters and digits (Emporix keys are alphanumeric),
    ``option<N>`` when nothing is left, and a number appended when two names give the same key."""
    keys: list[str] = []
    for position, name in enumerate(names, start=1):
        base = _NOT_ALNUM.sub("", name) or f"option{position}"
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}{n}"
        keys.append(key)
    return keys
