"""Project listings (from the services) → the page model ``simple.py`` renders."""

from __future__ import annotations

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

from coffer.domain.packages import VersionStatus
from coffer.formats.pypi.simple import IndexFile, ProjectIndex
from coffer.services.artifacts import ProjectListing

__all__ = ["canonical_version", "project_index"]


def canonical_version(text: str) -> str:
    """The PEP 440 canonical form the store keys versions by (text as-is if not PEP 440)."""
    try:
        return canonicalize_version(Version(text))
    except InvalidVersion:
        return text


def project_index(listing: ProjectListing, project_path: str) -> ProjectIndex:
    """Files link path-absolutely to ``{project_path}/{version}/{file}``, so they resolve the
    same whether or not the client's index URL ended in a slash."""
    files: list[IndexFile] = []
    for version in listing.versions:
        yanked: str | bool = False
        if version.status is VersionStatus.UNLISTED:
            yanked = version.status_reason or "Unlisted"
        for asset in version.assets:
            files.append(
                IndexFile(
                    filename=asset.name,
                    url=f"{project_path}/{version.version}/{asset.name}",
                    sha256=asset.sha256,
                    size=asset.size,
                    upload_time=asset.created_at,
                    requires_python=version.metadata.requires_python,
                    yanked=yanked,
                    core_metadata_sha256=asset.metadata_sha256,
                )
            )
    return ProjectIndex(
        name=listing.package.display_name,
        normalized_name=listing.package.key.name,
        versions=tuple(v.version for v in listing.versions),
        files=tuple(files),
    )
