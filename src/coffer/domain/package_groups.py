"""Package groups: the pattern grammar, matching, the group hierarchy and origin restrictions.

Everything here is pure; the services load a domain's groups and ask these functions.

**Pattern grammar** (CodeArtifact user guide, "Package group definition syntax and matching
behavior"). A pattern is a package path (``/<format>/<namespace>/<name>``) with the components
that do not matter left out, ended by a suffix:

========================================  ==========================  =============================
pattern                                   scope                       matches
========================================  ==========================  =============================
``/*``                                    :attr:`Scope.ALL`           every package
``/npm/*``                                :attr:`Scope.FORMAT`        every npm package
``/maven/com.anycompany~``                :attr:`Scope.NAMESPACE`     namespaces starting with the
                                                                      *word* ``com.anycompany``
``/maven/com.any*``                       :attr:`Scope.NAMESPACE`     namespaces starting with
                                                                      ``com.any`` (plain prefix)
``/npm/space/*``, ``/npm//*``             :attr:`Scope.NAME`          every name in namespace
                                                                      ``space`` (or in none)
``/npm/space/anycompany-ui~``             :attr:`Scope.NAME`          names starting with the word
``/npm/space/ui-*``                       :attr:`Scope.NAME`          names starting with ``ui-``
``/maven/org.apache/log4j-core$``         :attr:`Scope.EXACT`         that one package
========================================  ==========================  =============================

* ``~`` is a prefix match on a word boundary: a *word* is ``[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*``,
  so ``foo~`` matches ``foo`` and ``foo-bar`` but not ``food``; it must follow a word character.
* ``*`` matches every value that starts with what precedes it; after ``/`` that is every value
  of the next component. (The guide requires ``*`` instead of ``~`` after a non-word character;
  that ``*`` may also follow text, as the console's "starts with prefix" does, is inferred.)
* ``$`` matches the full coordinate and needs a name.
* Formats without namespaces (pypi, nuget, ruby, cargo) take a blank namespace (``/pypi//x$``,
  ``/pypi//*``); maven, generic and swift need a namespace whenever a name is given.
* Names and namespaces must be written normalized the way the format normalizes them (pypi
  names PEP 503; nuget names and swift names and namespaces lower-case): packages are matched in
  that form.

**Association.** A package belongs to the most specific group whose pattern matches it: a
group more specific than another matches a proper subset of its packages (think: the longest
pattern). Each group's *parent* is the most specific other group whose pattern matches a superset
of its packages; ``/*`` (every domain has it) is the root. A *strong* match matches the pattern
as written; a *weak* one only a variation of it (letter case, runs of ``-``/``.``/``_``,
confusable characters). Weak matches take part in choosing the most specific group, so variations
do not roll up to a more general group; a package weakly associated with its group is blocked
from entering any repository, whatever the group's origin configuration.

**Origin restrictions.** Per group, ``PUBLISH``, ``EXTERNAL_UPSTREAM`` and ``INTERNAL_UPSTREAM``
each have a mode: ``ALLOW``, ``BLOCK``, ``ALLOW_SPECIFIC_REPOSITORIES`` (only the repositories in
that restriction's allowed-repository list) or ``INHERIT`` (the mode of the first ancestor whose
mode is not ``INHERIT``, with that ancestor's allowed-repository list). The root cannot inherit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from urllib.parse import quote, unquote

import regex

from coffer.domain.packages import PackageFormat, PackageKey, canonical_name
from coffer.errors import ValidationError

__all__ = [
    "DEFAULT_GROUP_MODE",
    "NAMESPACE_REQUIRED",
    "NO_NAMESPACE",
    "ROOT_MODE",
    "ROOT_PATTERN",
    "AssociationType",
    "Decision",
    "GroupRef",
    "GroupSettings",
    "GroupTree",
    "PackageGroupInfo",
    "PackageGroupPattern",
    "RestrictionInfo",
    "RestrictionMode",
    "RestrictionType",
    "Scope",
    "decode_pattern",
    "encode_pattern",
    "normalize_key",
    "normalize_name",
    "normalize_namespace",
    "parse_pattern",
    "weak_form",
]

ROOT_PATTERN = "/*"


class RestrictionType(StrEnum):
    EXTERNAL_UPSTREAM = "EXTERNAL_UPSTREAM"
    INTERNAL_UPSTREAM = "INTERNAL_UPSTREAM"
    PUBLISH = "PUBLISH"


class RestrictionMode(StrEnum):
    ALLOW = "ALLOW"
    ALLOW_SPECIFIC_REPOSITORIES = "ALLOW_SPECIFIC_REPOSITORIES"
    BLOCK = "BLOCK"
    INHERIT = "INHERIT"


class AssociationType(StrEnum):
    STRONG = "STRONG"
    WEAK = "WEAK"


ROOT_MODE = RestrictionMode.ALLOW  # the root lets every origin in until configured otherwise
DEFAULT_GROUP_MODE = RestrictionMode.INHERIT  # new groups follow their parent

NO_NAMESPACE = frozenset(
    {PackageFormat.PYPI, PackageFormat.NUGET, PackageFormat.RUBY, PackageFormat.CARGO}
)
"""Formats whose packages never have a namespace: their patterns leave it blank."""

NAMESPACE_REQUIRED = frozenset({PackageFormat.MAVEN, PackageFormat.GENERIC, PackageFormat.SWIFT})
"""Formats whose patterns must name the namespace whenever they name the package."""


class Scope(IntEnum):
    """How much of the package path a pattern pins down; higher is more specific."""

    ALL = 0  # /*
    FORMAT = 1  # /npm/*
    NAMESPACE = 2  # /npm/sp~  /npm/sp*
    NAME = 3  # /npm/space/*  /npm/space/ui~  /npm/space/ui-*
    EXACT = 4  # /npm/space/ui$


_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*\Z")
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}]")
_SUFFIXES = "*~$"
_FORBIDDEN_IN_COMPONENT = re.compile(r"[#*~$]")
_MAX_COMPONENT = 255


def _is_word_char(char: str) -> bool:
    return _WORD_CHAR.match(char) is not None


# Normalization ---------------------------------------------------------------------------


def normalize_name(fmt: PackageFormat, name: str) -> str:
    """A package name as the format normalizes it (pypi: PEP 503; nuget, swift: lower case)."""
    if fmt in (PackageFormat.NUGET, PackageFormat.SWIFT):
        return name.lower()
    return canonical_name(fmt, name)


def normalize_namespace(fmt: PackageFormat, namespace: str) -> str:
    """A namespace as the format normalizes it (swift: lower case; others: as given)."""
    return namespace.lower() if fmt is PackageFormat.SWIFT else namespace


def normalize_key(key: PackageKey) -> PackageKey:
    return PackageKey(
        key.format,
        normalize_namespace(key.format, key.namespace),
        normalize_name(key.format, key.name),
    )


# Latin look-alikes from other scripts (a small subset of Unicode's confusables, enough for the
# classic homoglyph attacks); NFKC already folds full-width and compatibility forms.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a", "\u0441": "c", "\u0435": "e", "\u04bb": "h", "\u0456": "i",
        "\u0458": "j", "\u04cf": "l", "\u043e": "o", "\u0440": "p", "\u051b": "q",
        "\u0455": "s", "\u051d": "w", "\u0445": "x", "\u0443": "y", "\u0501": "d",
        # Greek
        "\u03bf": "o", "\u03b1": "a", "\u03bd": "v", "\u03b9": "i", "\u03ba": "k",
        "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03b5": "e",
        # Latin and letterlike look-alikes
        "\u0261": "g", "\u0131": "i", "\u2113": "l",
    }
)  # fmt: skip
_SEPARATOR_RUNS = re.compile(r"[-._]+")


def weak_form(text: str) -> str:
    """The form weak matching compares in: case-folded, confusable characters folded to their
    Latin look-alikes, every run of ``-``, ``.`` and ``_`` replaced by one ``.``."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)
    return _SEPARATOR_RUNS.sub(".", folded)


