"""Core metadata: read it out of a distribution, validate it, and list its dependencies.

``read_metadata`` trusts nothing in the archive (see :mod:`.archives` for the safety rules) and
returns the metadata file's exact bytes, which the server publishes verbatim as the PEP 658
``{file}.metadata`` file.

Validation follows Warehouse where installers are concerned and stays lenient where they are not:

* Refused: bytes that are not UTF-8; a missing or malformed ``Metadata-Version``, ``Name`` or
  ``Version``; malformed ``Requires-Python``, ``Requires-Dist``, ``Provides-Extra`` or
  ``Dynamic``; a known field repeated or not text; a metadata major version other than 1 or 2.
* Tolerated, as pip and uv do: unknown fields, fields newer than the declared
  ``Metadata-Version`` (setuptools wrote ``License-File`` into 2.1 metadata for years), future
  2.x minor versions, and display-only fields that packaging would reject (e.g. an old
  ``Description-Content-Type: UNKNOWN``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from packaging.metadata import InvalidMetadata, Metadata, RawMetadata, parse_email
from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from coffer.formats.pypi.archives import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    open_zip,
    read_tar_gz,
    read_zip_member,
)
from coffer.formats.pypi.errors import InvalidDistribution
from coffer.formats.pypi.filenames import DistributionFile
from coffer.formats.pypi.names import normalize

__all__ = ["CoreMetadata", "Dependency", "dependencies", "parse_core_metadata", "read_metadata"]

REQUIRES_DIST: Final = "Requires-Dist"

_KNOWN_FIELDS: Final = frozenset(
    {
        "author", "author-email", "classifier", "description", "description-content-type",
        "download-url", "dynamic", "home-page", "import-name", "import-namespace", "keywords",
        "license", "license-expression", "license-file", "maintainer", "maintainer-email",
        "metadata-version", "name", "obsoletes", "obsoletes-dist", "platform", "project-url",
        "provides", "provides-dist", "provides-extra", "requires", "requires-dist",
        "requires-external", "requires-python", "summary", "supported-platform", "version",
    }
)  # fmt: skip
# Fields installers act on; packaging validates each when it is read.
_CHECKED: Final = (
    "name",
    "version",
    "requires_python",
    "requires_dist",
    "provides_extra",
    "dynamic",
)


@dataclass(frozen=True)
class CoreMetadata:
    """One distribution's core metadata, spelled as in the file; ``raw`` is the file itself."""

    raw: bytes
    sha256: str
    metadata_version: str
    name: str
    version: str
    summary: str | None = None
    description: str | None = None
    description_content_type: str | None = None
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    provides_extra: tuple[str, ...] = ()
    dynamic: tuple[str, ...] = ()
    home_page: str | None = None
    download_url: str | None = None
    project_urls: Mapping[str, str] = field(default_factory=dict)
    license: str | None = None
    license_expression: str | None = None
    license_files: tuple[str, ...] = ()
    author: str | None = None
    author_email: str | None = None
    maintainer: str | None = None
    maintainer_email: str | None = None
    keywords: tuple[str, ...] = ()
    classifiers: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dependency:
    """One ``Requires-Dist`` line in the shape of CodeArtifact's ``PackageDependency``.

    ``version_requirement`` is the PEP 440 specifier (``<3,>=1.21``), the URL of a direct
    reference, or None when any version will do; extras and the environment marker are kept
    apart so that the specifier stays a plain version range. PyPI packages have no namespace.
    """

    package: str
    dependency_type: str = REQUIRES_DIST
    version_requirement: str | None = None
    extras: tuple[str, ...] = ()
    marker: str | None = None
    namespace: str | None = None


def read_metadata(
    path: Path, dist: DistributionFile, *, limits: ArchiveLimits = DEFAULT_LIMITS
) -> CoreMetadata:
    """The core metadata of the distribution at ``path``, whose filename ``dist`` describes."""
    if dist.is_wheel:
        source, raw = "METADATA", _wheel_metadata(path, dist, limits)
    elif dist.is_zip:
        source, raw = "PKG-INFO", _zip_sdist_metadata(path, dist, limits)
    else:
        source, raw = "PKG-INFO", _tar_sdist_metadata(path, dist, limits)
    metadata = parse_core_metadata(raw, source=source)
    _check_identity(metadata, dist, source)
    return metadata


