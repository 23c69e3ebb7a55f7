"""A parsed package group pattern and what it matches: packages (strongly or weakly), other
patterns (containment, which builds the hierarchy) and its specificity (which picks a package's
group). The grammar that produces these patterns is :mod:`.patterns`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

import regex

from coffer.domain.package_groups.normalize import weak_form
from coffer.domain.packages import PackageFormat, PackageKey

__all__ = [
    "ROOT_PATTERN",
    "AssociationType",
    "PackageGroupPattern",
    "Scope",
    "ends_with_word",
]

ROOT_PATTERN = "/*"


class AssociationType(StrEnum):
    STRONG = "STRONG"
    WEAK = "WEAK"


class Scope(IntEnum):
    """How much of the package path a pattern pins down; higher is more specific."""

    ALL = 0  # /*
    FORMAT = 1  # /npm/*
    NAMESPACE = 2  # /npm/sp~  /npm/sp*
    NAME = 3  # /npm/space/*  /npm/space/ui~  /npm/space/ui-*
    EXACT = 4  # /npm/space/ui$


_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*\Z")
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}]")


def _is_word_char(char: str) -> bool:
    return _WORD_CHAR.match(char) is not None


def ends_with_word(text: str) -> bool:
    """``text`` ends with a *word* (``[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*``): ``~`` may follow."""
    return _WORD.search(text) is not None


def _prefix_match(value: str, prefix: str, word: bool) -> bool:
    """``value`` starts with ``prefix``; for a word prefix, a word boundary follows it."""
    if not value.startswith(prefix):
        return False
    if not word or len(value) == len(prefix):
        return True
    return not _is_word_char(value[len(prefix)])


def _prefix_contains(outer: str, outer_word: bool, inner: str, inner_word: bool) -> bool:
    """Every value matched by prefix ``inner`` is matched by prefix ``outer``."""
    if not inner.startswith(outer):
        return False
    if not outer_word:
        return True
    if len(inner) == len(outer):
        return inner_word  # foo~ ⊆ foo~, but foo* matches food
    return not _is_word_char(inner[len(outer)])


@dataclass(frozen=True)
class PackageGroupPattern:
    """A parsed pattern. ``namespace`` is the namespace prefix at :attr:`Scope.NAMESPACE` and the
    exact namespace below it; ``name`` is the name prefix at :attr:`Scope.NAME` and the exact
    name at :attr:`Scope.EXACT`; ``word`` tells a ``~`` prefix from a ``*`` one."""

    text: str
    scope: Scope
    format: PackageFormat | None = None
    namespace: str | None = None
    name: str | None = None
    word: bool = False

    @property
    def is_root(self) -> bool:
        return self.scope is Scope.ALL

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Orders patterns that match one package: the greater is the more specific."""
        if self.scope in (Scope.NAME, Scope.EXACT):
            text = self.name or ""
        elif self.scope is Scope.NAMESPACE:
            text = self.namespace or ""
        else:
            text = ""
        return (int(self.scope), len(text), 1 if self.word or self.scope is Scope.EXACT else 0)

    def _matches(self, namespace: str, name: str, fold: bool) -> bool:
        def form(text: str) -> str:
            return weak_form(text) if fold else text

        if self.scope is Scope.NAMESPACE:
            return _prefix_match(form(namespace), form(self.namespace or ""), self.word)
        if form(namespace) != form(self.namespace or ""):
            return False
        if self.scope is Scope.EXACT:
            return form(name) == form(self.name or "")
        return _prefix_match(form(name), form(self.name or ""), self.word)

    def match(self, key: PackageKey) -> AssociationType | None:
        """How ``key`` (normalized, see :func:`.normalize_key`) matches, if at all."""
        if self.scope is Scope.ALL:
            return AssociationType.STRONG
        if key.format is not self.format:
            return None
        if self.scope is Scope.FORMAT or self._matches(key.namespace, key.name, fold=False):
            return AssociationType.STRONG
        if self._matches(key.namespace, key.name, fold=True):
            return AssociationType.WEAK
        return None

    def contains(self, other: PackageGroupPattern) -> bool:
        """Every package ``other`` matches (strongly) is matched by this pattern too."""
        if self.scope is Scope.ALL:
            return True
        if other.scope is Scope.ALL or other.format is not self.format:
            return False
        if self.scope is Scope.FORMAT:
            return True
        if other.scope is Scope.FORMAT:
            return False
        mine, theirs = self.namespace or "", other.namespace or ""
        if self.scope is Scope.NAMESPACE:
            if other.scope is Scope.NAMESPACE:
                return _prefix_contains(mine, self.word, theirs, other.word)
            return _prefix_match(theirs, mine, self.word)
        if other.scope is Scope.NAMESPACE or mine != theirs:
            return False
        if self.scope is Scope.EXACT:
            return other.scope is Scope.EXACT and other.name == self.name
        if other.scope is Scope.EXACT:
            return _prefix_match(other.name or "", self.name or "", self.word)
        return _prefix_contains(self.name or "", self.word, other.name or "", other.word)