# Patterns --------------------------------------------------------------------------------


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
        """How ``key`` (normalized, see :func:`normalize_key`) matches, if at all."""
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


def _invalid(pattern: str, why: str) -> ValidationError:
    return ValidationError(f"Invalid package group pattern '{pattern}': {why}")


def _check_component(pattern: str, what: str, text: str) -> None:
    if _FORBIDDEN_IN_COMPONENT.search(text):
        raise _invalid(
            pattern,
            f"the {what} '{text}' contains '#', or '*', '~' or '$' before the end of the pattern",
        )
    if len(text) > _MAX_COMPONENT:
        raise _invalid(pattern, f"the {what} is longer than {_MAX_COMPONENT} characters")


def _split_suffix(pattern: str, last: str, what: str) -> tuple[str, str]:
    text, suffix = last[:-1], last[-1]
    _check_component(pattern, what, text)
    if suffix == "~":
        if not text:
            raise _invalid(pattern, f"'~' must follow a {what} prefix; use '*' to match all")
        if _WORD.search(text) is None:
            raise _invalid(
                pattern,
                f"'~' must follow a letter or digit (a word); after '{text[-1]}' use '*'",
            )
    if suffix == "$" and not text:
        raise _invalid(pattern, "'$' must follow a package name")
    return text, suffix


