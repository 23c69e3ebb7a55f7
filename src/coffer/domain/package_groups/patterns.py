"""The package group pattern grammar: parsing and validating patterns, and their ARN encoding.

**Grammar** (CodeArtifact user guide, "Package group definition syntax and matching
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
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

from coffer.domain.package_groups.matching import (
    ROOT_PATTERN,
    PackageGroupPattern,
    Scope,
    ends_with_word,
)
from coffer.domain.package_groups.normalize import normalize_name, normalize_namespace
from coffer.domain.packages import PackageFormat
from coffer.errors import ValidationError

__all__ = [
    "NAMESPACE_REQUIRED",
    "NO_NAMESPACE",
    "decode_pattern",
    "encode_pattern",
    "parse_pattern",
]

NO_NAMESPACE = frozenset(
    {PackageFormat.PYPI, PackageFormat.NUGET, PackageFormat.RUBY, PackageFormat.CARGO}
)
"""Formats whose packages never have a namespace: their patterns leave it blank."""

NAMESPACE_REQUIRED = frozenset({PackageFormat.MAVEN, PackageFormat.GENERIC, PackageFormat.SWIFT})
"""Formats whose patterns must name the namespace whenever they name the package."""

_SUFFIXES = "*~$"
_FORBIDDEN_IN_COMPONENT = re.compile(r"[#*~$]")
_MAX_COMPONENT = 255


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
        if not ends_with_word(text):
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


def _check_text(pattern: str) -> None:
    """What every pattern must be, whatever its scope."""
    if len(pattern) < 2 or len(pattern) > 520:
        raise _invalid(pattern, "a pattern has 2 to 520 characters")
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in pattern):
        raise _invalid(pattern, "whitespace and control characters are not allowed")
    if not pattern.startswith("/"):
        raise _invalid(pattern, "a pattern starts with '/'")
    if pattern[-1] not in _SUFFIXES:
        raise _invalid(pattern, "a pattern ends with '*', '~' or '$'")


def _format(pattern: str, text: str) -> PackageFormat:
    try:
        return PackageFormat(text)
    except ValueError:
        formats = ", ".join(f.value for f in PackageFormat)
        raise _invalid(pattern, f"unknown package format '{text}' ({formats})") from None


def _namespace_pattern(pattern: str, fmt: PackageFormat, last: str) -> PackageGroupPattern:
    """``/<format>/*`` or ``/<format>/<namespace prefix>{*,~}``."""
    if last == "*":
        return PackageGroupPattern(pattern, Scope.FORMAT, fmt)
    namespace, suffix = _split_suffix(pattern, last, "namespace")
    if suffix == "$":
        raise _invalid(pattern, "'$' matches a whole package: /<format>/<namespace>/<name>$")
    if fmt in NO_NAMESPACE:
        raise _invalid(pattern, f"{fmt.value} packages have no namespace")
    _check_normalized(pattern, "namespace", namespace, normalize_namespace(fmt, namespace), suffix)
    return PackageGroupPattern(pattern, Scope.NAMESPACE, fmt, namespace, word=suffix == "~")


def _name_pattern(
    pattern: str, fmt: PackageFormat, namespace: str, last: str
) -> PackageGroupPattern:
    """``/<format>/<namespace>/`` then ``*``, a name prefix and ``*`` or ``~``, or a name and
    ``$``."""
    _check_component(pattern, "namespace", namespace)
    if namespace and fmt in NO_NAMESPACE:
        raise _invalid(
            pattern, f"{fmt.value} packages have no namespace; leave it blank: /{fmt.value}//…"
        )
    if not namespace and fmt in NAMESPACE_REQUIRED:
        raise _invalid(pattern, f"{fmt.value} packages need a namespace when a name is given")
    _check_normalized(pattern, "namespace", namespace, normalize_namespace(fmt, namespace), "/")
    name, suffix = ("", "*") if last == "*" else _split_suffix(pattern, last, "name")
    _check_normalized(pattern, "name", name, normalize_name(fmt, name), suffix)
    scope = Scope.EXACT if suffix == "$" else Scope.NAME
    return PackageGroupPattern(pattern, scope, fmt, namespace, name, word=suffix == "~")


def parse_pattern(pattern: str) -> PackageGroupPattern:
    """Parse and validate a package group pattern; raises :class:`ValidationError`."""
    _check_text(pattern)
    parts = pattern[1:].split("/")
    if len(parts) > 3:
        raise _invalid(pattern, "a pattern has at most a format, a namespace and a name")
    if len(parts) == 1:
        if pattern == ROOT_PATTERN:
            return PackageGroupPattern(pattern, Scope.ALL)
        raise _invalid(pattern, "the format cannot be matched by prefix; use '/*' or '/<format>/*'")
    fmt = _format(pattern, parts[0])
    if len(parts) == 2:
        return _namespace_pattern(pattern, fmt, parts[1])
    return _name_pattern(pattern, fmt, parts[1], parts[2])


def encode_pattern(pattern: str) -> str:
    """The pattern as its ARN carries it: percent-encoded (lower-case hex) except letters,
    digits, ``-._~`` and ``/`` (``/npm/*`` → ``/npm/%2a``, ``$`` → ``%24``)."""
    encoded = quote(pattern, safe="/~")
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), encoded)


def decode_pattern(encoded: str) -> str:
    return unquote(encoded, errors="strict")
