"""External connections as the services see them: an index of a public registry.

The services know nothing of HTTP: an adapter per format (``coffer.remotes``) implements
:class:`RemoteIndex` and is handed in by the composition root. These dataclasses are what an
adapter returns; they are also what the shared index cache stores (as JSON).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from coffer.errors import RegistryError

__all__ = [
    "NOT_MODIFIED",
    "RemoteFile",
    "RemoteIndex",
    "RemoteProject",
    "RemoteTimeout",
    "RemoteUnavailable",
    "Remotes",
]

NOT_MODIFIED = "not-modified"


class RemoteUnavailable(RegistryError):
    """The upstream registry failed or sent something unusable (a 502 to clients)."""


class RemoteTimeout(RemoteUnavailable):
    """The upstream registry did not answer in time (a 504 to clients)."""


@dataclass(frozen=True)
class RemoteFile:
    filename: str
    version: str  # as the filename spells it
    url: str  # absolute URL to fetch the file from
    sha256: str | None = None
    size: int | None = None
    upload_time: float | None = None  # epoch seconds
    requires_python: str | None = None
    yanked: str | bool = False
    core_metadata_sha256: str | None = None  # set when the upstream serves ``{url}.metadata``


@dataclass(frozen=True)
class RemoteProject:
    name: str  # display name as the upstream gives it
    files: tuple[RemoteFile, ...]
    etag: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RemoteProject:
        files = tuple(RemoteFile(**item) for item in data["files"])
        return cls(name=data["name"], files=files, etag=data.get("etag"))


class RemoteIndex(Protocol):
    """One external connection's registry."""

    async def project(self, name: str, *, etag: str | None = None) -> RemoteProject | str | None:
        """The project's files; ``NOT_MODIFIED`` when ``etag`` still matches; None when the
        upstream has no such project. Raises :class:`RemoteUnavailable` / :class:`RemoteTimeout`."""
        ...

    def stream(self, url: str) -> AsyncIterator[bytes]:
        """The bytes at ``url`` (a file or its ``.metadata``); raises :class:`RemoteUnavailable`
        on HTTP errors and on bodies shorter than announced."""
        ...


class Remotes(Protocol):
    """The remote index behind each external connection name, or None if not configured."""

    def index(self, connection: str) -> RemoteIndex | None: ...

    async def aclose(self) -> None: ...
