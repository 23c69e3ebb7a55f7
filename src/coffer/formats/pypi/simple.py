"""The Simple Repository API: content negotiation and page rendering, bytes in memory.

Pages follow PEP 503 (HTML), 691 (JSON), 592 (yanked), 658/714 (core metadata), and 700
(``versions``, ``size``, ``upload-time``): API version 1.1. Every value is escaped; URLs arrive
already computed (the route decides between relative and absolute). JSON is compact with sorted
keys, so equal inputs give equal bytes (and ETags).

Negotiation (PEP 691): each offered type takes the q-value of the most specific matching media
range in ``Accept`` (exact > ``type/*`` > ``*/*``); ``q=0`` excludes it. The best q wins. On a tie
an exact match beats a wildcard; between exact matches JSON wins, then the versioned HTML, then
``text/html`` (PEP 691 leaves ties to the server; JSON is the richer format and what pip, uv and
poetry ask for first); between wildcard matches ``text/html`` wins, so browsers and legacy clients
sending ``*/*`` get the page they expect. No ``Accept`` header, an empty one, or one with no
parsable media range means HTML (``text/html``); a parsable header that accepts none of the types
yields None, for a 406. ``latest`` aliases are answered with the ``v1`` type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from html import escape
from typing import Any, Final

from coffer.formats.pypi.names import normalize

__all__ = [
    "API_VERSION",
    "IndexFile",
    "ProjectIndex",
    "SimpleFormat",
    "negotiate",
    "render_project_html",
    "render_project_json",
    "render_root_html",
    "render_root_json",
]

API_VERSION: Final = "1.1"


class SimpleFormat(StrEnum):
    """The media type to answer with (a str, ready for ``Content-Type``)."""

    JSON = "application/vnd.pypi.simple.v1+json"
    HTML = "application/vnd.pypi.simple.v1+html"
    TEXT_HTML = "text/html"

    @property
    def is_json(self) -> bool:
        return self is SimpleFormat.JSON


_ALIASES: Final = {
    "application/vnd.pypi.simple.latest+json": SimpleFormat.JSON,
    "application/vnd.pypi.simple.latest+html": SimpleFormat.HTML,
}
# Tie-breaking order among exact matches, then among wildcard matches.
_EXACT_ORDER: Final = (SimpleFormat.JSON, SimpleFormat.HTML, SimpleFormat.TEXT_HTML)
_WILDCARD_ORDER: Final = (SimpleFormat.TEXT_HTML, SimpleFormat.JSON, SimpleFormat.HTML)


def negotiate(accept: str | None) -> SimpleFormat | None:
    """The format to answer a request with this ``Accept`` header, or None for 406."""
    ranges = _parse_accept(accept or "")
    if not ranges:
        return SimpleFormat.TEXT_HTML
    best: tuple[float, int, int] | None = None
    chosen: SimpleFormat | None = None
    for offer in SimpleFormat:
        match = _quality(offer, ranges)
        if match is None or match[0] <= 0:
            continue
        quality, specificity = match
        order = _EXACT_ORDER if specificity == 2 else _WILDCARD_ORDER
        key = (quality, specificity, -order.index(offer))
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def _parse_accept(accept: str) -> list[tuple[str, str, float]]:
    """``(type, subtype, q)`` for each well-formed media range; malformed ones are skipped."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        quality = _q_value(params)
        if quality is not None:
            type_ = _ALIASES.get(f"{kind}/{subtype}", f"{kind}/{subtype}")
            kind, _, subtype = type_.partition("/")
            ranges.append((kind, subtype, quality))
    return ranges


def _q_value(params: list[str]) -> float | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0


def _quality(offer: SimpleFormat, ranges: list[tuple[str, str, float]]) -> tuple[float, int] | None:
    """The q of the most specific range matching ``offer``, with that specificity (0-2)."""
    kind, _, subtype = offer.value.partition("/")
    best: tuple[int, float] | None = None
    for range_kind, range_subtype, quality in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            specificity = 2
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0] or (specificity == best[0] and quality > best[1]):
            best = (specificity, quality)
    return None if best is None else (best[1], best[0])


