"""PyPI, sans-IO: names, distribution filenames, safe archive reading, core metadata, the legacy
upload form, and the Simple Repository API pages. Nothing here touches HTTP, the database or
the event loop; ``routes.py`` is the only module that does (and is not imported here)."""

from coffer.formats.pypi.archives import DEFAULT_LIMITS, ArchiveLimits
from coffer.formats.pypi.errors import (
    DigestMismatch,
    InvalidDistribution,
    InvalidProjectName,
    InvalidUpload,
)
from coffer.formats.pypi.filenames import (
    BDIST_WHEEL,
    SDIST,
    DistributionFile,
    Kind,
    filetype_for,
    parse_distribution_filename,
)
from coffer.formats.pypi.metadata import (
    CoreMetadata,
    Dependency,
    dependencies,
    parse_core_metadata,
    read_metadata,
)
from coffer.formats.pypi.names import check_project_name, is_valid_project_name, normalize
from coffer.formats.pypi.simple import (
    API_VERSION,
    IndexFile,
    ProjectIndex,
    SimpleFormat,
    negotiate,
    render_project_html,
    render_project_json,
    render_root_html,
    render_root_json,
)
from coffer.formats.pypi.upload import UploadAction, UploadForm, read_action

__all__ = [
    "API_VERSION",
    "BDIST_WHEEL",
    "DEFAULT_LIMITS",
    "SDIST",
    "ArchiveLimits",
    "CoreMetadata",
    "Dependency",
    "DigestMismatch",
    "DistributionFile",
    "IndexFile",
    "InvalidDistribution",
    "InvalidProjectName",
    "InvalidUpload",
    "Kind",
    "ProjectIndex",
    "SimpleFormat",
    "UploadAction",
    "UploadForm",
    "check_project_name",
    "dependencies",
    "filetype_for",
    "is_valid_project_name",
    "negotiate",
    "normalize",
    "parse_core_metadata",
    "parse_distribution_filename",
    "read_action",
    "read_metadata",
    "render_project_html",
    "render_project_json",
    "render_root_html",
    "render_root_json",
]
