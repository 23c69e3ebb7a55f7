"""Reading upstream Simple Repository API project pages, sans-IO: bytes in, files out.

Both forms are read: PEP 691 JSON and PEP 503 HTML, with PEP 592 (yanked), 658/714 (core
metadata: ``core-metadata`` is preferred over the older ``dist-info-metadata``) and 700 (``size``,
``upload-time``). File URLs are resolved against the page URL (or an HTML ``<base href>``) and
lose any userinfo: credentials only ever come from the connection URL.

Lenient where pip is: a file entry that is unusable is skipped, not the whole page. Skipped are
entries without a filename or URL, files whose names ``parse_distribution_filename`` refuses
(``.egg``, ``.exe``, ``.tar.bz2`` …), files of another project (pip ignores those too), and repeats
of a filename already seen. Bad optional fields are dropped (``None``). A page that is not a
Simple API page at all, or declares an API major version other than 1, is a :class:`PageError`.

A core-metadata value of ``true`` (served, digest unknown) reads as ``None``: a
:class:`RemoteFile` can only say "served, with this sha256".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Final
from urllib.parse import unquote, urldefrag, urljoin, urlsplit, urlunsplit

from coffer.formats.pypi import InvalidDistribution, normalize, parse_distribution_filename
from coffer.services.external import RemoteFile

__all__ = ["PageError", "ProjectPage", "parse_html_page", "parse_json_page"]

_SHA256: Final = re.compile(r"[0-9a-fA-F]{64}")


class PageError(ValueError):
    """The upstream's answer is not a usable project page (the message names no URL)."""


@dataclass(frozen=True)
class ProjectPage:
    """What a project page says: its name (JSON pages only) and its distribution files."""

    name: str | None
    files: tuple[RemoteFile, ...]


# --- JSON (PEP 691) ------------------------------------------------------------------------------


def parse_json_page(body: bytes, page_url: str, project: str) -> ProjectPage:
    """The PEP 691 page ``body`` fetched from ``page_url`` for ``project``."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PageError("the JSON page does not parse") from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise PageError("the JSON page has no 'files' list")
    meta = document.get("meta")
    _check_api_version(meta.get("api-version") if isinstance(meta, dict) else None)
    name = document.get("name")
    entries = (_json_file(entry, page_url) for entry in document["files"])
    return ProjectPage(
        name=name if isinstance(name, str) and name else None,
        files=_keep_distributions(entries, project),
    )


def _json_file(entry: object, page_url: str) -> _Entry | None:
    if not isinstance(entry, dict):
        return None
    filename, url = entry.get("filename"), entry.get("url")
    if not isinstance(filename, str) or not isinstance(url, str):
        return None
    size = entry.get("size")
    return _Entry(
        filename=filename,
        url=_resolve(page_url, url),
        sha256=_digest(entry.get("hashes")),
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        upload_time=_epoch(entry.get("upload-time")),
        requires_python=_text(entry.get("requires-python")),
        yanked=_yanked(entry.get("yanked")),
        core_metadata_sha256=_digest(entry.get("core-metadata", entry.get("dist-info-metadata"))),
    )


def _digest(hashes: object) -> str | None:
    """The sha256 of a ``{"sha256": …}`` mapping; None for ``true``/``false`` or other digests."""
    return _sha256(hashes.get("sha256")) if isinstance(hashes, dict) else None


def _epoch(value: object) -> float | None:
    """ISO 8601 (``2024-11-08T17:25:47.436Z``) as epoch seconds; a naive time is UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _yanked(value: object) -> str | bool:
    """PEP 592: True, or a non-empty reason; an empty reason means True."""
    if isinstance(value, str):
        return value or True
    return value is True


# --- HTML (PEP 503) ------------------------------------------------------------------------------


def parse_html_page(text: str, page_url: str, project: str) -> ProjectPage:
    """The PEP 503 page ``text`` fetched from ``page_url`` for ``project``."""
    parser = _AnchorParser()
    parser.feed(text)
    parser.close()
    _check_api_version(parser.api_version)
    base = urljoin(page_url, parser.base_href) if parser.base_href else page_url
    entries = (_html_file(attributes, base) for attributes in parser.anchors)
    return ProjectPage(name=None, files=_keep_distributions(entries, project))


class _AnchorParser(HTMLParser):
    """Collects ``<a>`` attributes (already HTML-unescaped), ``<base href>`` and the API version."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base_href: str | None = None
        self.api_version: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.anchors.append(attributes)
        elif tag == "base" and self.base_href is None:
            self.base_href = attributes.get("href")
        elif tag == "meta" and attributes.get("name") == "pypi:repository-version":
            self.api_version = attributes.get("content")


def _html_file(attributes: Mapping[str, str | None], base: str) -> _Entry | None:
    url, fragment = urldefrag(_resolve(base, attributes.get("href") or ""))
    filename = unquote(urlsplit(url).path.rpartition("/")[2])
    if not filename:
        return None
    digest_name, _, digest = fragment.partition("=")
    metadata = attributes.get("data-core-metadata", attributes.get("data-dist-info-metadata"))
    yanked = attributes.get("data-yanked", False)
    return _Entry(
        filename=filename,
        url=url,
        sha256=_sha256(digest) if digest_name == "sha256" else None,
        requires_python=_text(attributes.get("data-requires-python")),
        yanked=_yanked("" if yanked is None else yanked),
        core_metadata_sha256=_metadata_sha256(metadata),
    )


def _metadata_sha256(value: str | None) -> str | None:
    """``sha256=<hex>`` → the digest; ``true``, other digests and garbage → None."""
    digest_name, _, digest = (value or "").partition("=")
    return _sha256(digest) if digest_name == "sha256" else None


# --- shared --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A file as the page lists it, before its name is checked."""

    filename: str
    url: str
    sha256: str | None = None
    size: int | None = None
    upload_time: float | None = None
    requires_python: str | None = None
    yanked: str | bool = False
    core_metadata_sha256: str | None = None


def _keep_distributions(entries: Iterable[_Entry | None], project: str) -> tuple[RemoteFile, ...]:
    return tuple(_distributions(entries, normalize(project)))


def _distributions(entries: Iterable[_Entry | None], project: str) -> Iterator[RemoteFile]:
    seen: set[str] = set()
    for entry in entries:
        version = None if entry is None else _version_of(entry.filename, project)
        if entry is None or version is None or entry.filename in seen:
            continue
        seen.add(entry.filename)
        yield RemoteFile(version=version, **vars(entry))


def _version_of(filename: str, project: str) -> str | None:
    """The version as ``filename`` spells it, or None if it is not a distribution of ``project``."""
    try:
        parsed = parse_distribution_filename(filename)
    except InvalidDistribution:
        return None
    return parsed.version_string if parsed.normalized_name == project else None


def _check_api_version(version: object) -> None:
    """PEP 629/691: refuse a major version we do not know; no version at all means 1.0."""
    if version is None:
        return
    major = str(version).partition(".")[0].strip()
    if major != "1":
        raise PageError(f"the page uses Simple API version {str(version)[:20]!r}; 1.x is supported")


def _resolve(base: str, url: str) -> str:
    """``url`` made absolute against ``base``, without userinfo."""
    parts = urlsplit(urljoin(base, url.strip()))
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _sha256(value: object) -> str | None:
    return value.lower() if isinstance(value, str) and _SHA256.fullmatch(value) else None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
