"""Lists compared element by element, so that one changed picture is one line and not two whole arrays.

An element is found by its identity, never by its position: an image or file by its file name (the path
or URL as written when two elements of one side share a name), an option by its name, an option value by
itself. Paths name the element in brackets:

- ``images[back.png]`` with ``None`` on one side: the image is added or removed;
- ``images[front.png].alt``: one attribute of an image present on both sides;
- ``images.order``: the list's order, as the labels before and after, when the order differs from what
  the additions and removals alone would give (a new first image is an order change: it becomes the
  main one);
- ``options[Size]``, ``options[Size][XL]``, ``options[Size].order``, ``options.order`` likewise.

Brackets keep a label apart from the path syntax, so an option called ``order`` is still
``options[order]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from engine.plan.model import FieldChange

Labelled = list[tuple[str, Any]]

ORDER = "order"

_ELEMENT = re.compile(r"^(?P<parent>.*)\[(?P<label>[^\[\]]*)\]$")


def _name(ref: str) -> str:
    tail = ref.split("?", 1)[0].rstrip("/")
    return tail.rsplit("/", 1)[-1] or ref


def labelled_assets(assets: Sequence[dict[str, Any]], other: Sequence[dict[str, Any]] = ()) -> Labelled:
    """Normalised images or files with their labels: the file name, or the ref when the name repeats on
    this side or on the ``other`` side it is compared with (so both sides label alike)."""
    names = [_name(a["ref"]) for a in assets]
    others = [_name(a["ref"]) for a in other]
    repeated = {n for n in names if names.count(n) > 1} | {n for n in others if others.count(n) > 1}
    return [(a["ref"] if name in repeated else name, a) for name, a in zip(names, assets, strict=True)]


def labelled_options(options: Sequence[dict[str, list[str]]]) -> Labelled:
    """Normalised options (``[{"Size": ["S", "M"]}]``) as ``(name, values)`` pairs."""
    return [(name, values) for option in options for name, values in option.items()]


def _order(name: str, desired: Labelled, live: Labelled) -> list[FieldChange]:
    want = [label for label, _ in desired]
    have = [label for label, _ in live]
    expected = [label for label in have if label in want] + [label for label in want if label not in have]
    if expected == want:
        return []
    return [FieldChange(f"{name}.{ORDER}", have, want)]


def diff_elements(name: str, desired: Labelled, live: Labelled, *, ordered: bool) -> list[FieldChange]:
    """Added, removed and changed elements of one list, then its order (for ordered lists).

    Elements that are maps (images, files) differ attribute by attribute; option values (lists of
    names) differ value by value, with their own order.
    """
    have_by = dict(live)
    want_by = dict(desired)
    changes: list[FieldChange] = []
    for label, want in desired:
        path = f"{name}[{label}]"
        if label not in have_by:
            changes.append(FieldChange(path, None, want))
            continue
        have = have_by[label]
        if have == want:
            continue
        if isinstance(want, dict) and isinstance(have, dict):
            keys = list(want) + [k for k in have if k not in want]
            differ = [k for k in keys if have.get(k) != want.get(k)]
            changes += [FieldChange(f"{path}.{k}", have.get(k), want.get(k)) for k in differ]
        elif isinstance(want, list) and isinstance(have, list):
            changes += diff_elements(path, [(v, v) for v in want], [(v, v) for v in have], ordered=True)
        else:
            changes.append(FieldChange(path, have, want))
    changes += [FieldChange(f"{name}[{label}]", have, None) for label, have in live if label not in want_by]
    if ordered:
        changes += _order(name, desired, live)
    return changes


def listed_elements(name: str, elements: Labelled) -> list[tuple[str, Any]]:
    """Every element of a list as its own path, for an object shown in full (created or deleted)."""
    return [(f"{name}[{label}]", value) for label, value in elements]


def live_pictures(live: Sequence[Any], labelled: Labelled) -> dict[str, str]:
    """The shop's URL of each live image, by label (``labelled`` is ``live`` labelled, in its order);
    images the shop gives no URL for are left out."""
    return {label: asset.url for (label, _), asset in zip(labelled, live, strict=True) if asset.url}


def split_element(path: str) -> tuple[str, str] | None:
    """``("images", "back.png")`` for ``images[back.png]``; None for a path that names no element."""
    found = _ELEMENT.match(path)
    if found is None:
        return None
    return found.group("parent"), found.group("label")
