"""The forms package names are compared in: the format's normalization (what patterns must be
written in, and what packages are matched in) and the weak form (what a *weak* match compares)."""

from __future__ import annotations

import re
import unicodedata

from coffer.domain.packages import PackageFormat, PackageKey, canonical_name

__all__ = ["normalize_key", "normalize_name", "normalize_namespace", "weak_form"]


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