def _check_normalized(pattern: str, what: str, text: str, normalized: str, suffix: str) -> None:
    if text != normalized:
        raise _invalid(
            pattern,
            f"{what}s of this format are matched normalized; write '{normalized}{suffix}' "
            f"instead of '{text}{suffix}'",
        )


def parse_pattern(pattern: str) -> PackageGroupPattern:
    """Parse and validate a package group pattern; raises :class:`ValidationError`."""
    if len(pattern) < 2 or len(pattern) > 520:
        raise _invalid(pattern, "a pattern has 2 to 520 characters")
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in pattern):
        raise _invalid(pattern, "whitespace and control characters are not allowed")
    if not pattern.startswith("/"):
        raise _invalid(pattern, "a pattern starts with '/'")
    if pattern[-1] not in _SUFFIXES:
        raise _invalid(pattern, "a pattern ends with '*', '~' or '$'")
    parts = pattern[1:].split("/")
    if len(parts) > 3:
        raise _invalid(pattern, "a pattern has at most a format, a namespace and a name")
    if len(parts) == 1:
        if pattern == ROOT_PATTERN:
            return PackageGroupPattern(pattern, Scope.ALL)
        raise _invalid(pattern, "the format cannot be matched by prefix; use '/*' or '/<format>/*'")
    try:
        fmt = PackageFormat(parts[0])
    except ValueError:
        formats = ", ".join(f.value for f in PackageFormat)
        raise _invalid(pattern, f"unknown package format '{parts[0]}' ({formats})") from None
    if len(parts) == 2:
        if parts[1] == "*":
            return PackageGroupPattern(pattern, Scope.FORMAT, fmt)
        namespace, suffix = _split_suffix(pattern, parts[1], "namespace")
        if suffix == "$":
            raise _invalid(pattern, "'$' matches a whole package: /<format>/<namespace>/<name>$")
        if fmt in NO_NAMESPACE:
            raise _invalid(pattern, f"{fmt.value} packages have no namespace")
        _check_normalized(
            pattern, "namespace", namespace, normalize_namespace(fmt, namespace), suffix
        )
        return PackageGroupPattern(pattern, Scope.NAMESPACE, fmt, namespace, word=suffix == "~")
    namespace = parts[1]
    _check_component(pattern, "namespace", namespace)
    if namespace and fmt in NO_NAMESPACE:
        raise _invalid(
            pattern, f"{fmt.value} packages have no namespace; leave it blank: /{fmt.value}//…"
        )
    if not namespace and fmt in NAMESPACE_REQUIRED:
        raise _invalid(pattern, f"{fmt.value} packages need a namespace when a name is given")
    _check_normalized(pattern, "namespace", namespace, normalize_namespace(fmt, namespace), "/")
    name, suffix = ("", "*") if parts[2] == "*" else _split_suffix(pattern, parts[2], "name")
    _check_normalized(pattern, "name", name, normalize_name(fmt, name), suffix)
    scope = Scope.EXACT if suffix == "$" else Scope.NAME
    return PackageGroupPattern(pattern, scope, fmt, namespace, name, word=suffix == "~")


def encode_pattern(pattern: str) -> str:
    """The pattern as its ARN carries it: percent-encoded (lower-case hex) except letters,
    digits, ``-._~`` and ``/`` (``/npm/*`` → ``/npm/%2a``, ``$`` → ``%24``)."""
    encoded = quote(pattern, safe="/~")
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), encoded)


def decode_pattern(encoded: str) -> str:
    return unquote(encoded, errors="strict")


# The hierarchy and its settings ----------------------------------------------------------


@dataclass(frozen=True)
class GroupSettings:
    """One group as stored: its pattern, modes and allowed-repository lists."""

    pattern: PackageGroupPattern
    modes: Mapping[RestrictionType, RestrictionMode]
    allowed: Mapping[RestrictionType, frozenset[str]] = field(default_factory=dict)
    created_time: float = 0.0
    contact_info: str | None = None
    description: str | None = None

    @staticmethod
    def root(created_time: float = 0.0) -> GroupSettings:
        return GroupSettings(
            parse_pattern(ROOT_PATTERN),
            dict.fromkeys(RestrictionType, ROOT_MODE),
            created_time=created_time,
        )

    def mode(self, restriction: RestrictionType) -> RestrictionMode:
        return self.modes.get(restriction, DEFAULT_GROUP_MODE)

    def allowed_repositories(self, restriction: RestrictionType) -> frozenset[str]:
        return self.allowed.get(restriction, frozenset())


@dataclass(frozen=True)
class Decision:
    """Whether versions of a package may enter one repository, per origin, as its group says."""

    group: str  # the pattern of the package's group
    association: AssociationType
    publish: bool
    external_upstream: bool
    internal_upstream: bool
    modes: Mapping[RestrictionType, RestrictionMode]  # effective, after INHERIT

    def allows(self, restriction: RestrictionType) -> bool:
        return {
            RestrictionType.PUBLISH: self.publish,
            RestrictionType.EXTERNAL_UPSTREAM: self.external_upstream,
            RestrictionType.INTERNAL_UPSTREAM: self.internal_upstream,
        }[restriction]


