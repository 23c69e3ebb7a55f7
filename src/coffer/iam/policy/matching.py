"""Wildcards, policy variables and ARNs: the string matching under the policy engine.

``*`` matches any run of characters and ``?`` exactly one; in ``GLOB`` mode both may cross ``:``
and ``/`` (as in ``Resource``), in ``ARN`` mode they stay inside one of the six colon-separated
ARN components (as the ``Arn*`` condition operators do), except in the last component, which may
itself contain colons. Also here: the request's condition keys, and scalar conversions.

Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``) are substituted
from the request's condition keys; ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``,
``?`` and ``$``. Substituted text is always literal, never a wildcard.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TypeAlias

__all__ = [
    "Atom",
    "ConditionValue",
    "KeyLookup",
    "MatchMode",
    "Network",
    "Template",
    "UnresolvedVariable",
    "action_matches",
    "atom_text",
    "parse_binary",
    "parse_boolean",
    "parse_network",
    "parse_number",
    "parse_timestamp",
    "request_address",
    "request_binary",
    "request_boolean",
    "request_number",
    "request_timestamp",
]

Atom: TypeAlias = str | bool | int | float | datetime | bytes
"""One value of a condition key in the request context."""

ConditionValue: TypeAlias = Atom | Sequence[str]
"""What a caller may supply for a condition key; a sequence makes the key multi-valued."""


def _as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def atom_text(atom: Atom) -> str:
    """The string form of a request value, as string operators and policy variables see it."""
    if isinstance(atom, bool):
        return "true" if atom else "false"
    if isinstance(atom, datetime):
        return _as_utc(atom).isoformat().replace("+00:00", "Z")
    if isinstance(atom, bytes):
        return base64.b64encode(atom).decode("ascii")
    return str(atom)


def _atoms(value: ConditionValue) -> tuple[Atom, ...]:
    if isinstance(value, str | bytes | bool | int | float | datetime):
        return (value,)
    return tuple(value)


class KeyLookup:
    """The request's condition keys, looked up case-insensitively.

    A key supplied with an empty sequence counts as absent.
    """

    __slots__ = ("_values",)

    def __init__(self, keys: Mapping[str, ConditionValue]) -> None:
        self._values = {name.lower(): _atoms(value) for name, value in keys.items()}

    def values(self, key: str) -> tuple[Atom, ...] | None:
        return self._values.get(key.lower()) or None

    def scalar(self, key: str) -> str | None:
        """The key's single value as text; None when it is absent or multi-valued."""
        found = self.values(key)
        if found is None or len(found) != 1:
            return None
        return atom_text(found[0])


class UnresolvedVariable(Exception):
    """A policy variable names a key the request lacks (or holds several values for).

    AWS: "If AWS cannot resolve a variable, this might cause the entire statement to be invalid";
    the evaluator therefore treats the whole statement as not applying.
    """


class MatchMode(Enum):
    EXACT = "exact"
    GLOB = "glob"
    ARN = "arn"


@dataclass(frozen=True)
class _Text:
    """Policy text: ``*`` and ``?`` are wildcards (outside EXACT mode)."""

    text: str


@dataclass(frozen=True)
class _Literal:
    """Always literal: a ``${*}``-style escape or a substituted value."""

    text: str


@dataclass(frozen=True)
class _Variable:
    key: str
    default: str | None


_Part: TypeAlias = _Text | _Literal | _Variable
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE_BODY = re.compile(r"\s*([A-Za-z0-9_.:/-]+)\s*(?:,\s*'([^']*)'\s*)?")
_ESCAPES = frozenset("*?$")


def _parse_parts(source: str) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    position = 0
    for found in _VARIABLE.finditer(source):
        body = found.group(1)
        variable = _VARIABLE_BODY.fullmatch(body)
        if body not in _ESCAPES and variable is None:
            continue  # not variable syntax: keep the text as written
        parts.append(_Text(source[position : found.start()]))
        if body in _ESCAPES:
            parts.append(_Literal(body))
        elif variable is not None:
            parts.append(_Variable(variable.group(1), variable.group(2)))
        position = found.end()
    parts.append(_Text(source[position:]))
    return tuple(part for part in parts if not isinstance(part, _Text) or part.text)


