"""The legacy upload form (``POST`` multipart) as twine, poetry, uv, pdm, hatch and flit send it.

Clients differ (``notes/clients.md`` §4), so the form is read leniently and checked strictly:

* Empty strings mean "absent" (pdm sends every field, empty when unset); unknown fields are
  ignored, and so are the metadata fields: the metadata inside the file is the truth.
* ``:action`` must be ``file_upload``; ``submit`` (poetry's project registration) is recognised by
  :func:`read_action` so the route can answer it without an upload.
* ``protocol_version``, when sent, must be ``1``.
* ``name`` may be spelled any way (uv sends ``Rich_Pkg``); it is compared normalised.
* ``pyversion`` may be absent (flit sends none for sdists): it is then derived from the filename.
  An sdist's ``pyversion`` can only be ``source``.
* Digests are optional (twine and uv send no md5, flit no blake2); those sent must be well-formed
  hex and are checked against the bytes received by :meth:`UploadForm.check_digests`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from packaging.version import InvalidVersion, Version

from coffer.formats.pypi.errors import DigestMismatch, InvalidProjectName, InvalidUpload
from coffer.formats.pypi.filenames import (
    BDIST_WHEEL,
    SDIST,
    DistributionFile,
    Kind,
    parse_distribution_filename,
)
from coffer.formats.pypi.metadata import CoreMetadata
from coffer.formats.pypi.names import check_project_name, normalize

__all__ = ["UploadAction", "UploadForm", "read_action"]

Fields = Mapping[str, Sequence[str]]

_DIGESTS: Final = {
    "sha256_digest": re.compile(r"[0-9a-f]{64}"),
    "md5_digest": re.compile(r"[0-9a-f]{32}"),
    "blake2_256_digest": re.compile(r"[0-9a-f]{64}"),
}
_FILETYPES: Final[dict[str, Kind]] = {BDIST_WHEEL: BDIST_WHEEL, SDIST: SDIST}


class UploadAction(StrEnum):
    FILE_UPLOAD = "file_upload"
    SUBMIT = "submit"


def read_action(fields: Fields) -> UploadAction:
    """The form's ``:action``: ``file_upload`` or ``submit``; anything else is refused."""
    action = _single(fields, ":action")
    if action is None:
        raise InvalidUpload("Missing ':action' field; expected ':action=file_upload'")
    try:
        return UploadAction(action)
    except ValueError:
        raise InvalidUpload(
            f"Unsupported ':action' {action!r}; this server accepts 'file_upload'"
        ) from None


@dataclass(frozen=True, slots=True)
class UploadForm:
    """A validated ``file_upload`` form; digests are lower-case hex or None when not sent."""

    filename: str
    name: str
    version: str
    filetype: Kind
    pyversion: str
    sha256_digest: str | None = None
    md5_digest: str | None = None
    blake2_256_digest: str | None = None

    @classmethod
    def from_fields(cls, fields: Fields, filename: str) -> UploadForm:
        """Validate the form's fields; ``filename`` is the file part's filename."""
        action = read_action(fields)
        if action is not UploadAction.FILE_UPLOAD:
            raise InvalidUpload(
                f"':action' must be 'file_upload' to upload a file, not {action.value!r}"
            )
        protocol = _single(fields, "protocol_version")
        if protocol not in (None, "1"):
            raise InvalidUpload(f"Unsupported protocol_version {protocol!r}; expected '1'")
        dist = parse_distribution_filename(filename)
        filetype = _filetype(fields)
        return cls(
            filename=filename,
            name=_name(fields),
            version=_version(fields),
            filetype=filetype,
            pyversion=_pyversion(fields, filetype, dist),
            sha256_digest=_digest(fields, "sha256_digest"),
            md5_digest=_digest(fields, "md5_digest"),
            blake2_256_digest=_digest(fields, "blake2_256_digest"),
        )

    def check_against(self, dist: DistributionFile, metadata: CoreMetadata) -> None:
        """Refuse a form whose name, version or filetype contradicts the file or its metadata."""
        for source, name, version in (
            ("the filename", dist.name, dist.version_string),
            ("the file's metadata", metadata.name, metadata.version),
        ):
            if normalize(self.name) != normalize(name):
                raise InvalidUpload(
                    f"Name in the upload form ({self.name!r}) does not match {source} ({name!r})"
                )
            if Version(self.version) != Version(version):
                raise InvalidUpload(
                    f"Version in the upload form ({self.version!r}) does not match {source} "
                    f"({version!r})"
                )
        if self.filetype != dist.kind:
            raise InvalidUpload(
                f"filetype {self.filetype!r} in the upload form does not match the filename "
                f"{dist.filename!r}, which is a {dist.kind}"
            )

    def check_digests(self, *, sha256: str, md5: str, blake2_256: str) -> None:
        """Compare each digest the client sent with the one computed over the received bytes."""
        for field, sent, computed in (
            ("sha256_digest", self.sha256_digest, sha256),
            ("md5_digest", self.md5_digest, md5),
            ("blake2_256_digest", self.blake2_256_digest, blake2_256),
        ):
            if sent is not None and sent != computed.lower():
                raise DigestMismatch(f"{field} does not match the uploaded file")


def _single(fields: Fields, key: str) -> str | None:
    raw = fields.get(key, ())
    values = {value.strip() for value in ([raw] if isinstance(raw, str) else raw)} - {""}
    if len(values) > 1:
        raise InvalidUpload(f"Field {key!r} was sent more than once with different values")
    return values.pop() if values else None


def _required(fields: Fields, key: str) -> str:
    value = _single(fields, key)
    if value is None:
        raise InvalidUpload(f"Missing required field {key!r}")
    return value


def _name(fields: Fields) -> str:
    try:
        return check_project_name(_required(fields, "name"))
    except InvalidProjectName as exc:
        raise InvalidUpload(exc.message) from None


def _version(fields: Fields) -> str:
    version = _required(fields, "version")
    try:
        Version(version)
    except InvalidVersion:
        raise InvalidUpload(f"Invalid version {version!r}: not a PEP 440 version") from None
    return version


def _filetype(fields: Fields) -> Kind:
    filetype = _required(fields, "filetype")
    if filetype not in _FILETYPES:
        raise InvalidUpload(
            f"Unsupported filetype {filetype!r}; upload wheels (bdist_wheel) or sdists (sdist)"
        )
    return _FILETYPES[filetype]


def _pyversion(fields: Fields, filetype: Kind, dist: DistributionFile) -> str:
    pyversion = _single(fields, "pyversion")
    if filetype == SDIST:
        if pyversion not in (None, "source"):
            raise InvalidUpload(f"pyversion {pyversion!r} is not valid for an sdist; use 'source'")
        return "source"
    return pyversion or dist.pyversion


def _digest(fields: Fields, key: str) -> str | None:
    value = _single(fields, key)
    if value is None:
        return None
    value = value.lower()
    if not _DIGESTS[key].fullmatch(value):
        raise InvalidUpload(f"{key} is not a hex digest of the expected length: {value[:80]!r}")
    return value
