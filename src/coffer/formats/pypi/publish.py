"""From a spooled legacy upload to what the publishing service stores (runs in a thread)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.utils import canonicalize_version

from coffer.domain.packages import Dependency, PackageFormat, PackageKey, VersionMetadata
from coffer.formats.multipart import SpooledUpload
from coffer.formats.pypi.errors import InvalidUpload
from coffer.formats.pypi.filenames import parse_distribution_filename
from coffer.formats.pypi.metadata import CoreMetadata, dependencies, read_metadata
from coffer.formats.pypi.upload import UploadForm

__all__ = ["PreparedUpload", "prepare_upload", "version_metadata"]

_SOURCE_LABELS = re.compile(r"source|repository|code|github|gitlab", re.IGNORECASE)


@dataclass(frozen=True)
class PreparedUpload:
    key: PackageKey
    display_name: str
    version: str
    canonical_version: str
    filename: str
    metadata: VersionMetadata
    core_metadata: bytes | None


def prepare_upload(upload: SpooledUpload) -> PreparedUpload:
    """Validate the form, the filename, the digests and the archive's metadata; blocking I/O."""
    if upload.path is None or upload.filename is None:
        raise InvalidUpload("The upload has no file: send it in the 'content' field")
    form = UploadForm.from_fields(upload.fields, upload.filename)
    form.check_digests(sha256=upload.sha256, md5=upload.md5, blake2_256=upload.blake2_256)
    dist = parse_distribution_filename(upload.filename)
    core = read_metadata(upload.path, dist)
    form.check_against(dist, core)
    return PreparedUpload(
        key=PackageKey(PackageFormat.PYPI, "", dist.normalized_name),
        display_name=core.name,
        version=dist.version_string,
        canonical_version=canonicalize_version(dist.version),
        filename=upload.filename,
        metadata=version_metadata(core),
        core_metadata=core.raw if dist.is_wheel else None,
    )


def version_metadata(core: CoreMetadata) -> VersionMetadata:
    """What DescribePackageVersion and friends show, read from core metadata."""
    source = next(
        (url for label, url in core.project_urls.items() if _SOURCE_LABELS.search(label)), None
    )
    home = core.home_page or next(
        (url for label, url in core.project_urls.items() if label.lower() in ("homepage", "home")),
        None,
    )
    licenses: tuple[tuple[str, str | None], ...] = ()
    if core.license_expression:
        licenses = ((core.license_expression, None),)
    elif core.license:
        licenses = ((core.license.splitlines()[0][:255], None),)
    else:
        licenses = tuple(
            (c.rsplit(" :: ", 1)[-1], None) for c in core.classifiers if c.startswith("License ::")
        )
    return VersionMetadata(
        summary=core.summary,
        home_page=home,
        source_code_repository=source,
        licenses=licenses,
        readme=core.description,
        readme_content_type=core.description_content_type,
        requires_python=core.requires_python,
        dependencies=tuple(
            Dependency(
                package=dep.package,
                dependency_type=dep.dependency_type,
                version_requirement=dep.version_requirement,
            )
            for dep in dependencies(core)
        ),
    )
