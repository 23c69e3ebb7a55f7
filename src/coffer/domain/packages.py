"""Packages, versions and assets: one model for every format, and the rules on statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

__all__ = [
    "AssetInfo",
    "Dependency",
    "OriginRestrictions",
    "PackageFormat",
    "PackageInfo",
    "PackageKey",
    "VersionInfo",
    "VersionMetadata",
    "VersionStatus",
    "canonical_name",
    "canonical_version",
    "version_sort_key",
]


class PackageFormat(StrEnum):
    NPM = "npm"
    PYPI = "pypi"
    MAVEN = "maven"
    NUGET = "nuget"
    GENERIC = "generic"
    RUBY = "ruby"
    SWIFT = "swift"
    CARGO = "cargo"


class VersionStatus(StrEnum):
    PUBLISHED = "Published"
    UNFINISHED = "Unfinished"
    UNLISTED = "Unlisted"
    ARCHIVED = "Archived"
    DISPOSED = "Disposed"
    DELETED = "Deleted"

    @property
    def listed(self) -> bool:
        """Shown in package indexes (``simple/``, version lists clients resolve from)."""
        return self is VersionStatus.PUBLISHED

    @property
    def downloadable(self) -> bool:
        """Its files can be fetched (Unlisted ones too: pinned installs keep working)."""
        return self in (VersionStatus.PUBLISHED, VersionStatus.UNLISTED)


@dataclass(frozen=True)
class PackageKey:
    format: PackageFormat
    namespace: str  # "" for formats without namespaces
    name: str  # normalised as the format normalises names


@dataclass(frozen=True)
class OriginRestrictions:
    publish: str = "ALLOW"
    upstream: str = "BLOCK"


@dataclass(frozen=True)
class Dependency:
    package: str
    namespace: str | None = None
    dependency_type: str | None = None
    version_requirement: str | None = None


@dataclass(frozen=True)
class VersionMetadata:
    """What a format's parser read from an upload; shown by DescribePackageVersion and friends."""

    summary: str | None = None
    home_page: str | None = None
    source_code_repository: str | None = None
    licenses: tuple[tuple[str, str | None], ...] = ()
    readme: str | None = None
    readme_content_type: str | None = None
    requires_python: str | None = None
    dependencies: tuple[Dependency, ...] = ()


@dataclass(frozen=True)
class AssetInfo:
    name: str
    size: int
    sha256: str
    md5: str
    sha1: str
    sha512: str
    blake2b_256: str
    created_at: float
    metadata_sha256: str | None = None

    @property
    def hashes(self) -> dict[str, str]:
        return {"MD5": self.md5, "SHA-1": self.sha1, "SHA-256": self.sha256, "SHA-512": self.sha512}


@dataclass(frozen=True)
class VersionInfo:
    package: PackageKey
    display_name: str
    version: str
    status: VersionStatus
    revision: str
    origin_type: str
    published_at: float
    metadata: VersionMetadata
    repository_name: str  # the repository this description is read from
    assets: tuple[AssetInfo, ...] = field(default=())
    origin_repository: str | None = None  # where it entered the domain, if published
    origin_external: str | None = None  # the external connection, if ingested
    status_reason: str | None = None  # e.g. an upstream's yank reason


@dataclass(frozen=True)
class PackageInfo:
    key: PackageKey
    display_name: str
    origin: OriginRestrictions
    generation: int


_PYPI_SEPARATORS = re.compile(r"[-_.]+")


def canonical_name(fmt: PackageFormat, name: str) -> str:
    """The form a format compares names in (PyPI: PEP 503; others: as given)."""
    if fmt is PackageFormat.PYPI:
        return _PYPI_SEPARATORS.sub("-", name).lower()
    return name


def canonical_version(fmt: PackageFormat, version: str) -> str:
    """The form a format compares versions in (PyPI: PEP 440 canonical; others: as given)."""
    if fmt is PackageFormat.PYPI:
        try:
            return canonicalize_version(Version(version))
        except InvalidVersion:
            return version
    return version


def version_sort_key(fmt: PackageFormat, version: str) -> tuple[int, Version | None, str]:
    """Orders versions the way the format does; unparseable ones sort first, by text."""
    if fmt is PackageFormat.PYPI:
        try:
            return (1, Version(version), version)
        except InvalidVersion:
            pass
    return (0, None, version)
