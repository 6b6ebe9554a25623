"""Credentials wrapped the moment they are read, so that no repr, log line, plan file or exception can
show them. At the bottom of the house: the config reads them, the HTTP layer sends and masks them."""

from __future__ import annotations


class Secret:
    """A credential that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
