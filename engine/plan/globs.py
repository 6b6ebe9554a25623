"""A list of ``--only``/``--exclude`` globs as one matcher that costs the same for one glob or thousands.

Verification after an apply selects every touched address, so a plan may be asked to keep thousands of
exact addresses. Matching each address against each of them as a glob grows with their product; instead
a glob without a wildcard (``*``, ``?``, ``[``) is looked up in a set, which is what ``fnmatchcase``
answers for it anyway, and the real globs are joined into one regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import translate

_WILDCARDS = frozenset("*?[")


def is_glob(text: str) -> bool:
    """Whether ``text`` holds a wildcard, so it cannot be compared as a plain address."""
    return not _WILDCARDS.isdisjoint(text)


class Globs:
    """Answers whether an address matches any of the globs, as ``fnmatchcase`` does (case counts)."""

    def __init__(self, globs: Iterable[str]):
        listed = list(globs)
        self.exact = frozenset(g for g in listed if not is_glob(g))
        patterns = sorted({g for g in listed if is_glob(g)})
        self._pattern = re.compile("|".join(translate(g) for g in patterns)) if patterns else None

    def __bool__(self) -> bool:
        return bool(self.exact) or self._pattern is not None

    def __call__(self, addr: str) -> bool:
        return addr in self.exact or (self._pattern is not None and self._pattern.match(addr) is not None)
