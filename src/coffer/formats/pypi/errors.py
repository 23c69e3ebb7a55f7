"""Errors a PyPI client can cause; each message is shown to the uploader as is.

::

    coffer.errors.ValidationError
    ├── InvalidProjectName      not a PEP 508 name
    ├── InvalidDistribution     the file: its name, its archive, its core metadata
    └── InvalidUpload           the legacy upload form
        └── DigestMismatch      a digest in the form disagrees with the bytes received
"""

from __future__ import annotations

from coffer.errors import ValidationError

__all__ = ["DigestMismatch", "InvalidDistribution", "InvalidProjectName", "InvalidUpload"]


class InvalidProjectName(ValidationError):
    """A project name that PEP 508 does not allow."""


class InvalidDistribution(ValidationError):
    """A distribution file that is misnamed, unsafe to unpack, or carries bad metadata."""


class InvalidUpload(ValidationError):
    """A legacy upload form that is missing fields or contradicts the file it carries."""


class DigestMismatch(InvalidUpload):
    """The uploader's digest of the file is not the digest of the bytes we received."""