@dataclass(frozen=True)
class Template:
    """A policy string that may hold wildcards and policy variables."""

    source: str
    parts: tuple[_Part, ...]

    @classmethod
    def parse(cls, source: str, *, variables: bool) -> Template:
        """Variables are honoured only when ``variables`` (policy Version 2012-10-17) is true."""
        return cls(source, _parse_parts(source) if variables else (_Text(source),))

    def _resolve(self, lookup: KeyLookup) -> list[_Text | _Literal]:
        resolved: list[_Text | _Literal] = []
        for part in self.parts:
            if not isinstance(part, _Variable):
                resolved.append(part)
                continue
            value = lookup.scalar(part.key)
            if value is None:
                value = part.default
            if value is None:
                raise UnresolvedVariable(part.key)
            resolved.append(_Literal(value))
        return resolved

    def literal(self, lookup: KeyLookup) -> str:
        """The value with variables substituted; wildcards stay as plain characters."""
        return "".join(part.text for part in self._resolve(lookup))

    def matches(
        self, value: str, lookup: KeyLookup, mode: MatchMode, *, ignore_case: bool = False
    ) -> bool:
        if mode is MatchMode.EXACT:
            expected = self.literal(lookup)
            if ignore_case:
                return value.casefold() == expected.casefold()
            return value == expected
        pattern = _regex(tuple(self._resolve(lookup)), mode)
        return _compile(pattern, re.IGNORECASE if ignore_case else 0).fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _regex(parts: tuple[_Text | _Literal, ...], mode: MatchMode) -> str:
    """Translate wildcards by hand: ``fnmatch`` would give ``[...]`` a meaning IAM does not."""
    colons = 0
    arn = mode is MatchMode.ARN and sum(part.text.count(":") for part in parts) >= 5
    pieces: list[str] = []
    for part in parts:
        if isinstance(part, _Literal):
            pieces.append(re.escape(part.text))
            colons += part.text.count(":")
            continue
        for char in part.text:
            inside = arn and colons < 5
            if char == "*":
                pieces.append("[^:]*" if inside else ".*")
            elif char == "?":
                pieces.append("[^:]" if inside else ".")
            else:
                pieces.append(re.escape(char))
                colons += char == ":"
    return "".join(pieces)


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Action names match case-insensitively."""
    regex = _regex((_Text(pattern),), MatchMode.GLOB)
    return _compile(regex, re.IGNORECASE).fullmatch(action) is not None


# --- Scalar values: policy text (``parse_*``) and request values (``request_*``) ----------------
# Every function answers None for a value of the wrong shape.

_Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_number(text: str) -> float | None:
    """A decimal number, optionally with an exponent (not ``inf``, ``nan`` or ``1_000``)."""
    text = text.strip()
    number = float(text) if _NUMBER.fullmatch(text) else math.inf
    return number if math.isfinite(number) else None


def parse_timestamp(text: str) -> float | None:
    """ISO 8601 (naive means UTC) or epoch seconds, as epoch seconds."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        return _as_utc(datetime.fromisoformat(text)).timestamp()
    except ValueError:
        return None


def parse_boolean(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.lower())


def parse_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_network(text: str) -> Network | None:
    """A CIDR block (host bits may be set) or a bare address (a /32 or /128)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def request_number(atom: Atom) -> float | None:
    if isinstance(atom, bool | datetime | bytes):
        return None
    return parse_number(atom) if isinstance(atom, str) else float(atom)


def request_timestamp(atom: Atom) -> float | None:
    if isinstance(atom, datetime):
        return _as_utc(atom).timestamp()
    if isinstance(atom, bool | bytes):
        return None
    return parse_timestamp(atom) if isinstance(atom, str) else float(atom)


def request_boolean(atom: Atom) -> bool | None:
    return atom if isinstance(atom, bool) else parse_boolean(atom_text(atom))


def request_binary(atom: Atom) -> bytes | None:
    return atom if isinstance(atom, bytes) else parse_binary(atom_text(atom))


def request_address(atom: Atom) -> _Address | None:
    try:
        return ipaddress.ip_address(atom.strip()) if isinstance(atom, str) else None
    except ValueError:
        return None
