"""Coffer data-plane URLs: ``{base}/{domain}-{owner}/{format}/{repository}/…``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["EndpointUrl", "parse_endpoint_url", "with_credentials", "without_credentials"]

_PATH = re.compile(
    r"^(?P<prefix>(?:/[^/]+)*?)"
    r"/(?P<domain>[a-z][a-z0-9-]*[a-z0-9])-(?P<owner>[0-9]{12})"
    r"/(?P<format>[a-z]+)/(?P<repository>[A-Za-z0-9][A-Za-z0-9._-]*)/"
)


@dataclass(frozen=True)
class EndpointUrl:
    """What a Coffer repository URL says about where it lives."""

    base: str  # scheme://host[:port][/prefix]: the server (and its control plane)
    domain: str
    owner: str
    package_format: str
    repository: str


def parse_endpoint_url(url: str) -> EndpointUrl | None:
    """The parts of a Coffer endpoint URL (or of any URL below one); None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    found = _PATH.match(parts.path)
    if found is None:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return EndpointUrl(
        base=f"{parts.scheme}://{netloc}{found['prefix']}",
        domain=found["domain"],
        owner=found["owner"],
        package_format=found["format"],
        repository=found["repository"],
    )


def without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


def with_credentials(url: str, username: str, password: str | None = None) -> str:
    """``url`` with ``username[:password]@`` in its netloc (both percent-encoded)."""
    parts = urlsplit(without_credentials(url))
    userinfo = quote(username, safe="")
    if password is not None:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))
