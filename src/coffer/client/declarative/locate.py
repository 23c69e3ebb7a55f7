"""Line numbers of the keys and tables of a TOML text, for error messages.

tomllib gives values, not positions, so this reads the text line by line: a ``[table]`` or
``[[array]]`` header sets the current path (each header is parsed by tomllib itself, so quoting
and dotted keys follow the TOML rules), and a ``key = …`` line records ``path + key``. Lines
inside multi-line strings are skipped. Array-of-tables entries are numbered in order.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

__all__ = ["KeyPath", "Locations", "locate"]

KeyPath = tuple[str | int, ...]
_HEADER = re.compile(r"^\s*(\[\[?)(.+?)(\]\]?)\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _dotted(text: str) -> tuple[str, ...] | None:
    """``a."b c".d`` → ``("a", "b c", "d")`` (None if it is not a valid dotted key)."""
    try:
        value: Any = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(value, dict) and len(value) == 1:
        [(key, value)] = value.items()
        path.append(key)
    return tuple(path)


class Locations:
    """``line(path)``: the line of the deepest recorded prefix of ``path`` (1-based)."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self._lines = lines

    def line(self, path: KeyPath) -> int | None:
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None


def locate(text: str) -> Locations:
    lines: dict[KeyPath, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    table: KeyPath = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header and (path := _dotted(header.group(2))) is not None:
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                table = (*path, index)
            else:
                table = path
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key and (path := _dotted(key.group(1))) is not None:
            lines.setdefault((*table, *path), number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
                    break
    return Locations(lines)
