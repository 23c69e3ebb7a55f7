"""Setting keys in INI files (pip.conf, .pypirc) without disturbing the rest of the file."""

from __future__ import annotations

import configparser
import io
from collections.abc import Mapping

from coffer.client.errors import ClientError

__all__ = ["parse", "render", "set_options"]


def parse(text: str | None, origin: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep keys' case
    try:
        parser.read_string(text or "", source=origin)
    except configparser.Error as error:
        raise ClientError(f"cannot parse {origin}: {error}") from None
    return parser


def render(parser: configparser.ConfigParser) -> str:
    out = io.StringIO()
    parser.write(out)
    return out.getvalue().rstrip("\n") + "\n"


def set_options(
    parser: configparser.ConfigParser, section: str, options: Mapping[str, str | None]
) -> list[str]:
    """Set (None: remove) ``options`` in ``section``; the ``[section] key`` of each change."""
    if not parser.has_section(section):
        parser.add_section(section)
    changed = []
    for key, value in options.items():
        current = parser.get(section, key, fallback=None)
        if value is None:
            if current is not None:
                parser.remove_option(section, key)
                changed.append(f"[{section}] {key} (removed)")
        elif current != value:
            parser.set(section, key, value)
            changed.append(f"[{section}] {key}")
    return changed