# --- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One file on a project page.

    ``yanked`` is False, True (no reason given), or the reason; an empty reason means True.
    ``core_metadata_sha256`` is the sha256 of the PEP 658 ``{url}.metadata`` file, if served.
    ``upload_time`` is epoch seconds.
    """

    filename: str
    url: str
    sha256: str
    size: int
    upload_time: float
    requires_python: str | None = None
    yanked: str | bool = False
    core_metadata_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectIndex:
    """A project page: display name, its normalised form, versions and files in page order."""

    name: str
    normalized_name: str
    versions: tuple[str, ...]
    files: tuple[IndexFile, ...]
    last_serial: int | None = None


def render_project_html(project: ProjectIndex) -> bytes:
    links = "".join(f"    {_link(file)}<br />\n" for file in project.files)
    return _html_page(f"Links for {project.name}", links, project.last_serial)


def render_root_html(names: Iterable[str], last_serial: int | None = None) -> bytes:
    """Links are relative to the root page (``{normalized}/``)."""
    links = "".join(
        f'    <a href="{escape(normalize(name))}/">{escape(name)}</a><br />\n' for name in names
    )
    return _html_page("Simple index", links, last_serial)


def render_project_json(project: ProjectIndex) -> bytes:
    return _json(
        {
            "meta": _meta(project.last_serial),
            "name": project.normalized_name,
            "versions": list(project.versions),
            "files": [_file_json(file) for file in project.files],
        }
    )


def render_root_json(names: Iterable[str], last_serial: int | None = None) -> bytes:
    return _json({"meta": _meta(last_serial), "projects": [{"name": name} for name in names]})


def _html_page(title: str, links: str, last_serial: int | None) -> bytes:
    serial = "" if last_serial is None else f"<!--SERIAL {int(last_serial)}-->\n"
    page = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{escape(title)}</h1>\n{links}  </body>\n</html>\n{serial}"
    )
    return page.encode("utf-8")


def _link(file: IndexFile) -> str:
    attributes = [f'href="{escape(f"{file.url}#sha256={file.sha256}")}"']
    if file.requires_python:
        attributes.append(f'data-requires-python="{escape(file.requires_python)}"')
    if file.core_metadata_sha256:
        value = escape(f"sha256={file.core_metadata_sha256}")
        attributes += [f'data-dist-info-metadata="{value}"', f'data-core-metadata="{value}"']
    reason = _yanked(file.yanked)
    if reason is not False:
        attributes.append(f'data-yanked="{escape(reason if isinstance(reason, str) else "")}"')
    return f"<a {' '.join(attributes)}>{escape(file.filename)}</a>"


def _yanked(yanked: str | bool) -> str | bool:
    """False, True, or a non-empty reason."""
    if isinstance(yanked, str):
        return yanked or True
    return yanked


def _file_json(file: IndexFile) -> dict[str, Any]:
    metadata: dict[str, str] | bool = (
        {"sha256": file.core_metadata_sha256} if file.core_metadata_sha256 else False
    )
    return {
        "filename": file.filename,
        "url": file.url,
        "hashes": {"sha256": file.sha256},
        "requires-python": file.requires_python or None,
        "size": file.size,
        "upload-time": _iso8601(file.upload_time),
        "yanked": _yanked(file.yanked),
        "core-metadata": metadata,
        "dist-info-metadata": metadata,
    }


def _meta(last_serial: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"api-version": API_VERSION}
    if last_serial is not None:
        meta["_last-serial"] = last_serial
    return meta


def _iso8601(epoch: float) -> str:
    """PEP 700's format, always with microseconds: ``2026-11-27T10:30:19.532108Z``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
