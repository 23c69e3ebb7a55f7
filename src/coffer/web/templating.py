"""The Jinja2 environment: templates shipped in the package, autoescaping always on."""

from __future__ import annotations

from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from coffer.domain.packages import VersionInfo

__all__ = ["environment", "format_size", "format_time", "origin_of"]


def format_size(size: int) -> str:
    """1234567 → '1.2 MB' (decimal units, as pip prints them)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def origin_of(version: VersionInfo) -> tuple[str, str]:
    """(kind, explanation) of where a version came from: internal, upstream or external."""
    if version.origin_external:
        return "external", f"ingested through the external connection {version.origin_external}"
    if version.origin_repository and version.origin_repository != version.repository_name:
        return "upstream", f"from the upstream repository {version.origin_repository}"
    return "internal", f"published to {version.repository_name}"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("coffer.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = format_size
    env.filters["time"] = format_time
    env.filters["origin"] = origin_of
    return env