def parse_core_metadata(raw: bytes, *, source: str = "METADATA") -> CoreMetadata:
    """Parse and validate a METADATA / PKG-INFO file; ``source`` names it in messages."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidDistribution(
            f"{source} is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    fields, unparsed = parse_email(text)
    problems = [
        f"field {key!r} is repeated or malformed"
        for key in sorted(unparsed)
        if key in _KNOWN_FIELDS
    ]
    problems += _field_problems(fields, set(unparsed))
    if problems:
        raise InvalidDistribution(f"Invalid {source}: " + "; ".join(problems))
    return _core_metadata(raw, fields)


def dependencies(metadata: CoreMetadata) -> list[Dependency]:
    """Every ``Requires-Dist`` of ``metadata``, in file order, names normalised."""
    return [_dependency(Requirement(line)) for line in metadata.requires_dist]


def _dependency(requirement: Requirement) -> Dependency:
    return Dependency(
        package=normalize(requirement.name),
        version_requirement=requirement.url or str(requirement.specifier) or None,
        extras=tuple(sorted(requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else None,
    )


def _field_problems(fields: RawMetadata, unparsed: set[str]) -> list[str]:
    problems = []
    version_problem = _metadata_version_problem(fields.get("metadata_version"))
    if version_problem and "metadata-version" not in unparsed:
        problems.append(version_problem)
    parsed = Metadata.from_raw(fields, validate=False)
    for attribute in _CHECKED:
        if attribute.replace("_", "-") in unparsed:
            continue
        try:
            getattr(parsed, attribute)
        except InvalidMetadata as exc:
            problems.append(str(exc))
    return problems


def _metadata_version_problem(version: str | None) -> str | None:
    if version is None:
        return "'metadata-version' is a required field"
    try:
        _ = Metadata.from_raw({"metadata_version": version}, validate=False).metadata_version
    except InvalidMetadata:
        if version.partition(".")[0] != "2" or not version.partition(".")[2].isdigit():
            return f"unsupported Metadata-Version {version!r}"
    return None


def _core_metadata(raw: bytes, fields: RawMetadata) -> CoreMetadata:
    return CoreMetadata(
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        metadata_version=fields["metadata_version"],
        name=fields["name"],
        version=fields["version"],
        summary=fields.get("summary"),
        description=fields.get("description"),
        description_content_type=fields.get("description_content_type"),
        requires_python=fields.get("requires_python"),
        requires_dist=tuple(fields.get("requires_dist", ())),
        provides_extra=tuple(fields.get("provides_extra", ())),
        dynamic=tuple(fields.get("dynamic", ())),
        home_page=fields.get("home_page"),
        download_url=fields.get("download_url"),
        project_urls=dict(fields.get("project_urls", {})),
        license=fields.get("license"),
        license_expression=fields.get("license_expression"),
        license_files=tuple(fields.get("license_files", ())),
        author=fields.get("author"),
        author_email=fields.get("author_email"),
        maintainer=fields.get("maintainer"),
        maintainer_email=fields.get("maintainer_email"),
        keywords=tuple(fields.get("keywords", ())),
        classifiers=tuple(fields.get("classifiers", ())),
        platforms=tuple(fields.get("platforms", ())),
    )


def _check_identity(metadata: CoreMetadata, dist: DistributionFile, source: str) -> None:
    if normalize(metadata.name) != dist.normalized_name:
        raise InvalidDistribution(
            f"Name in {source} ({metadata.name!r}) does not match the filename ({dist.name!r})"
        )
    if Version(metadata.version) != dist.version:
        raise InvalidDistribution(
            f"Version in {source} ({metadata.version!r}) does not match the filename "
            f"({dist.version_string!r})"
        )


# --- locating the metadata file ----------------------------------------------------------------


def _matches(stem: str, dist: DistributionFile) -> bool:
    """Whether ``{name}-{version}`` (a .dist-info or sdist directory name) is ``dist``'s."""
    name, dash, version = stem.rpartition("-")
    if not dash or normalize(name) != dist.normalized_name:
        return False
    try:
        return Version(version) == dist.version
    except InvalidVersion:
        return False


def _wheel_metadata(path: Path, dist: DistributionFile, limits: ArchiveLimits) -> bytes:
    with open_zip(path, "wheel", limits) as archive:
        names = set(archive.namelist())
        dist_info = _dist_info_dir(names, dist)
        for required in ("METADATA", "WHEEL"):
            if f"{dist_info}/{required}" not in names:
                raise InvalidDistribution(f"Wheel has no {dist_info}/{required} file")
        return read_zip_member(archive, f"{dist_info}/METADATA", "METADATA", limits)


def _dist_info_dir(names: set[str], dist: DistributionFile) -> str:
    tops = {top for top, slash, _ in (name.partition("/") for name in names) if slash}
    found = sorted(top for top in tops if top.endswith(".dist-info"))
    if not found:
        raise InvalidDistribution("Wheel has no .dist-info directory")
    if len(found) > 1:
        listed = ", ".join(repr(d) for d in found)
        raise InvalidDistribution(f"Wheel has more than one .dist-info directory: {listed}")
    if not _matches(found[0].removesuffix(".dist-info"), dist):
        raise InvalidDistribution(
            f"Wheel's {found[0]!r} directory does not match the filename ({dist.filename!r})"
        )
    return found[0]


def _pkg_info_finder(dist: DistributionFile) -> Callable[[str], bool]:
    def wanted(name: str) -> bool:
        top, slash, rest = name.partition("/")
        return bool(slash) and rest == "PKG-INFO" and _matches(top, dist)

    return wanted


def _zip_sdist_metadata(path: Path, dist: DistributionFile, limits: ArchiveLimits) -> bytes:
    wanted = _pkg_info_finder(dist)
    with open_zip(path, "sdist", limits) as archive:
        found = [name for name in archive.namelist() if wanted(name)]
        if len(found) > 1:
            raise InvalidDistribution(
                f"Archive has more than one PKG-INFO: {found[0]!r} and {found[1]!r}"
            )
        if not found:
            raise _no_pkg_info(dist)
        return read_zip_member(archive, found[0], "PKG-INFO", limits)


def _tar_sdist_metadata(path: Path, dist: DistributionFile, limits: ArchiveLimits) -> bytes:
    found = read_tar_gz(path, _pkg_info_finder(dist), "PKG-INFO", limits)
    if not found:
        raise _no_pkg_info(dist)
    return next(iter(found.values()))


def _no_pkg_info(dist: DistributionFile) -> InvalidDistribution:
    expected = f"{dist.name}-{dist.version_string}/PKG-INFO"
    return InvalidDistribution(f"Sdist has no PKG-INFO (expected {expected!r})")