@dataclass(frozen=True)
class GroupRef:
    arn: str
    pattern: str


@dataclass(frozen=True)
class RestrictionInfo:
    mode: RestrictionMode
    effective_mode: RestrictionMode
    inherited_from: GroupRef | None
    repositories_count: int


@dataclass(frozen=True)
class PackageGroupInfo:
    arn: str
    pattern: str
    domain_name: str
    domain_owner: str
    created_time: float
    contact_info: str | None
    description: str | None
    restrictions: Mapping[RestrictionType, RestrictionInfo]
    parent: GroupRef | None


class GroupTree:
    """A domain's package groups (the root included even when not stored)."""

    def __init__(self, groups: Iterable[GroupSettings]) -> None:
        self.groups: dict[str, GroupSettings] = {}
        for group in groups:
            self.groups[group.pattern.text] = group
        if ROOT_PATTERN not in self.groups:
            self.groups[ROOT_PATTERN] = GroupSettings.root()
        self._parents: dict[str, str | None] = {}

    def __contains__(self, pattern: str) -> bool:
        return pattern in self.groups

    def get(self, pattern: str) -> GroupSettings | None:
        return self.groups.get(pattern)

    def with_group(self, group: GroupSettings) -> GroupTree:
        """This tree plus (or with a replaced) ``group``."""
        return GroupTree([*self.groups.values(), group])

    def _candidates(self, fmt: PackageFormat | None) -> Iterable[GroupSettings]:
        for group in self.groups.values():
            if group.pattern.format is None or fmt is None or group.pattern.format is fmt:
                yield group

    def parent(self, pattern: str) -> str | None:
        """The most specific other group containing ``pattern``'s packages (None for the root)."""
        if pattern in self._parents:
            return self._parents[pattern]
        target = self.groups[pattern].pattern
        best: PackageGroupPattern | None = None
        if not target.is_root:
            for group in self._candidates(target.format):
                other = group.pattern
                if other.text == target.text or not other.contains(target):
                    continue
                if best is None or (other.specificity, other.text) > (best.specificity, best.text):
                    best = other
        self._parents[pattern] = None if best is None else best.text
        return self._parents[pattern]

    def children(self, pattern: str) -> list[str]:
        """The groups whose parent is ``pattern``, sorted."""
        return sorted(p for p in self.groups if p != pattern and self.parent(p) == pattern)

    def effective(
        self, pattern: str, restriction: RestrictionType
    ) -> tuple[RestrictionMode, GroupSettings]:
        """The mode that applies to ``pattern``'s packages, and the group it is set on."""
        current: str | None = pattern
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            group = self.groups[current]
            mode = group.mode(restriction)
            if mode is not RestrictionMode.INHERIT:
                return mode, group
            current = self.parent(current)
        root = self.groups[ROOT_PATTERN]  # unreachable with a valid root; fail closed
        return RestrictionMode.BLOCK, root

    def associate(self, key: PackageKey) -> tuple[GroupSettings, AssociationType]:
        """The group ``key`` belongs to: the most specific match, strong or weak."""
        key = normalize_key(key)
        root = self.groups[ROOT_PATTERN]
        found = (root, AssociationType.STRONG)  # the root matches everything
        best = (root.pattern.specificity, True, root.pattern.text)
        for group in self._candidates(key.format):
            association = group.pattern.match(key)
            if association is None:
                continue
            rank = (
                group.pattern.specificity,
                association is AssociationType.STRONG,
                group.pattern.text,
            )
            if rank > best:
                best, found = rank, (group, association)
        return found

    def decide(self, key: PackageKey, repository: str) -> Decision:
        """What ``key``'s group lets into ``repository`` (see :class:`Decision`)."""
        group, association = self.associate(key)
        allowed: dict[RestrictionType, bool] = {}
        modes: dict[RestrictionType, RestrictionMode] = {}
        for restriction in RestrictionType:
            mode, source = self.effective(group.pattern.text, restriction)
            modes[restriction] = mode
            allowed[restriction] = association is AssociationType.STRONG and (
                mode is RestrictionMode.ALLOW
                or (
                    mode is RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES
                    and repository in source.allowed_repositories(restriction)
                )
            )
        return Decision(
            group=group.pattern.text,
            association=association,
            publish=allowed[RestrictionType.PUBLISH],
            external_upstream=allowed[RestrictionType.EXTERNAL_UPSTREAM],
            internal_upstream=allowed[RestrictionType.INTERNAL_UPSTREAM],
            modes=modes,
        )
